package dev.longhaul.api.access;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.WithFormRead;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveContainerRequestContext;

/**
 * Access control for the dashboard, {@code /ui}: the same keys and roles as {@code /api}, carried
 * by a session cookie instead of a header. A page without a session redirects to the sign-in page;
 * a route needs the role it {@link Requires} (admin when it names none), else 403; and every
 * state-changing request must carry its session's CSRF token as the form field {@code csrf}, else
 * 403. {@link AccessFilters#record} audits the state-changing ones as it does the API's.
 */
public class UiAccess {
    /** The session cookie: HttpOnly, SameSite=Strict, path /ui. */
    public static final String COOKIE = "longhaul_session";
    public static final String LOGIN = "/ui/login";
    static final String CSRF_FIELD = "csrf";
    private static final Set<String> READS = Set.of("GET", "HEAD");

    @Inject
    Sessions sessions;
    @Inject
    Caller caller;

    @ServerRequestFilter
    @WithFormRead
    public Optional<Response> authenticate(ResteasyReactiveContainerRequestContext request, ResourceInfo resource) {
        String path = request.getUriInfo().getPath();
        if (!path.equals("/ui") && !path.startsWith("/ui/") || path.equals(LOGIN)) return Optional.empty();
        Cookie cookie = request.getCookies().get(COOKIE);
        Optional<Sessions.Session> session = cookie == null ? Optional.empty() : sessions.find(cookie.getValue());
        boolean read = READS.contains(request.getMethod());
        if (session.isEmpty()) {
            return Optional.of(read ? Response.seeOther(URI.create(LOGIN)).build()
                    : refuse(Response.Status.FORBIDDEN, "Your session has ended: sign in again."));
        }
        caller.authenticate(session.get());
        if (!read && !csrfMatches(request, session.get().csrf())) {
            return Optional.of(refuse(Response.Status.FORBIDDEN,
                    "This form is stale or did not come from the dashboard (its CSRF token is missing or wrong)."));
        }
        Role role = AccessFilters.required(resource.getResourceMethod());
        if (!caller.has(role)) {
            return Optional.of(refuse(Response.Status.FORBIDDEN, "This key lacks the '" + role.id() + "' role."));
        }
        return Optional.empty();
    }

    private static boolean csrfMatches(ResteasyReactiveContainerRequestContext request, String expected) {
        var context = (ResteasyReactiveRequestContext) request.getServerRequestContext();
        Object sent = context.getFormParameter(CSRF_FIELD, true, false);
        return sent instanceof String s && MessageDigest.isEqual(s.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8));
    }

    /** A plain page saying why, with a way back to sign in. */
    private static Response refuse(Response.Status status, String why) {
        String html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not allowed · Longhaul</title>"
                + "<link rel=\"stylesheet\" href=\"/ui/assets/ui.css\"></head><body><main class=\"narrow\">"
                + "<h1>Not allowed</h1><p role=\"alert\">" + why + "</p><p><a href=\"/ui/\">Back to the dashboard</a> · "
                + "<a href=\"" + LOGIN + "\">Sign in</a></p></main></body></html>";
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("utf-8")).entity(html).build();
    }
}
