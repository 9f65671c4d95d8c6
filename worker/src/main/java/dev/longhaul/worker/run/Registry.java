package dev.longhaul.worker.run;

import dev.longhaul.core.message.Lanes;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * This worker's row in {@code longhaul.worker}, written on every heartbeat: host, pid, start,
 * last seen, concurrency, running jobs, and whether it is draining. A worker that stops removes
 * its row; one that dies leaves it, and its last-seen time tells.
 */
@ApplicationScoped
public class Registry {
    private static final Logger LOG = Logger.getLogger(Registry.class);

    @Inject
    AgroalDataSource dataSource;
    @Inject
    Leases leases;
    @Inject
    JobRunner runner;
    @Inject
    WorkerConfig config;
    @Inject
    Clock clock;

    private final Instant started = Instant.now();
    private volatile boolean left;

    @Scheduled(every = "${longhaul.worker.heartbeat:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void heartbeat() {
        if (left) return; // stopped: a late heartbeat must not bring the row back
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                insert into longhaul.worker (id, host, pid, started_at, last_seen, concurrency, running, draining)
                values (?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (id) do update set host = excluded.host, pid = excluded.pid, started_at = excluded.started_at,
                    last_seen = excluded.last_seen, running = excluded.running, draining = excluded.draining,
                    concurrency = excluded.concurrency""")) {
            s.setString(1, leases.workerId());
            s.setString(2, host());
            s.setLong(3, ProcessHandle.current().pid());
            s.setTimestamp(4, Timestamp.from(started));
            s.setTimestamp(5, Timestamp.from(clock.instant()));
            s.setInt(6, Lanes.ALL.stream().mapToInt(config::concurrency).sum());
            s.setInt(7, runner.running());
            s.setBoolean(8, runner.draining());
            s.executeUpdate();
        } catch (SQLException e) {
            LOG.warnf("could not report to the worker registry: %s", e.getMessage());
        }
    }

    /** After the drain (which observes first). */
    void leave(@Observes @Priority(5000) ShutdownEvent event) {
        left = true;
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("delete from longhaul.worker where id = ?")) {
            s.setString(1, leases.workerId());
            s.executeUpdate();
        } catch (SQLException e) {
            LOG.warnf("could not leave the worker registry: %s", e.getMessage());
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown";
        }
    }
}
