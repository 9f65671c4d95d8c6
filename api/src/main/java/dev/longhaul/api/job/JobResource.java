package dev.longhaul.api.job;

import dev.longhaul.core.artifact.ArtifactInfo;
import dev.longhaul.core.artifact.ArtifactStore;
import dev.longhaul.core.job.JobState;
import dev.longhaul.core.job.JobStore;
import dev.longhaul.core.kind.InvalidRequestException;
import dev.longhaul.api.QueryParams;
import dev.longhaul.api.ApiExamples;
import dev.longhaul.api.access.Requires;
import dev.longhaul.api.access.Role;
import dev.longhaul.api.problem.Problem;
import io.smallrye.common.annotation.RunOnVirtualThread;
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

/** Submitting, reading, listing and cancelling jobs. Errors are RFC 9457 problem+json. */
@Path("/api/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Jobs", description = "Submit jobs, follow their state and progress, download their files, cancel and retry them.")
public class JobResource {
    /** The longest a {@code GET /api/jobs/{id}?wait=N} waits for the job to end. */
    static final int MAX_WAIT_SECONDS = 60;
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
    @Operation(summary = "Submit a job", description = """
            Checks the job (its `kind`, and its `params` against the fields the kind takes), commits it, and \
            publishes it to its lane: the `202` comes once the row is committed. Only `kind` is required; `runAt` \
            in the future makes it `SCHEDULED` until then. With an `Idempotency-Key`, sending the same request again \
            gives the same job (`Idempotent-Replayed: true`), and the same key with another body is a `409`.

            Needs the `submit` role; the kinds `seed`, `purge` and `fail` need `admin`, and a key's allow-lists \
            may narrow the kinds and datasets it may name (`403`).""")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = SubmitRequest.class), examples = {
                    @ExampleObject(name = "sleep", summary = "Sleep three seconds", value = ApiExamples.SUBMIT_SLEEP),
                    @ExampleObject(name = "export", summary = "Export the paid orders as CSV", value = ApiExamples.SUBMIT_EXPORT),
                    @ExampleObject(name = "later", summary = "Every optional field: lane, priority, start time, attempts, timeout",
                            value = ApiExamples.SUBMIT_LATER)}))
    @APIResponse(responseCode = "202", description = "Accepted: the job is committed and on its way to a worker.",
            headers = {
                    @Header(name = "Location", description = "The job's URL, ending in `/api/jobs/{id}`",
                            schema = @Schema(type = SchemaType.STRING, format = "uri")),
                    @Header(name = "Idempotent-Replayed", description = "`true` when an earlier request with this "
                            + "`Idempotency-Key` made the job; absent otherwise", schema = @Schema(type = SchemaType.STRING))},
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class),
                    examples = @ExampleObject(name = "queued", value = ApiExamples.JOB_QUEUED)))
    @APIResponse(responseCode = "400", ref = "InvalidRequest")
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "409", description = "This `Idempotency-Key` was already used for a different request.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "idempotency-conflict", value = ApiExamples.PROBLEM_IDEMPOTENCY_CONFLICT)))
    @APIResponse(responseCode = "413", ref = "BodyTooLarge")
    @APIResponse(responseCode = "415", ref = "NotJson")
    public Response submit(InputStream body, @Parameter(description = "Makes retries safe: up to 200 characters, unique "
            + "per tenant; a repeat of the same request answers with the job the first one made.", example = "nightly-2026-11-21")
            @HeaderParam("Idempotency-Key") String idempotencyKey) {
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
    @Operation(summary = "Submit many jobs at once", description = """
            Up to `longhaul.api.batch-limit` (1,000) jobs, each checked like a single submit, committed in one \
            transaction: all are accepted, or none when any is invalid (the `400` names each, e.g. `jobs[3].kind`). \
            The jobs come back in request order. An optional `then: {kind, params}` is one more job that waits             (`WAITING`) until every job of the batch has ended, whatever its state, then runs once; it comes back as             `then`, and once released its `dependencyStates` holds the batch's counts by state. Needs the `submit` role.""")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = SubmitRequest.Batch.class),
            examples = @ExampleObject(name = "two jobs", value = ApiExamples.SUBMIT_BATCH)))
    @APIResponse(responseCode = "202", description = "Accepted: every job is committed.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.Batch.class),
                    examples = @ExampleObject(name = "batch", value = ApiExamples.JOB_BATCH)))
    @APIResponse(responseCode = "400", ref = "InvalidRequest")
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "413", ref = "BodyTooLarge")
    @APIResponse(responseCode = "415", ref = "NotJson")
    public Response submitBatch(InputStream body) {
        SubmitRequest.Batch batch = reader.read(body, SubmitRequest.Batch.class);
        JobService.BatchSubmitted submitted = service.submitBatch(batch);
        List<JobView> jobs = submitted.jobs().stream().map(j -> JobView.of(j)).toList();
        return Response.accepted(new JobView.Batch(jobs, submitted.then() == null ? null : JobView.of(submitted.then()))).build();
    }

    @GET
    @Path("/{id}")
    @Requires(Role.READ)
    @RunOnVirtualThread // a request may wait up to a minute for the job to end
    @Operation(summary = "Read a job", description = """
            The job's state, progress (with rate and ETA while it runs), result, error and downloadable artifacts. \
            With `wait=N` (seconds, up to 60) the answer comes as soon as the job ends (SUCCEEDED, FAILED or \
            CANCELLED), or after N seconds with the job as it stands: one request instead of polling. Needs the `read` role.""")
    @APIResponse(responseCode = "200", description = "The job.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class),
                    examples = {@ExampleObject(name = "succeeded", summary = "An export that finished, with its file",
                            value = ApiExamples.JOB_SUCCEEDED),
                            @ExampleObject(name = "queued", summary = "Waiting for a worker", value = ApiExamples.JOB_QUEUED)}))
    @APIResponse(responseCode = "400", ref = "InvalidRequest")
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", description = "No such job in the key's tenant.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "job-not-found", value = ApiExamples.PROBLEM_JOB_NOT_FOUND)))
    public JobView get(@Parameter(description = "The job's id", example = "01a1f2c4-7e10-7b3a-9c55-3f8e2d1a6b40")
            @PathParam("id") String id,
            @Parameter(description = "Seconds to wait for the job to end, from 0 (the default: answer at once) to "
                    + MAX_WAIT_SECONDS, schema = @Schema(type = SchemaType.INTEGER, minimum = "0", maximum = "" + MAX_WAIT_SECONDS),
                    example = "30") @QueryParam("wait") String wait) {
        return service.view(service.awaitEnd(id, QueryParams.seconds(wait, "wait", MAX_WAIT_SECONDS)));
    }

    /** Streams a complete artifact from PostgreSQL, part by part. */
    @GET
    @Path("/{id}/artifacts/{name}")
    @Produces(MediaType.WILDCARD)
    @Requires(Role.READ)
    @Operation(summary = "Download an artifact", description = """
            A complete output file of the job, as its `artifacts` list it (`url`), streamed with its own content type \
            (e.g. `text/csv; charset=utf-8`, `application/x-ndjson`, `application/gzip`). Needs the `read` role.""")
    @APIResponse(responseCode = "200", description = "The file.",
            headers = {
                    @Header(name = "Content-Disposition", description = "`attachment; filename=\"<name>\"`",
                            schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "Digest", description = "`sha-256=<hex>`, the same as the artifact's `sha256`",
                            schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "Content-Length", schema = @Schema(type = SchemaType.INTEGER))},
            content = @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM,
                    schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", description = "No such job in the key's tenant, or it has no complete artifact of "
            + "that name (yet).", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response artifact(@PathParam("id") String id,
            @Parameter(description = "The artifact's name", example = "orders.csv") @PathParam("name") String name) {
        return download(service.artifact(id, name), artifacts);
    }

    /** A complete artifact as a download: streamed from PostgreSQL part by part, with its type, size and digest. */
    public static Response download(ArtifactInfo file, ArtifactStore artifacts) {
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
    @Operation(summary = "List jobs", description = """
            The key's tenant's jobs (an admin's: every tenant's), newest first, filtered by any of `state`, `kind`, \
            `scheduleId` and `parentId` (a partitioned job's children). Pages are keyset-paged: pass a page's `next` as `after` to get the following one; \
            `next` is null on the last page. Needs the `read` role.""")
    @APIResponse(responseCode = "200", description = "A page of jobs.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.Page.class),
                    examples = @ExampleObject(name = "page", value = ApiExamples.JOB_PAGE)))
    @APIResponse(responseCode = "400", ref = "InvalidRequest")
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    public JobView.Page list(
            @Parameter(description = "Only jobs in this state", schema = @Schema(implementation = JobState.class))
            @QueryParam("state") String state,
            @Parameter(description = "Only jobs of this kind", example = "export") @QueryParam("kind") String kind,
            @Parameter(description = "Only the jobs this schedule made", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @QueryParam("scheduleId") String scheduleId,
            @Parameter(description = "Only the children of this partitioned job", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @QueryParam("parentId") String parentId,
            @Parameter(description = "Page size, 1 to `longhaul.api.max-page-size` (500)",
                    schema = @Schema(type = SchemaType.INTEGER, defaultValue = "50", minimum = "1", maximum = "500"))
            @QueryParam("limit") String limit,
            @Parameter(description = "The `next` of the previous page", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @QueryParam("after") String after,
            @Parameter(description = "Admin only: one tenant's jobs; for any other key, a tenant not its own lists nothing")
            @QueryParam("tenant") String tenant) {
        int size = QueryParams.limit(limit, 50, config.maxPageSize());
        var jobs = service.list(blankToNull(tenant), parseState(state), blankToNull(kind), QueryParams.uuid(scheduleId, "scheduleId"),
                QueryParams.uuid(parentId, "parentId"), QueryParams.uuid(after, "after"), size);
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
    @Operation(summary = "Cancel a job", description = """
            A waiting job is `CANCELLED` at once; a running one gets `cancelRequested: true`, and its worker stops \
            it at its next chunk. Cancelling a cancelled job changes nothing; a job that already succeeded or \
            failed is a `409`. Needs the `operate` role.""")
    @APIResponse(responseCode = "200", description = "The job after the cancel.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class),
                    examples = @ExampleObject(name = "cancelled", value = ApiExamples.JOB_CANCELLED)))
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", description = "No such job in the key's tenant.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The job has already succeeded or failed.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
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
    @Operation(summary = "Retry a failed or cancelled job", description = """
            Queues a `FAILED` or `CANCELLED` job again to start over, with fresh attempts; its partial output is \
            removed. Any other state is a `409`. Needs the `operate` role.""")
    @APIResponse(responseCode = "202", description = "Accepted: the job is queued again.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class),
                    examples = @ExampleObject(name = "queued", value = ApiExamples.JOB_QUEUED)))
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", description = "No such job in the key's tenant.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The job is neither failed nor cancelled.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "illegal-transition", value = ApiExamples.PROBLEM_ILLEGAL_TRANSITION)))
    public Response retry(@PathParam("id") String id) {
        return Response.accepted(service.view(service.retry(id))).build();
    }

    /** The job's history, oldest first: claims, slices, retries with their errors, the end. */
    @GET
    @Path("/{id}/events")
    @Requires(Role.READ)
    @Operation(summary = "A job's history", description = """
            Oldest first: claims and resumptions by workers, requeues at the end of slices, snoozes, retries with \
            their errors, rescues of lost leases, manual retries, and the end. Needs the `read` role.""")
    @APIResponse(responseCode = "200", description = "The job's events.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = JobStore.Event.class),
                    examples = @ExampleObject(name = "a retry", value = ApiExamples.JOB_EVENTS)))
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", description = "No such job in the key's tenant.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public List<JobStore.Event> events(@PathParam("id") String id) {
        return service.events(id);
    }

    private static JobState parseState(String state) {
        if (state == null || state.isBlank()) return null;
        try {
            return JobState.valueOf(state.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("state", "'" + state + "' is not a state; states: " + List.of(JobState.values()));
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
