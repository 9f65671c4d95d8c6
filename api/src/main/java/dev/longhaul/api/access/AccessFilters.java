package dev.longhaul.api.access;

import dev.longhaul.api.problem.Problem;
import dev.longhaul.core.kind.FieldError;
import jakarta.inject.Inject;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Access control for every route under {@code /api}: the request must carry
 * {@code Authorization: Bearer <key>} for a key that exists and is not revoked (else 401), with
 * the role the route {@link Requires} (else 403 naming it; a route without the annotation needs
 * admin). After the route ran, a state-changing request is written to the {@link AuditLog}, also
 * the dashboard's ({@link UiAccess} authenticates those).
 */
public class AccessFilters {
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    @Inject
    ApiKeys keys;
    @Inject
    Caller caller;
    @Inject
    AuditLog audit;

    @ServerRequestFilter
    public Optional<Response> authenticate(ContainerRequestContext request, ResourceInfo resource) {
        if (!request.getUriInfo().getPath().startsWith("/api")) return Optional.empty();
        String header = request.getHeaderString("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(unauthenticated("send an API key as 'Authorization: Bearer <key>'"));
        }
        var key = keys.authenticate(header.substring(7).trim());
        if (key.isEmpty()) return Optional.of(unauthenticated("the API key is unknown or revoked"));
        caller.authenticate(key.get());
        Role role = required(resource.getResourceMethod());
        if (!caller.has(role)) {
            return Optional.of(forbidden(new MissingRoleException(role, "this key lacks the '" + role.id() + "' role")));
        }
        return Optional.empty();
    }

    @ServerResponseFilter
    public void record(ContainerRequestContext request, ContainerResponseContext response, ResourceInfo resource) {
        String path = request.getUriInfo().getPath();
        if (READS.contains(request.getMethod()) || !caller.authenticated()
                || !(path.startsWith("/api") || path.startsWith("/ui"))) {
            return;
        }
        audit.record(caller.tenant(), caller.keyId(), request.getMethod() + " " + template(resource),
                target(request, response), response.getStatus());
    }

    /** The role a route needs: its {@link Requires}, or admin when it names none. */
    static Role required(Method method) {
        Requires requires = method == null ? null : method.getAnnotation(Requires.class);
        return requires == null ? Role.ADMIN : requires.value();
    }

    /** The route as declared, e.g. {@code /api/jobs/{id}/cancel}: never the values in it. */
    private static String template(ResourceInfo resource) {
        if (resource.getResourceClass() == null || resource.getResourceMethod() == null) return "?";
        Path type = resource.getResourceClass().getAnnotation(Path.class);
        Path method = resource.getResourceMethod().getAnnotation(Path.class);
        String path = (type == null ? "" : type.value()) + (method == null ? "" : "/" + method.value());
        return path.replaceAll("/+", "/").replaceAll("/$", "");
    }

    /** What the request acted on: the id in its path, or the id of what it created. */
    private static String target(ContainerRequestContext request, ContainerResponseContext response) {
        String id = request.getUriInfo().getPathParameters().getFirst("id");
        if (id != null) return id.length() > 100 ? id.substring(0, 100) : id;
        Object location = response.getHeaders().getFirst("Location");
        if (location != null) {
            String l = location.toString();
            return l.substring(l.lastIndexOf('/') + 1);
        }
        return null;
    }

    private static Response unauthenticated(String detail) {
        return Response.fromResponse(Problem.response(401, "unauthenticated", "Authentication required", detail,
                        List.of(new FieldError("Authorization", detail))))
                .header("WWW-Authenticate", "Bearer realm=\"longhaul\"").build();
    }

    public static Response forbidden(MissingRoleException e) {
        String field = e.role() == null ? "key" : "role";
        return Problem.response(403, "forbidden", "Not allowed", e.getMessage(), List.of(new FieldError(field, e.getMessage())));
    }
}
