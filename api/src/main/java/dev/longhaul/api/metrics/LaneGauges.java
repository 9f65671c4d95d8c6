package dev.longhaul.api.metrics;

import dev.longhaul.core.message.Lanes;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Each lane's backlog as PostgreSQL sees it, for dashboards and autoscalers:
 * {@code longhaul_lane_depth{lane}} counts the jobs that are due and wait for a worker (queued, or
 * scheduled and past their time: delayed retries and timed jobs that RabbitMQ does not hold yet),
 * and {@code longhaul_lane_oldest_waiting_seconds{lane}} how long the oldest of them has been due.
 * One grouped query every few seconds, whatever the number of scrapes.
 */
@ApplicationScoped
public class LaneGauges {
    private static final Logger LOG = Logger.getLogger(LaneGauges.class);
    private static final String QUERY = """
            select queue, count(*), coalesce(extract(epoch from now() - min(run_at)), 0)
            from longhaul.job where state in ('QUEUED', 'SCHEDULED') and run_at <= now() group by queue""";

    @Inject
    AgroalDataSource dataSource;
    @Inject
    MeterRegistry meters;

    private record Backlog(long depth, double oldestSeconds) {
    }

    private final Map<String, Backlog> lanes = new ConcurrentHashMap<>();

    void register(@Observes StartupEvent start) {
        for (String lane : Lanes.ALL) {
            Gauge.builder("longhaul.lane.depth", () -> backlog(lane).depth()).tag("lane", lane)
                    .description("Jobs due and waiting for a worker").strongReference(true).register(meters);
            Gauge.builder("longhaul.lane.oldest.waiting", () -> backlog(lane).oldestSeconds()).tag("lane", lane)
                    .baseUnit("seconds").description("How long the lane's oldest due job has waited")
                    .strongReference(true).register(meters);
        }
    }

    private Backlog backlog(String lane) {
        return lanes.getOrDefault(lane, new Backlog(0, 0));
    }

    @Scheduled(every = "${longhaul.metrics.lanes-every:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        Map<String, Backlog> seen = new ConcurrentHashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(QUERY);
                ResultSet rs = s.executeQuery()) {
            while (rs.next()) seen.put(rs.getString(1), new Backlog(rs.getLong(2), rs.getDouble(3)));
        } catch (SQLException e) {
            LOG.debugf("cannot read the lanes' backlog: %s", e.toString());
            return;
        }
        lanes.keySet().retainAll(seen.keySet());
        lanes.putAll(seen);
    }
}
