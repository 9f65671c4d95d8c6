package dev.longhaul.scheduler.heartbeat;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;

/**
 * A trigger that proves the Quartz cluster fires: with the clustered JDBC store, each firing runs
 * on exactly one scheduler instance. Schedules proper build on the same store.
 */
@ApplicationScoped
public class Heartbeat {
    private static final Logger LOG = Logger.getLogger(Heartbeat.class);

    @Inject
    Clock clock;
    @Inject
    Scheduler quartz;

    private final AtomicReference<Instant> last = new AtomicReference<>();

    @Scheduled(identity = "longhaul-heartbeat", every = "${longhaul.scheduler.heartbeat:30s}")
    void beat() throws SchedulerException {
        Instant now = clock.instant();
        last.set(now);
        LOG.debugf("heartbeat on %s at %s", quartz.getSchedulerInstanceId(), now);
    }

    /** When this instance last fired the heartbeat, or null. */
    public Instant last() {
        return last.get();
    }
}
