package dev.longhaul.api;

import dev.longhaul.api.problem.Problem;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.models.OpenAPI;

/**
 * The head of the OpenAPI document ({@code /q/openapi} on the management port): its info, the
 * bearer scheme every {@code /api} route needs, and the error responses the resources share by
 * reference ({@code @APIResponse(ref = "Unauthorized")}).
 *
 * <p>It is an {@link Application} only so that the annotations have a home: it declares no
 * {@code @ApplicationPath} and no classes, so the routes stay at {@code /api/...} and every
 * resource and provider is still discovered.
 */
@OpenAPIDefinition(
        info = @Info(title = "Longhaul API", version = "0.1.0", description = """
                Background jobs over HTTP. Submit a job (`POST /api/jobs`): it is committed to PostgreSQL before \
                the `202`, delivered through RabbitMQ to a worker, and its state, progress, result and files are \
                read back from `GET /api/jobs/{id}`. Schedules make jobs on a cron; uploads feed `import` jobs.

                Every route needs an API key, sent as `Authorization: Bearer <key>`, with the role the operation \
                names (`read`, `submit`, `operate` or `admin`; `admin` may do everything, in every tenant). A key \
                sees its own tenant's jobs, schedules and uploads only: another tenant's is a `404`.

                Errors are RFC 9457 problem details (`application/problem+json`): `errors` names every \
                offending field, e.g. `params.seconds` or `jobs[3].kind`."""),
        security = @SecurityRequirement(name = OpenApiDefinition.SCHEME),
        components = @Components(responses = {
                @APIResponse(name = "InvalidRequest", responseCode = "400",
                        description = "The request is invalid: `errors` names every offending field and what is wrong with it.",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                                examples = @ExampleObject(name = "invalid-request", value = ApiExamples.PROBLEM_INVALID))),
                @APIResponse(name = "Unauthorized", responseCode = "401",
                        description = "No API key, or one that is unknown or revoked.",
                        headers = @Header(name = "WWW-Authenticate", description = "`Bearer realm=\"longhaul\"`",
                                schema = @Schema(type = SchemaType.STRING)),
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                                examples = @ExampleObject(name = "unauthenticated", value = ApiExamples.PROBLEM_UNAUTHENTICATED))),
                @APIResponse(name = "Forbidden", responseCode = "403",
                        description = "The key lacks the role this operation needs, or its allow-lists do not permit the "
                                + "kind or dataset named; `detail` says which.",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                                examples = @ExampleObject(name = "forbidden", value = ApiExamples.PROBLEM_FORBIDDEN))),
                @APIResponse(name = "BodyTooLarge", responseCode = "413",
                        description = "The JSON body is larger than `longhaul.api.max-body-bytes` (1 MiB by default); nothing was done.",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                                examples = @ExampleObject(name = "body-too-large", value = ApiExamples.PROBLEM_BODY_TOO_LARGE))),
                @APIResponse(name = "NotJson", responseCode = "415",
                        description = "The body was not sent as `Content-Type: application/json`.",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                                examples = @ExampleObject(name = "unsupported-media-type",
                                        value = ApiExamples.PROBLEM_UNSUPPORTED_MEDIA_TYPE)))}))
@SecurityScheme(securitySchemeName = OpenApiDefinition.SCHEME, type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = """
                An API key, e.g. `lh_9sn679a5_…`, as `Authorization: Bearer <key>`. An admin makes keys with \
                `POST /api/keys` (the secret is shown once); the first admin key comes from \
                `LONGHAUL_BOOTSTRAP_ADMIN_KEY`. A missing, unknown or revoked key is a `401`, a missing role a `403`.""")
public class OpenApiDefinition extends Application {
    /** The name of the bearer security scheme. */
    public static final String SCHEME = "apiKey";

    /**
     * Jackson's {@code JsonNode} (a job's {@code params} and {@code result}) would otherwise be
     * described by its getters ({@code empty}, {@code valueNode}, ...); on the wire it is any JSON
     * value. Runs at build time, so the served document is already right.
     */
    @OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
    public static class AnyJsonValue implements OASFilter {
        @Override
        public void filterOpenAPI(OpenAPI openAPI) {
            var components = openAPI.getComponents();
            if (components == null || components.getSchemas() == null || !components.getSchemas().containsKey("JsonNode")) {
                return;
            }
            components.addSchema("JsonNode", OASFactory.createSchema()
                    .description("Any JSON value. A job's `params` is an object of the fields its kind takes; "
                            + "its `result` is what the kind reports when it succeeds."));
            components.removeSchema("JsonNodeType");
        }
    }
}
