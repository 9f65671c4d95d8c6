package dev.longhaul.core.dispatch;

import dev.longhaul.core.job.JobQueries;
import dev.longhaul.core.job.LaneControls;
import dev.longhaul.core.message.Lanes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Wakes workers for a controlled lane. A delivery in a lane that is paused or at its limit is
 * acked without a claim, so its job waits with no message; when room opens (a job of the lane
 * ends, the lane is resumed or its limit raised, the rate bucket refills) a message for the
 * lane's next jobs sends a worker to claim them. Messages are hints: a worker claims the lane's
 * best waiting job, whichever job the message names, and a surplus message is dropped.
 */
@ApplicationScoped
public class LaneWaker {
    private static final Logger LOG = Logger.getLogger(LaneWaker.class);

    @Inject
    JobQueries queries;
    @Inject
    LaneControls controls;
    @Inject
    JobPublisher publisher;
    @Inject
    LaneDepths depths;

    /** Publishes messages for up to {@code jobs} of the lane's next waiting jobs. */
    public void wake(String lane, int jobs) {
        try {
            List<UUID> next = queries.nextWaiting(lane, jobs);
            if (!next.isEmpty()) publisher.publishLater(next.stream().map(id -> new JobRef(id, lane)).toList());
        } catch (SQLException e) {
            LOG.debugf("cannot wake lane %s: %s", lane, e.toString());
        }
    }

    /** A job with a concurrency key ended: a message for the key's next waiting job, which may start now. */
    public void wakeKey(String key) {
        try {
            queries.nextWaitingWithKey(key).ifPresent(next -> publisher.publishLater(List.of(new JobRef(next.getKey(), next.getValue()))));
        } catch (SQLException e) {
            LOG.debugf("cannot wake the next job of a concurrency key: %s", e.toString());
        }
    }

    /**
     * The sweeper's pass: each controlled lane that is not paused and whose queue holds no message
     * gets messages for as many jobs as its limit allows at once (or a second's worth of its rate).
     */
    public void wakeIdleControlledLanes() {
        for (String lane : Lanes.ALL) {
            LaneControls.Control control = controls.of(lane);
            if (!control.active() || control.paused()) continue;
            if (depths.ready(Lanes.queueName(lane)) != 0) continue;
            int room = control.concurrency() != null ? control.concurrency()
                    : (int) Math.max(1, Math.min(1000, control.ratePerSecond()));
            wake(lane, Math.min(room, 1000));
        }
    }
}
