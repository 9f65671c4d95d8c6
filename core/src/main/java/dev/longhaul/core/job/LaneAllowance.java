package dev.longhaul.core.job;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * How many jobs a claim in a lane may start under the lane's controls ({@code lane_control}): read
 * inside the claim's transaction, with the lane's row locked until it commits, so the count of the
 * lane's RUNNING jobs and the rate bucket cannot change under the claim.
 */
final class LaneAllowance {
    private LaneAllowance() {
    }

    /** How many jobs a claim may start, and the rate bucket's tokens before it (null without a rate). */
    record Allowance(int jobs, Double tokens) {
    }

    /**
     * Locks the lane's row and reads its allowance for {@code wanted} jobs: none while paused, no
     * more than a concurrency limit leaves free of the lane's RUNNING jobs, no more than the rate
     * bucket holds; {@code wanted} when the lane has no row.
     */
    static Allowance read(Connection c, String lane, int wanted, Instant now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                select paused, concurrency, rate_per_second, tokens, extract(epoch from (? - refilled_at))
                from longhaul.lane_control where lane = ? for update""")) {
            s.setObject(1, JobQueries.time(now));
            s.setString(2, lane);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) return new Allowance(wanted, null);
                if (rs.getBoolean(1)) return new Allowance(0, null);
                int allowed = wanted;
                Integer concurrency = rs.getObject(2, Integer.class);
                if (concurrency != null) allowed = Math.min(allowed, Math.max(0, concurrency - running(c, lane)));
                Double rate = rs.getObject(3, Double.class);
                if (rate == null) return new Allowance(allowed, null);
                // a bucket of one second's worth (at least one job), refilled at the rate
                double tokens = Math.min(Math.max(1, rate), rs.getDouble(4) + rate * Math.max(0, rs.getDouble(5)));
                return new Allowance(Math.min(allowed, (int) Math.floor(tokens)), tokens);
            }
        }
    }

    /** Leaves {@code tokens} in the lane's rate bucket, refilled as of {@code now}. */
    static void spend(Connection c, String lane, double tokens, Instant now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "update longhaul.lane_control set tokens = ?, refilled_at = ? where lane = ?")) {
            s.setDouble(1, tokens);
            s.setObject(2, JobQueries.time(now));
            s.setString(3, lane);
            s.executeUpdate();
        }
    }

    private static int running(Connection c, String lane) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "select count(*) from longhaul.job where queue = ? and state = '" + Transition.CLAIM.to().name() + "'")) {
            s.setString(1, lane);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
