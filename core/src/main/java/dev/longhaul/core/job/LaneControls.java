package dev.longhaul.core.job;

import dev.longhaul.core.message.Lanes;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The lanes' flow controls ({@code lane_control}), read by every worker's claims. Each process
 * keeps what it read for at most {@link #FRESH}, so a change holds across the cluster within it.
 */
@ApplicationScoped
public class LaneControls {
    /** How long a process trusts the controls it read. */
    public static final Duration FRESH = Duration.ofMillis(500);

    /** A lane's controls; {@code concurrency} and {@code ratePerSecond} are null when unlimited. */
    public record Control(String lane, boolean paused, Integer concurrency, Double ratePerSecond) {
        public static Control none(String lane) {
            return new Control(lane, false, null, null);
        }

        /** Whether claims in the lane must look at the controls at all. */
        public boolean active() {
            return paused || concurrency != null || ratePerSecond != null;
        }
    }

    @Inject
    AgroalDataSource dataSource;

    private volatile Map<String, Control> cached = Map.of();
    private volatile long readAt;

    /** The lane's controls, at most {@link #FRESH} old. */
    public Control of(String lane) {
        if (System.nanoTime() - readAt > FRESH.toNanos()) refresh();
        return cached.getOrDefault(lane, Control.none(lane));
    }

    /** The lane's controls as stored now, read afresh. */
    public Control current(String lane) {
        readAt = 0;
        return of(lane);
    }

    /** Every lane's controls as stored now, in {@link Lanes#ALL}'s order, in one read. */
    public List<Control> current() {
        readAt = 0;
        refresh();
        return Lanes.ALL.stream().map(this::of).toList();
    }

    private synchronized void refresh() {
        if (System.nanoTime() - readAt <= FRESH.toNanos()) return;
        Map<String, Control> read = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "select lane, paused, concurrency, rate_per_second from longhaul.lane_control");
                ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                read.put(rs.getString(1), new Control(rs.getString(1), rs.getBoolean(2), rs.getObject(3, Integer.class),
                        rs.getObject(4, Double.class)));
            }
        } catch (SQLException e) {
            // keep what was read last; the claim itself reads the row it depends on
            return;
        }
        cached = Map.copyOf(read);
        readAt = System.nanoTime();
    }

    /** Sets the lane's controls (creating its row), at once for this process. */
    public Control set(Control control) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                insert into longhaul.lane_control (lane, paused, concurrency, rate_per_second, tokens, refilled_at, updated_at)
                values (?, ?, ?, ?, coalesce(?, 0), now(), now())
                on conflict (lane) do update set paused = excluded.paused, concurrency = excluded.concurrency,
                    rate_per_second = excluded.rate_per_second, tokens = least(lane_control.tokens, coalesce(excluded.rate_per_second, 0)),
                    updated_at = now()""")) {
            s.setString(1, control.lane());
            s.setBoolean(2, control.paused());
            if (control.concurrency() == null) s.setNull(3, Types.INTEGER); else s.setInt(3, control.concurrency());
            if (control.ratePerSecond() == null) s.setNull(4, Types.DOUBLE); else s.setDouble(4, control.ratePerSecond());
            if (control.ratePerSecond() == null) s.setNull(5, Types.DOUBLE); else s.setDouble(5, control.ratePerSecond());
            s.executeUpdate();
        }
        readAt = 0;
        return control;
    }
}
