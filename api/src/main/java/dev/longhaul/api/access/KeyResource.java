package dev.longhaul.api.access;

import dev.longhaul.api.ApiExamples;
import dev.longhaul.api.job.RequestReader;
import dev.longhaul.api.problem.Problem;
import dev.longhaul.core.kind.FieldError;
import dev.longhaul.core.kind.InvalidRequestException;
import dev.longhaul.core.tenant.Scope;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** API keys (admin only): make one (its secret is shown once), list them, revoke one. */
@Path("/api/keys")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Keys", description = "API keys: each belongs to a tenant and has roles; its secret is shown once, when it is made.")
public class KeyResource {
    private static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,62}$");

    /** A request for a key. {@code kinds} and {@code datasets}, when given, narrow what it may submit. */
    public record KeyRequest(String name, String tenant, List<String> roles, List<String> kinds, List<String> datasets) {
    }

    /** A key as listed: never its secret. */
    public record KeyView(UUID id, String name, String tenant, List<String> roles, Set<String> kinds, Set<String> datasets,
            String prefix, Instant createdAt, Instant revokedAt) {
        static KeyView of(ApiKeys.Key k) {
            return new KeyView(k.id(), k.name(), k.tenant(), k.roles().stream().map(Role::id).sorted().toList(), k.kinds(),
                    k.datasets(), k.prefix(), k.createdAt(), k.revokedAt());
        }
    }

    /** A key just made: {@code key} is its secret, shown this once. */
    public record CreatedKey(UUID id, String key, String name, String tenant, List<String> roles, Set<String> kinds,
            Set<String> datasets, String prefix, Instant createdAt) {
    }

    @Inject
    ApiKeys keys;
    @Inject
    Caller caller;
    @Inject
    RequestReader reader;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Requires(Role.ADMIN)
    @Operation(summary = "Make a key", description = """
            A key for `tenant` with one or more `roles` (`read`, `submit`, `operate`, `admin`). `kinds` and \
            `datasets`, when given, narrow what it may submit. The answer holds the secret, `key`, this once: \
            only its sha256 is stored. Needs the `admin` role.""")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = KeyRequest.class),
            examples = @ExampleObject(name = "exports", value = ApiExamples.KEY_REQUEST)))
    @APIResponse(responseCode = "201", description = "Made: the key with its secret, shown only now.",
            headers = @Header(name = "Location", description = "The key's URL, ending in `/api/keys/{id}`",
                    schema = @Schema(type = SchemaType.STRING, format = "uri")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CreatedKey.class),
                    examples = @ExampleObject(name = "key", value = ApiExamples.CREATED_KEY)))
    @APIResponse(responseCode = "400", ref = "InvalidRequest")
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "413", ref = "BodyTooLarge")
    @APIResponse(responseCode = "415", ref = "NotJson")
    public Response create(InputStream body) {
        KeyRequest request = reader.read(body, KeyRequest.class);
        List<FieldError> errors = new ArrayList<>();
        if (request.name() == null || request.name().isBlank() || request.name().length() > 100) {
            errors.add(new FieldError("name", "is required, 1 to 100 characters"));
        }
        if (!Scope.validName(request.tenant())) {
            errors.add(new FieldError("tenant", "is required: lower-case letters, digits, '-' and '_', 1 to 63 long, starting with a letter or digit"));
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        if (request.roles() == null || request.roles().isEmpty()) {
            errors.add(new FieldError("roles", "needs at least one of read, submit, operate, admin"));
        } else {
            for (String r : request.roles()) {
                Role role = Role.of(r);
                if (role == null) errors.add(new FieldError("roles", "'" + r + "' is not a role; roles: read, submit, operate, admin"));
                else roles.add(role);
            }
        }
        Set<String> kinds = names("kinds", request.kinds(), errors);
        Set<String> datasets = names("datasets", request.datasets(), errors);
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
        ApiKeys.Created created = keys.create(request.name().strip(), request.tenant(), roles, kinds, datasets, caller.keyId());
        ApiKeys.Key k = created.key();
        return Response.created(URI.create("/api/keys/" + k.id()))
                .entity(new CreatedKey(k.id(), created.secret(), k.name(), k.tenant(),
                        k.roles().stream().map(Role::id).sorted().toList(), k.kinds(), k.datasets(), k.prefix(), k.createdAt()))
                .build();
    }

    @GET
    @Requires(Role.ADMIN)
    @Operation(summary = "List keys", description = """
            Every key, revoked ones included, with its prefix (the first 11 characters, to tell keys apart) and \
            never its secret. Needs the `admin` role.""")
    @APIResponse(responseCode = "200", description = "The keys.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = KeyView.class),
                    examples = @ExampleObject(name = "keys", value = ApiExamples.KEY_LIST)))
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    public List<KeyView> list() {
        return keys.list().stream().map(KeyView::of).toList();
    }

    /** Revokes the key; within the key cache's second it is refused everywhere. */
    @DELETE
    @Path("/{id}")
    @Requires(Role.ADMIN)
    @Operation(summary = "Revoke a key", description = """
            The key is refused everywhere within a second (the key cache's lifetime), at once on this api \
            instance. Needs the `admin` role.""")
    @APIResponse(responseCode = "204", description = "Revoked.")
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", description = "No such key, or it is already revoked.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "not-found", value = ApiExamples.PROBLEM_NOT_FOUND)))
    public Response revoke(@PathParam("id") String id) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new NotFoundException("no key " + id);
        }
        if (!keys.revoke(uuid)) throw new NotFoundException("no active key " + id);
        return Response.noContent().build();
    }

    private static Set<String> names(String field, List<String> values, List<FieldError> errors) {
        if (values == null) return null;
        Set<String> names = new LinkedHashSet<>();
        for (String v : values) {
            if (v == null || !NAME.matcher(v).matches()) errors.add(new FieldError(field, "'" + v + "' is not a name"));
            else names.add(v);
        }
        if (names.isEmpty()) errors.add(new FieldError(field, "when given, must name at least one"));
        return names;
    }
}
