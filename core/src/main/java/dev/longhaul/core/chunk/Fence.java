package dev.longhaul.core.chunk;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

/**
 * The conditional checkpoint that ends every chunk: in the chunk's own transaction, it writes the
 * checkpoint and progress and renews the lease, but only while this worker still holds the job's
 * lease token and nobody asked to cancel it. Zero rows means the chunk must roll back.
 */
public final class Fence {
    private static final String CHECKPOINT = """
            update longhaul.job set checkpoint = cast(? as jsonb), progress_done = ?, progress_total = ?,
                progress_unit = ?, progress_rate = ?, lease_expires_at = ?, version = version + 1
            where id = ? and lease_token = ? and state = 'RUNNING' and not cancel_requested""";
    private static final String WHY = "select cancel_requested and lease_token = ? from longhaul.job where id = ?";

    /**
     * The tail of a write made outside a chunk's transaction (an artifact part, an email's record):
     * {@code insert … select … } + this. It binds the job id and then the lease token, writes only
     * while the token is still the job's, and share-locks the job row, which orders the write
     * before any takeover.
     */
    public static final String WHILE_HELD = "from longhaul.job where id = ? and lease_token = ? and state = 'RUNNING' for share";

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
        try (PreparedStatement s = connection.prepareStatement(CHECKPOINT)) {
            s.setString(1, checkpointJson);
            s.setLong(2, done);
            if (total == null) s.setNull(3, Types.BIGINT); else s.setLong(3, total);
            s.setString(4, unit);
            if (rate == null) s.setNull(5, Types.DOUBLE); else s.setDouble(5, rate);
            s.setTimestamp(6, Timestamp.from(clock.instant().plus(lease)));
            s.setObject(7, jobId);
            s.setObject(8, token);
            return s.executeUpdate() == 1;
        }
    }

    /**
     * In the connection's transaction: whether {@code token} still holds the job, share-locking
     * its row if so, for writes that follow in the same transaction (see {@link #WHILE_HELD}).
     */
    public static boolean held(Connection connection, UUID jobId, UUID token) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("select 1 " + WHILE_HELD)) {
            s.setObject(1, jobId);
            s.setObject(2, token);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** After a refused checkpoint (and its rollback): true if it was a cancel request we still own. */
    public boolean cancelledWhileOwned(Connection connection) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(WHY)) {
            s.setObject(1, token);
            s.setObject(2, jobId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }
}
