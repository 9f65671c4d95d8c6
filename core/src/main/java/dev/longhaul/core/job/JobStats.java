package dev.longhaul.core.job;

import dev.longhaul.core.tenant.Scope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * What the dashboard's overview and queues pages show, each figure one query whose cost follows the
 * recent or the waiting jobs, never the size of the whole table: finished jobs by minute (from
 * {@code job_finished_at_idx}), run times of the recent ones, and the lanes' waiting and running
 * jobs (from {@code job_state_id_idx}).
 */
@ApplicationScoped
public class JobStats {
    @Inject
    DataSource dataSource;

    /** Jobs that ended in {@code state} during the minute that starts at {@code minute}. */
    public record Minute(Instant minute, JobState state, long jobs) {
    }

    /** Run times (start to finish, in seconds) of one kind's recent successes. */
    public record RunTimes(String kind, long jobs, double p50, double p95) {
    }

    /**
     * One lane: its jobs waiting (queued), running and scheduled (for later or a retry), and when
     * its oldest queued job was queued (null when none waits).
     */
    public record Lane(String queue, long queued, long running, long scheduled, Instant oldestQueuedAt) {
    }

    /** Jobs that succeeded or failed per minute since {@code since}, minute by minute (empty minutes left out). */
    public List<Minute> finishedPerMinute(Scope scope, Instant since) throws SQLException {
        List<Minute> minutes = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                select date_trunc('minute', finished_at), state, count(*) from longhaul.job
                where finished_at >= ? and state = any(?) and (cast(? as text) is null or tenant = ?)
                group by 1, 2 order by 1""")) {
            s.setTimestamp(1, Timestamp.from(since));
            s.setArray(2, c.createArrayOf("text", JobState.names(List.of(JobState.SUCCEEDED, JobState.FAILED))));
            bindTenant(s, 3, scope);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    minutes.add(new Minute(rs.getTimestamp(1).toInstant(), JobState.valueOf(rs.getString(2)), rs.getLong(3)));
                }
            }
        }
        return minutes;
    }

    /** p50 and p95 run time per kind, over the jobs that succeeded since {@code since}. */
    public List<RunTimes> runTimes(Scope scope, Instant since) throws SQLException {
        List<RunTimes> kinds = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                select kind, count(*),
                       percentile_cont(0.5) within group (order by extract(epoch from finished_at - started_at)),
                       percentile_cont(0.95) within group (order by extract(epoch from finished_at - started_at))
                from longhaul.job
                where finished_at >= ? and state = ? and started_at is not null
                  and (cast(? as text) is null or tenant = ?)
                group by kind order by kind""")) {
            s.setTimestamp(1, Timestamp.from(since));
            s.setString(2, JobState.SUCCEEDED.name());
            bindTenant(s, 3, scope);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) kinds.add(new RunTimes(rs.getString(1), rs.getLong(2), rs.getDouble(3), rs.getDouble(4)));
            }
        }
        return kinds;
    }

    /** Each lane that has jobs waiting, running or scheduled. */
    public List<Lane> lanes(Scope scope) throws SQLException {
        List<Lane> lanes = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                select queue,
                       count(*) filter (where state = ?), count(*) filter (where state = ?),
                       count(*) filter (where state = ?), min(enqueued_at) filter (where state = ?)
                from longhaul.job
                where state = any(?) and (cast(? as text) is null or tenant = ?)
                group by queue order by queue""")) {
            s.setString(1, JobState.QUEUED.name());
            s.setString(2, JobState.RUNNING.name());
            s.setString(3, JobState.SCHEDULED.name());
            s.setString(4, JobState.QUEUED.name());
            s.setArray(5, c.createArrayOf("text", JobState.names(JobState.active())));
            bindTenant(s, 6, scope);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    Timestamp oldest = rs.getTimestamp(5);
                    lanes.add(new Lane(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                            oldest == null ? null : oldest.toInstant()));
                }
            }
        }
        return lanes;
    }

    private static void bindTenant(PreparedStatement s, int first, Scope scope) throws SQLException {
        String tenant = scope.only().orElse(null);
        s.setString(first, tenant);
        s.setString(first + 1, tenant);
    }
}
