package dev.longhaul.worker;

import dev.longhaul.core.job.JobState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Test jobs written straight into {@code longhaul.job}, in any state, with the columns its CHECK
 * constraints ask of that state: {@code aJob().inState(RUNNING).withExpiredLease().insert(c)}. A
 * new job is due long ago (its {@code runAt} in 2000), attempt 1 of 3, not marked to publish, and
 * a running one holds a live lease under {@link Row#token()}.
 */
public final class JobBuilder {
    /** Long before anything a real job waits on, so a test job comes first in any "oldest first". */
    private static final Instant LONG_AGO = Instant.parse("2000-01-01T00:00:00Z");

    private JobState state = JobState.QUEUED;
    private int attempt = 1;
    private int maxAttempts = 3;
    private boolean leaseExpired;
    private boolean cancelRequested;
    private boolean toPublish;

    private JobBuilder() {
    }

    public static JobBuilder aJob() {
        return new JobBuilder();
    }

    public JobBuilder inState(JobState state) {
        this.state = state;
        return this;
    }

    /** Its lease ran out long ago (whatever its state: only a running job has a token). */
    public JobBuilder withExpiredLease() {
        this.leaseExpired = true;
        return this;
    }

    public JobBuilder withCancelRequested() {
        this.cancelRequested = true;
        return this;
    }

    /** Its current attempt is its last. */
    public JobBuilder onItsLastAttempt() {
        this.attempt = maxAttempts;
        return this;
    }

    /** Marked to publish since long ago: its message was never confirmed. */
    public JobBuilder markedToPublish() {
        this.toPublish = true;
        return this;
    }

    /** A job as inserted: its id, and the lease token that holds it if it is running (another one if not). */
    public record Row(UUID id, UUID token) {
        /** The whole row as JSON, to tell whether a statement changed anything in it. */
        public String snapshot(Connection c) throws SQLException {
            return select(c, "select to_jsonb(j)::text from longhaul.job j where id = ?");
        }

        public JobState state(Connection c) throws SQLException {
            return JobState.valueOf(select(c, "select state from longhaul.job where id = ?"));
        }

        public boolean cancelRequested(Connection c) throws SQLException {
            return Boolean.parseBoolean(select(c, "select cancel_requested::text from longhaul.job where id = ?"));
        }

        /** How many times the row has changed state or flags ({@code version} starts at 0). */
        public int version(Connection c) throws SQLException {
            return Integer.parseInt(select(c, "select version::text from longhaul.job where id = ?"));
        }

        private String select(Connection c, String sql) throws SQLException {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setObject(1, id);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) throw new IllegalStateException("no job " + id);
                    return rs.getString(1);
                }
            }
        }
    }

    /** Inserts the job in the connection's transaction. */
    public Row insert(Connection c) throws SQLException {
        UUID id = UUID.randomUUID();
        UUID token = UUID.randomUUID();
        boolean running = state == JobState.RUNNING;
        Instant now = Instant.now();
        try (PreparedStatement s = c.prepareStatement("""
                insert into longhaul.job (id, kind, queue, state, attempt, max_attempts, run_at, created_at, enqueued_at,
                    started_at, finished_at, lease_owner, lease_token, lease_expires_at, cancel_requested, to_publish)
                values (?, 'noop', 'default', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            int i = 0;
            s.setObject(++i, id);
            s.setString(++i, state.name());
            s.setInt(++i, attempt);
            s.setInt(++i, maxAttempts);
            s.setObject(++i, time(LONG_AGO));
            s.setObject(++i, time(LONG_AGO));
            s.setObject(++i, time(LONG_AGO));
            s.setObject(++i, time(LONG_AGO));
            s.setObject(++i, state.isFinished() ? time(now) : null);
            s.setString(++i, running ? "guard-test" : null);
            s.setObject(++i, running ? token : null);
            s.setObject(++i, leaseExpired ? time(LONG_AGO) : running ? time(now.plusSeconds(3600)) : null);
            s.setBoolean(++i, cancelRequested);
            s.setBoolean(++i, toPublish);
            s.executeUpdate();
        }
        return new Row(id, token);
    }

    private static OffsetDateTime time(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
