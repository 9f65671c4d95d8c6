package dev.longhaul.api.job;

import dev.longhaul.core.artifact.ArtifactInfo;
import dev.longhaul.core.artifact.ArtifactStore;
import dev.longhaul.core.job.JobState;
import dev.longhaul.core.job.JobStore;
import dev.longhaul.core.kind.InvalidRequestException;
import dev.longhaul.api.access.Requires;
import dev.longhaul.api.access.Role;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** Submitting, reading, listing and cancelling jobs. Errors are RFC 9457 problem+json. */
@Path("/api/jobs")
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {
    @Inject
    JobService service;
    @Inject
    RequestReader reader;
    @Inject
    ApiConfig config;
    @Inject
    ArtifactStore artifacts;

    /** {@code 202} once the job row committed, with the job and its {@code Location}. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Requires(Role.SUBMIT)
    public Response submit(InputStream body, @HeaderParam("Idempotency-Key") String idempotencyKey) {
        SubmitRequest request = reader.read(body, SubmitRequest.class);
        JobService.Submitted submitted = service.submit(request, idempotencyKey);
        return Response.accepted(JobView.of(submitted.job()))
                .location(URI.create("/api/jobs/" + submitted.job().id()))
                .header("Idempotent-Replayed", submitted.replayed() ? "true" : null)
                .build();
    }

    /** Many jobs in one transaction: all are accepted, or none when any is invalid. */
    @POST
    @Path("/batch")
    @Consumes(MediaType.APPLICATION_JSON)
    @Requires(Role.SUBMIT)
    public Response submitBatch(InputStream body) {
        SubmitRequest.Batch batch = reader.read(body, SubmitRequest.Batch.class);
        List<JobView> jobs = service.submitBatch(batch).stream().map(j -> JobView.of(j)).toList();
        return Response.accepted(new JobView.Batch(jobs)).build();
    }

    @GET
    @Path("/{id}")
    @Requires(Role.READ)
    public JobView get(@PathParam("id") String id) {
        return service.view(service.get(id));
    }

    /** Streams a complete artifact from PostgreSQL, part by part. */
    @GET
    @Path("/{id}/artifacts/{name}")
    @Produces(MediaType.WILDCARD)
    @Requires(Role.READ)
    public Response artifact(@PathParam("id") String id, @PathParam("name") String name) {
        ArtifactInfo file = service.artifact(id, name);
        StreamingOutput body = out -> artifacts.copyTo(file.id(), out);
        return Response.ok(body)
                .type(file.contentType())
                .header("Content-Length", file.size())
                .header("Content-Disposition", "attachment; filename=\"" + file.name() + "\"")
                .header("Digest", "sha-256=" + file.sha256())
                .build();
    }

    /** Newest first; pass {@code next} from one page as {@code after} to get the following one. */
    @GET
    @Requires(Role.READ)
    public JobView.Page list(@QueryParam("state") String state, @QueryParam("kind") String kind,
            @QueryParam("scheduleId") String scheduleId, @QueryParam("limit") String limit,
            @QueryParam("after") String after, @QueryParam("tenant") String tenant) {
        int size = parseLimit(limit);
        var jobs = service.list(blankToNull(tenant), parseState(state), blankToNull(kind), parseUuid(scheduleId, "scheduleId"),
                parseAfter(after), size);
        String next = jobs.size() == size ? jobs.getLast().id().toString() : null;
        return new JobView.Page(service.views(jobs), next);
    }

    /**
     * A waiting job is cancelled at once; a running one is flagged, and its worker stops it at the
     * next chunk boundary. Cancelling a cancelled job is a no-op; a finished one is a 409.
     */
    @POST
    @Path("/{id}/cancel")
    @Requires(Role.OPERATE)
    public JobView cancel(@PathParam("id") String id) {
        return service.view(service.cancel(id));
    }

    /**
     * Re-queues a {@code FAILED} or {@code CANCELLED} job: it starts over with fresh attempts, and
     * its partial output is removed. Any other state is a 409.
     */
    @POST
    @Path("/{id}/retry")
    @Requires(Role.OPERATE)
    public Response retry(@PathParam("id") String id) {
        return Response.accepted(service.view(service.retry(id))).build();
    }

    /** The job's history, oldest first: claims, slices, retries with their errors, the end. */
    @GET
    @Path("/{id}/events")
    @Requires(Role.READ)
    public List<JobStore.Event> events(@PathParam("id") String id) {
        return service.events(id);
    }

    private int parseLimit(String limit) {
        if (limit == null || limit.isBlank()) return 50;
        try {
            int value = Integer.parseInt(limit.trim());
            if (value >= 1 && value <= config.maxPageSize()) return value;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new InvalidRequestException("limit", "must be a whole number from 1 to " + config.maxPageSize());
    }

    private static JobState parseState(String state) {
        if (state == null || state.isBlank()) return null;
        try {
            return JobState.valueOf(state.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("state", "'" + state + "' is not a state; states: " + List.of(JobState.values()));
        }
    }

    private static UUID parseAfter(String after) {
        if (after == null || after.isBlank()) return null;
        try {
            return UUID.fromString(after.trim());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("after", "must be the 'next' cursor of a previous page");
        }
    }

    private static UUID parseUuid(String value, String field) {
        if (value == null || value.isBlank()) return null;
        try {
            return UUID.fromString(value.trim());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(field, "must be a UUID");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
