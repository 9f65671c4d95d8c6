package dev.longhaul.api.queue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.longhaul.api.access.Caller;
import dev.longhaul.api.access.Requires;
import dev.longhaul.api.access.Role;
import dev.longhaul.api.job.RequestReader;
import dev.longhaul.api.problem.Problem;
import dev.longhaul.core.job.JobStats;
import dev.longhaul.core.job.LaneControls;
import dev.longhaul.core.kind.FieldError;
import dev.longhaul.core.kind.InvalidRequestException;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.InputStream;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The lanes and their flow controls. A paused lane starts nothing (running jobs go on: a pause is
 * not a drain); a concurrency limit caps the lane's RUNNING jobs across all workers; a rate limit
 * its starts per second. The settings live in PostgreSQL and hold on every worker within a second.
 */
@Path("/api/queues")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Queues", description = "The lanes: their backlog, and pause, concurrency and rate controls.")
public class QueueResource {
    @Inject
    LaneControls controls;
    @Inject
    LaneSettings settings;
    @Inject
    JobStats stats;
    @Inject
    Caller caller;
    @Inject
    Clock clock;
    @Inject
    RequestReader reader;

    /** The body of a PATCH: each field is optional, and null clears its limit. */
    public record Limits(Integer concurrency, Double ratePerSecond) {
    }

    /** A lane as listed: its controls (null when unlimited) and its jobs now. */
    public record QueueView(String name, boolean paused, Integer concurrency, Double ratePerSecond, long running,
            long waiting, double oldestWaitingSeconds) {
    }

    @GET
    @Requires(Role.READ)
    @Operation(summary = "List lanes", description = """
            Each lane with its controls (the same for every tenant) and the key's tenant's jobs in it (an admin's: \
            every tenant's): `running`, `waiting` (queued for a worker) and how long the oldest waiting job has \
            waited. Needs the `read` role.""")
    @APIResponse(responseCode = "200", description = "The lanes.", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = SchemaType.ARRAY, implementation = QueueView.class)))
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    public List<QueueView> list() throws SQLException {
        Map<String, JobStats.Lane> jobs = stats.lanes(caller.scope()).stream()
                .collect(Collectors.toMap(JobStats.Lane::queue, lane -> lane));
        return controls.current().stream().map(control -> view(control, jobs.get(control.lane()))).toList();
    }

    @POST
    @Path("/{name}/pause")
    @Requires(Role.ADMIN)
    @Operation(summary = "Pause a lane", description = """
            No job of the lane starts until it is resumed; running jobs go on. Needs the `admin` role.""")
    @APIResponse(responseCode = "200", description = "The lane, with its controls now.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = QueueView.class)))
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", description = "No such lane.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public QueueView pause(@PathParam("name") String name) throws SQLException {
        return view(settings.paused(name, true));
    }

    @POST
    @Path("/{name}/resume")
    @Requires(Role.ADMIN)
    @Operation(summary = "Resume a lane", description = "The lane's waiting jobs start again. Needs the `admin` role.")
    @APIResponse(responseCode = "200", description = "The lane, with its controls now.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = QueueView.class)))
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", description = "No such lane.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public QueueView resume(@PathParam("name") String name) throws SQLException {
        return view(settings.paused(name, false));
    }

    @PATCH
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Requires(Role.ADMIN)
    @Operation(summary = "Limit a lane", description = """
            Sets `concurrency` (1 to 100,000 RUNNING jobs across all workers) and `ratePerSecond` (starts per \
            second, up to 1,000,000); a field left out is kept, `null` clears its limit. Needs the `admin` role.""")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Limits.class),
            examples = @ExampleObject(name = "three at a time", value = "{\"concurrency\": 3, \"ratePerSecond\": null}")))
    @APIResponse(responseCode = "200", description = "The lane, with its controls now.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = QueueView.class)))
    @APIResponse(responseCode = "400", ref = "InvalidRequest")
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", description = "No such lane.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public QueueView limit(@PathParam("name") String name, InputStream body) throws SQLException {
        LaneControls.Control now = settings.current(name);
        JsonNode patch = reader.read(body, JsonNode.class);
        if (!patch.isObject()) throw new InvalidRequestException("body", "must be a JSON object");
        List<FieldError> errors = new ArrayList<>();
        patch.fieldNames().forEachRemaining(field -> {
            if (!field.equals("concurrency") && !field.equals("ratePerSecond")) {
                errors.add(new FieldError(field, "is not a lane setting; settings: concurrency, ratePerSecond"));
            }
        });
        Integer concurrency = now.concurrency();
        if (patch.has("concurrency")) {
            JsonNode value = patch.get("concurrency");
            if (value.isNull()) concurrency = null;
            else if (value.isIntegralNumber() && value.canConvertToInt()) concurrency = value.intValue();
            else errors.add(new FieldError("concurrency", "must be a whole number from 1 to " + LaneSettings.MAX_CONCURRENCY + ", or null"));
        }
        Double rate = now.ratePerSecond();
        if (patch.has("ratePerSecond")) {
            JsonNode value = patch.get("ratePerSecond");
            if (value.isNull()) rate = null;
            else if (value.isNumber()) rate = value.doubleValue();
            else errors.add(new FieldError("ratePerSecond", "must be a number above 0 and at most " + (long) LaneSettings.MAX_RATE + ", or null"));
        }
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
        return view(settings.limits(name, concurrency, rate));
    }

    private QueueView view(LaneControls.Control control) throws SQLException {
        return list().stream().filter(q -> q.name().equals(control.lane())).findFirst().orElseThrow();
    }

    private QueueView view(LaneControls.Control control, JobStats.Lane jobs) {
        if (jobs == null) return new QueueView(control.lane(), control.paused(), control.concurrency(), control.ratePerSecond(), 0, 0, 0);
        double oldest = jobs.oldestQueuedAt() == null ? 0
                : Math.max(0, Duration.between(jobs.oldestQueuedAt(), clock.instant()).toMillis() / 1000.0);
        return new QueueView(control.lane(), control.paused(), control.concurrency(), control.ratePerSecond(),
                jobs.running(), jobs.queued(), oldest);
    }
}
