package dev.longhaul.api.upload;

import dev.longhaul.core.artifact.UploadInfo;
import dev.longhaul.core.artifact.UploadStore;
import dev.longhaul.core.kind.InvalidRequestException;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import dev.longhaul.api.ApiExamples;
import dev.longhaul.api.access.Caller;
import dev.longhaul.api.access.Requires;
import dev.longhaul.api.access.Role;
import dev.longhaul.api.problem.Problem;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Files for {@code import} jobs. The body is the file itself ({@code Content-Type: text/csv}),
 * streamed into the upload store in parts under a size limit; what comes back is its id, size and
 * sha256, to name in an import job and to check against the file sent.
 */
@Path("/api/uploads")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Uploads", description = "CSV files for `import` jobs: upload the file, then name its id in the job's `params.upload`.")
public class UploadResource {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** Limits of uploads. */
    @ConfigMapping(prefix = "longhaul.uploads")
    public interface UploadConfig {
        /** The largest upload, in bytes (1 GiB); quarkus.http.limits.max-body-size must allow it. */
        @WithDefault("1073741824")
        long maxBytes();

        /** The size of the parts an upload is stored in (4 MiB); the api keeps two of them per upload under way. */
        @WithDefault("" + UploadStore.PART_BYTES)
        int partBytes();
    }

    public record UploadView(UUID id, String name, long size, String sha256, String createdAt) {
        static UploadView of(UploadInfo info) {
            return new UploadView(info.id(), info.name(), info.size(), info.sha256(), info.createdAt().toString());
        }
    }

    @Inject
    UploadStore store;
    @Inject
    UploadConfig config;
    @Inject
    Caller caller;

    @POST
    @Consumes({"text/csv", "application/csv"})
    @Requires(Role.SUBMIT)
    @Operation(summary = "Upload a CSV file", description = """
            The body is the file itself, sent as `text/csv` (or `application/csv`), e.g. \
            `curl --data-binary @customers.csv -H 'Content-Type: text/csv'`. It is streamed to PostgreSQL in parts \
            under `longhaul.uploads.max-bytes` (1 GiB); compare the `sha256` that comes back with your file's, then \
            submit an `import` job naming the `id`. Only jobs of the same tenant may use it. Needs the `submit` role.""")
    @RequestBody(required = true, content = {
            @Content(mediaType = "text/csv", schema = @Schema(type = SchemaType.STRING, format = "binary"),
                    examples = @ExampleObject(name = "customers", value = ApiExamples.UPLOAD_CSV)),
            @Content(mediaType = "application/csv", schema = @Schema(type = SchemaType.STRING, format = "binary"))})
    @APIResponse(responseCode = "201", description = "Stored: the upload's id, size and sha256.",
            headers = @Header(name = "Location", description = "The upload's URL, ending in `/api/uploads/{id}`",
                    schema = @Schema(type = SchemaType.STRING, format = "uri")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = UploadView.class),
                    examples = @ExampleObject(name = "upload", value = ApiExamples.UPLOAD_VIEW)))
    @APIResponse(responseCode = "400", ref = "InvalidRequest")
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "413", description = "The file is larger than `longhaul.uploads.max-bytes`; nothing was kept.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "upload-too-large", value = ApiExamples.PROBLEM_UPLOAD_TOO_LARGE)))
    @APIResponse(responseCode = "415", description = "The body was not sent as `text/csv`, or it is not CSV text.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "upload-not-csv", value = ApiExamples.PROBLEM_UPLOAD_NOT_CSV)))
    public Response upload(InputStream body, @Parameter(description = "The file's name: 1 to 128 letters, digits, "
            + "'.', '_' or '-', starting with a letter or digit", schema = @Schema(type = SchemaType.STRING,
            defaultValue = "upload.csv"), example = "customers.csv") @QueryParam("name") String name) {
        String fileName = name == null ? "upload.csv" : name;
        if (!NAME.matcher(fileName).matches()) {
            throw new InvalidRequestException("name", "must be 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        UploadInfo info;
        try {
            info = store.store(body, fileName, "text/csv", config.maxBytes(), caller.tenant(), config.partBytes());
        } catch (UncheckedIOException e) {
            // the client stopped sending its body (the read timeout) or went away: its fault, and nothing was kept
            return Problem.response(408, "body-incomplete", "Request body incomplete",
                    "the body stopped arriving before it was complete: " + e.getCause().getMessage(), List.of());
        }
        return Response.created(URI.create("/api/uploads/" + info.id())).entity(UploadView.of(info)).build();
    }

    /** Anything but CSV: refused with a problem that says what is accepted. */
    @POST
    @Consumes(MediaType.WILDCARD)
    @Requires(Role.SUBMIT)
    @Operation(hidden = true) // the 415 of POST /api/uploads, documented there
    public Response notCsv(@HeaderParam("Content-Type") String contentType) {
        throw new UnsupportedUploadException(contentType);
    }

    @GET
    @Path("{id}")
    @Requires(Role.READ)
    @Operation(summary = "Read an upload", description = "A complete upload of the key's tenant. Needs the `read` role.")
    @APIResponse(responseCode = "200", description = "The upload.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = UploadView.class),
                    examples = @ExampleObject(name = "upload", value = ApiExamples.UPLOAD_VIEW)))
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", description = "No such complete upload in the key's tenant.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public UploadView get(@PathParam("id") UUID id) {
        return store.find(id).filter(UploadInfo::complete).filter(u -> caller.scope().includes(u.tenant())).map(UploadView::of)
                .orElseThrow(() -> new NotFoundException("no upload " + id));
    }

    /** An upload whose Content-Type is not CSV. */
    public static class UnsupportedUploadException extends RuntimeException {
        public UnsupportedUploadException(String contentType) {
            super("Content-Type " + (contentType == null ? "is missing" : "'" + contentType + "' is not accepted")
                    + ": send the file as text/csv");
        }
    }
}
