package dev.longhaul.core.job;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.UUID;

/**
 * The job row's statements that a lease holder runs on a chunk's own connection, inside the
 * chunk's transaction: the fenced {@link Transition#CHECKPOINT}, the {@link #WHILE_HELD} guard of
 * writes made beside it, and the question asked after a refused checkpoint. {@code
 * dev.longhaul.core.chunk.Fence} is their caller. Each guard binds the states an owner may
 * checkpoint in, from {@link Transition}, and the lease token; the CHECK constraint
 * {@code job_lease_iff_running} keeps a token on running jobs only. Stateless and thread-safe.
 */
public final class LeaseQueries {
    /**
     * The tail of a write made outside a chunk's transaction: {@code insert … select … } + this,
     * bound by {@link #bindWhileHeld}. It writes only while the lease token still holds the job in
     * a state its owner may {@link Transition#CHECKPOINT} in, and share-locks the job row, which
     * orders the write before any takeover.
     */
    public static final String WHILE_HELD = "from longhaul.job where id = ? and lease_token = ? and state = any(?) for share";

    /** {@link Transition#CHECKPOINT}, fenced on the token and on "not cancelled"; renews the lease. */
    private static final String CHECKPOINT = """
            update longhaul.job set checkpoint = cast(? as jsonb), progress_done = ?, progress_total = ?,
                progress_unit = ?, progress_rate = ?, lease_expires_at = ?, version = version + 1
            where id = ? and lease_token = ? and state = any(?) and not cancel_requested""";

    /** Whether a refused checkpoint was a cancel request on a job the token still holds. */
    private static final String CANCELLED_WHILE_OWNED =
            "select cancel_requested and lease_token = ? from longhaul.job where id = ?";

    /**
     * {@link Transition#CHECKPOINT} in the connection's transaction (a chunk's): writes the
     * checkpoint and progress and renews the lease until {@code leaseExpires}, but only while
     * {@code token} holds the job and nobody asked to cancel it. False means the chunk must roll back.
     */
    public static boolean checkpoint(Connection c, UUID jobId, UUID token, String checkpointJson, long done, Long total,
            String unit, Double rate, Instant leaseExpires) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(CHECKPOINT)) {
            s.setString(1, checkpointJson);
            s.setLong(2, done);
            if (total == null) s.setNull(3, Types.BIGINT); else s.setLong(3, total);
            s.setString(4, unit);
            if (rate == null) s.setNull(5, Types.DOUBLE); else s.setDouble(5, rate);
            s.setTimestamp(6, Timestamp.from(leaseExpires));
            s.setObject(7, jobId);
            s.setObject(8, token);
            s.setArray(9, c.createArrayOf("text", JobState.names(Transition.CHECKPOINT.from())));
            return s.executeUpdate() == 1;
        }
    }

    /**
     * Binds {@link #WHILE_HELD}'s parameters from {@code first} on: the job, the token and the
     * states of a held job. Returns the index of the next parameter.
     */
    public static int bindWhileHeld(PreparedStatement s, int first, UUID jobId, UUID token) throws SQLException {
        s.setObject(first, jobId);
        s.setObject(first + 1, token);
        s.setArray(first + 2, s.getConnection().createArrayOf("text", JobState.names(Transition.CHECKPOINT.from())));
        return first + 3;
    }

    /**
     * In the connection's transaction: whether {@code token} still holds the job, share-locking
     * its row if so, for writes that follow in the same transaction (see {@link #WHILE_HELD}).
     */
    public static boolean held(Connection c, UUID jobId, UUID token) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("select 1 " + WHILE_HELD)) {
            bindWhileHeld(s, 1, jobId, token);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** After a refused checkpoint (and its rollback): true if it was a cancel request {@code token} still owns. */
    public static boolean cancelledWhileOwned(Connection c, UUID jobId, UUID token) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(CANCELLED_WHILE_OWNED)) {
            s.setObject(1, token);
            s.setObject(2, jobId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private LeaseQueries() {
    }
}
