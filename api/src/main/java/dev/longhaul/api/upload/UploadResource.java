package dev.longhaul.api.upload;

import dev.longhaul.core.artifact.UploadInfo;
import dev.longhaul.core.artifact.UploadStore;
import dev.longhaul.core.kind.InvalidRequestException;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import dev.longhaul.api.access.Caller;
import dev.longhaul.api.access.Requires;
import dev.longhaul.api.access.Role;
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
import java.net.URI;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Files for {@code import} jobs. The body is the file itself ({@code Content-Type: text/csv}),
 * streamed into the upload store in parts under a size limit; what comes back is its id, size and
 * sha256, to name in an import job and to check against the file sent.
 */
@Path("/api/uploads")
@Produces(MediaType.APPLICATION_JSON)
public class UploadResource {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** Limits of uploads. */
    @ConfigMapping(prefix = "longhaul.uploads")
    public interface UploadConfig {
        /** The largest upload, in bytes (1 GiB); quarkus.http.limits.max-body-size must allow it. */
        @WithDefault("1073741824")
        long maxBytes();
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
    public Response upload(InputStream body, @QueryParam("name") String name) {
        String fileName = name == null ? "upload.csv" : name;
        if (!NAME.matcher(fileName).matches()) {
            throw new InvalidRequestException("name", "must be 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        UploadInfo info = store.store(body, fileName, "text/csv", config.maxBytes(), caller.tenant());
        return Response.created(URI.create("/api/uploads/" + info.id())).entity(UploadView.of(info)).build();
    }

    /** Anything but CSV: refused with a problem that says what is accepted. */
    @POST
    @Consumes(MediaType.WILDCARD)
    @Requires(Role.SUBMIT)
    public Response notCsv(@HeaderParam("Content-Type") String contentType) {
        throw new UnsupportedUploadException(contentType);
    }

    @GET
    @Path("{id}")
    @Requires(Role.READ)
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
