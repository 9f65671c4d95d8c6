package dev.longhaul.api.worker;

import dev.longhaul.core.job.JobQueries;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The workers that reported on their heartbeat, with the jobs each is running: one query for the
 * workers and one ({@link JobQueries#heldByOwner}) for the running jobs of them all. The API and
 * the dashboard both list them from here.
 */
@ApplicationScoped
public class Workers {
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

    /** Every worker, most recently seen first. */
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
