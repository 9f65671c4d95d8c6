package dev.longhaul.core.job;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A person's cancel and retry ({@link JobStore#cancel}, {@link JobStore#retry}) on many jobs at once,
 * set-based, on the caller's connection and in its transaction: a bulk action's chunk. The same
 * transition table guards them, so each job moves only from a state its verb starts from.
 */
public final class JobBulk {
    /** A waiting job nobody owns ends at once. */
    private static final String CANCEL_UNOWNED = """
            update longhaul.job set state = ?, finished_at = ?, to_publish = false, version = version + 1
            where id = any(?) and state = any(?)""";
    /** A running job gets its cancel flag, which its owner honours at the next chunk. */
    private static final String CANCEL_OWNED = """
            update longhaul.job set cancel_requested = true, version = version + 1
            where id = any(?) and state = any(?) and not cancel_requested""";
    private static final String RETRY = """
            update longhaul.job set state = ?, attempt = 0, resume = false, checkpoint = null, result = null, error = null,
                cancel_requested = false, finished_at = null, run_at = ?, enqueued_at = ?, to_publish = true,
                progress_done = 0, progress_total = null, progress_rate = null, version = version + 1
            where id = any(?) and state = any(?)
            returning id, queue""";
    private static final String DELETE_OUTPUT = "delete from longhaul.artifact where job_id = any(?)";
    private static final String RETRIED_EVENT = """
            insert into longhaul.job_event (job_id, at, type, attempt, worker, detail)
            select u, ?, 'retried', 0, null, 'by a bulk retry' from unnest(?::uuid[]) u""";

    /** A job a retry queued again, to publish after commit. */
    public record Requeued(UUID id, String queue) {
    }

    private JobBulk() {
    }

    /** {@link Transition#CANCEL} on each of {@code ids} that allows it; returns how many were cancelled or flagged. */
    public static int cancel(Connection c, Collection<UUID> ids, Clock clock) throws SQLException {
        Set<JobState> owned = Transition.fromEvery(Transition.CANCEL, Transition.CHECKPOINT);
        Set<JobState> unowned = EnumSet.copyOf(Transition.CANCEL.from());
        unowned.removeAll(owned);
        Array idArray = c.createArrayOf("uuid", ids.toArray());
        int moved;
        try (PreparedStatement s = c.prepareStatement(CANCEL_UNOWNED)) {
            s.setString(1, Transition.CANCEL.to().name());
            s.setTimestamp(2, Timestamp.from(clock.instant()));
            s.setArray(3, idArray);
            s.setArray(4, c.createArrayOf("text", JobState.names(unowned)));
            moved = s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement(CANCEL_OWNED)) {
            s.setArray(1, idArray);
            s.setArray(2, c.createArrayOf("text", JobState.names(owned)));
            moved += s.executeUpdate();
        }
        return moved;
    }

    /**
     * {@link Transition#RETRY} on each of {@code ids} that allows it: each starts over, its partial
     * output removed and the retry written to its history. Returns the jobs to publish after commit.
     */
    public static List<Requeued> retry(Connection c, Collection<UUID> ids, Clock clock) throws SQLException {
        Instant now = clock.instant();
        List<Requeued> requeued = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(RETRY)) {
            s.setString(1, Transition.RETRY.to().name());
            s.setTimestamp(2, Timestamp.from(now));
            s.setTimestamp(3, Timestamp.from(now));
            s.setArray(4, c.createArrayOf("uuid", ids.toArray()));
            s.setArray(5, c.createArrayOf("text", JobState.names(Transition.RETRY.from())));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) requeued.add(new Requeued(rs.getObject(1, UUID.class), rs.getString(2)));
            }
        }
        if (requeued.isEmpty()) return requeued;
        Array moved = c.createArrayOf("uuid", requeued.stream().map(Requeued::id).toArray());
        try (PreparedStatement s = c.prepareStatement(DELETE_OUTPUT)) {
            s.setArray(1, moved);
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement(RETRIED_EVENT)) {
            s.setTimestamp(1, Timestamp.from(now));
            s.setArray(2, moved);
            s.executeUpdate();
        }
        return requeued;
    }
}
