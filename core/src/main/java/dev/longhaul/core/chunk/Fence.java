package dev.longhaul.core.chunk;

import dev.longhaul.core.job.LeaseQueries;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

/**
 * The conditional checkpoint that ends every chunk: in the chunk's own transaction, it writes the
 * checkpoint and progress and renews the lease, but only while this worker still holds the job's
 * lease token and nobody asked to cancel it. Zero rows means the chunk must roll back. The
 * statements themselves are in {@link LeaseQueries}, with the job row's others.
 */
public final class Fence {
    /**
     * The tail of a write made outside a chunk's transaction (an artifact part, an email's record):
     * {@code insert … select … } + this, its parameters bound by {@link #bindWhileHeld}. It writes
     * only while the token is still the job's, and share-locks the job row, which orders the write
     * before any takeover.
     */
    public static final String WHILE_HELD = LeaseQueries.WHILE_HELD;

    private final UUID jobId;
    private final UUID token;
    private final Duration lease;
    private final Clock clock;

    public Fence(UUID jobId, UUID token, Duration lease, Clock clock) {
        this.jobId = jobId;
        this.token = token;
        this.lease = lease;
        this.clock = clock;
    }

    public UUID jobId() {
        return jobId;
    }

    /** Writes the checkpoint; false when the lease was lost or the job cancelled. */
    public boolean checkpoint(Connection connection, String checkpointJson, long done, Long total, String unit,
            Double rate) throws SQLException {
        // an estimated total that the work outgrew is raised to what is done: progress never passes 100%
        Long bounded = total == null ? null : Math.max(total, done);
        return LeaseQueries.checkpoint(connection, jobId, token, checkpointJson, done, bounded, unit, rate,
                clock.instant().plus(lease));
    }

    /**
     * Binds the parameters of {@link #WHILE_HELD} from {@code first} on (the job, the token and the
     * states the job may be held in); returns the index of the next parameter.
     */
    public static int bindWhileHeld(PreparedStatement statement, int first, UUID jobId, UUID token) throws SQLException {
        return LeaseQueries.bindWhileHeld(statement, first, jobId, token);
    }

    /**
     * In the connection's transaction: whether {@code token} still holds the job, share-locking
     * its row if so, for writes that follow in the same transaction (see {@link #WHILE_HELD}).
     */
    public static boolean held(Connection connection, UUID jobId, UUID token) throws SQLException {
        return LeaseQueries.held(connection, jobId, token);
    }

    /** After a refused checkpoint (and its rollback): true if it was a cancel request we still own. */
    public boolean cancelledWhileOwned(Connection connection) throws SQLException {
        return LeaseQueries.cancelledWhileOwned(connection, jobId, token);
    }
}
