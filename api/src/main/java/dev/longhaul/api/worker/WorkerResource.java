package dev.longhaul.api.worker;

import dev.longhaul.api.ApiExamples;
import dev.longhaul.core.job.JobQueries;
import io.agroal.api.AgroalDataSource;
import dev.longhaul.api.access.Requires;
import dev.longhaul.api.access.Role;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The workers that reported on their heartbeat, with the jobs each is running: one query for the
 * workers and one ({@link JobQueries#heldByOwner}) for the running jobs of them all.
 */
@Path("/api/workers")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Workers", description = "The worker processes, as their heartbeats report them.")
public class WorkerResource {
    /**
     * @param lastSeen    the last heartbeat; a worker that died stops updating it
     * @param runningJobs the jobs it holds a lease on now
     */
    public record WorkerView(String id, String host, long pid, Instant startedAt, Instant lastSeen, int concurrency,
            int running, boolean draining, List<UUID> runningJobs) {
    }

    @Inject
    AgroalDataSource dataSource;
    @Inject
    JobQueries jobs;

    @GET
    @Requires(Role.ADMIN)
    @Operation(summary = "List workers", description = """
            Every worker that reported on its heartbeat, most recently seen first, with the jobs it holds a lease \
            on now. A worker whose `lastSeen` stopped moving has died; its jobs are rescued when their leases \
            expire. Needs the `admin` role.""")
    @APIResponse(responseCode = "200", description = "The workers.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = WorkerView.class),
                    examples = @ExampleObject(name = "workers", value = ApiExamples.WORKERS)))
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    public List<WorkerView> list() throws SQLException {
        List<WorkerView> workers = new ArrayList<>();
        Map<String, List<UUID>> held = jobs.heldByOwner();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                select w.id, w.host, w.pid, w.started_at, w.last_seen, w.concurrency, w.running, w.draining
                from longhaul.worker w order by w.last_seen desc""");
                ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                workers.add(new WorkerView(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getTimestamp(4).toInstant(),
                        rs.getTimestamp(5).toInstant(), rs.getInt(6), rs.getInt(7), rs.getBoolean(8),
                        held.getOrDefault(rs.getString(1), List.of())));
            }
        }
        return workers;
    }
}
