package dev.longhaul.api.problem;

import dev.longhaul.api.access.AccessFilters;
import dev.longhaul.api.access.MissingRoleException;
import dev.longhaul.api.job.ArtifactNotFoundException;
import dev.longhaul.api.job.BodyTooLargeException;
import dev.longhaul.api.job.IdempotencyConflictException;
import dev.longhaul.api.job.JobNotFoundException;
import dev.longhaul.api.queue.LaneNotFoundException;
import dev.longhaul.api.schedule.ScheduleNotFoundException;
import dev.longhaul.api.upload.UploadResource;
import dev.longhaul.core.artifact.UploadStore;
import dev.longhaul.core.job.IllegalTransitionException;
import dev.longhaul.core.kind.InvalidRequestException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Maps the API's own failures to problem+json. Each mapper is narrow: an unexpected exception is
 * not caught here, and Quarkus answers it with a bare 500 that reveals nothing.
 */
public class ProblemMappers {

    @ServerExceptionMapper
    public Response invalid(InvalidRequestException e) {
        return Problem.response(400, "invalid-request", "Invalid request", e.getMessage(), e.errors());
    }

    @ServerExceptionMapper
    public Response forbidden(MissingRoleException e) {
        return AccessFilters.forbidden(e);
    }

    @ServerExceptionMapper
    public Response tooLarge(BodyTooLargeException e) {
        return Problem.about(413, "body-too-large", "Request body too large", "body", e);
    }

    @ServerExceptionMapper
    public Response notFound(JobNotFoundException e) {
        return Problem.about(404, "job-not-found", "Job not found", "id", e);
    }

    @ServerExceptionMapper
    public Response noLane(LaneNotFoundException e) {
        return Problem.about(404, "lane-not-found", "Lane not found", "name", e);
    }

    @ServerExceptionMapper
    public Response noSchedule(ScheduleNotFoundException e) {
        return Problem.about(404, "schedule-not-found", "Schedule not found", "id", e);
    }

    @ServerExceptionMapper
    public Response noArtifact(ArtifactNotFoundException e) {
        return Problem.about(404, "artifact-not-found", "Artifact not found", "name", e);
    }

    @ServerExceptionMapper
    public Response conflict(IdempotencyConflictException e) {
        return Problem.about(409, "idempotency-conflict", "Idempotency key reused", "Idempotency-Key", e);
    }

    @ServerExceptionMapper
    public Response illegalTransition(IllegalTransitionException e) {
        return Problem.about(409, "illegal-transition", "Not possible in this state", "state", e);
    }

    @ServerExceptionMapper
    public Response uploadRefused(UploadStore.RefusedException e) {
        return switch (e.reason()) {
            case TOO_LARGE -> Problem.about(413, "upload-too-large", "Upload too large", "body", e);
            case QUOTA -> Problem.about(413, "upload-quota", "Upload quota reached", "body", e);
            case NOT_TEXT -> Problem.about(415, "upload-not-csv", "Upload is not CSV", "body", e);
            case EMPTY -> Problem.about(400, "upload-empty", "Upload is empty", "body", e);
        };
    }

    @ServerExceptionMapper
    public Response uploadNotCsv(UploadResource.UnsupportedUploadException e) {
        return Problem.about(415, "upload-not-csv", "Upload is not CSV", "Content-Type", e);
    }

    /** JAX-RS's own status exceptions: unknown route, wrong method, wrong content type. */
    @ServerExceptionMapper
    public Response status(WebApplicationException e) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        return Problem.response(status.getStatusCode(), "http-" + status.getStatusCode(),
                status.getReasonPhrase(), status.getReasonPhrase(), List.of());
    }
}
