package dev.longhaul.core.dispatch;

import dev.longhaul.core.job.JobMaintenance;
import dev.longhaul.core.job.LaneControls;
import dev.longhaul.core.job.Transition;
import dev.longhaul.core.message.Lanes;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The loop that keeps "nothing committed is stranded" true. Each pass runs three maintainers, each
 * in its own short transaction: it promotes due {@code SCHEDULED} jobs to {@code QUEUED}
 * ({@link Transition#PROMOTE}), lets the {@link Rescuer} take back running jobs whose lease
 * expired, and takes every queued job whose message RabbitMQ has not confirmed within the grace
 * period (RabbitMQ was down, or the process died between commit and publish); then it publishes
 * what they returned. The statements are in {@link JobMaintenance}: they take their rows with
 * {@code FOR UPDATE SKIP LOCKED} and stamp them, so any number of instances can run this loop
 * without sending the same job twice in one grace period.
 */
@ApplicationScoped
public class DuePublisher {
    private static final Logger LOG = Logger.getLogger(DuePublisher.class);

    @Inject
    JobMaintenance maintenance;
    @Inject
    Rescuer rescuer;
    @Inject
    JobPublisher publisher;
    @Inject
    DispatchConfig config;
    @Inject
    LaneDepths depths;
    @Inject
    DeadLetters deadLetters;
    @Inject
    LaneControls controls;
    @Inject
    LaneWaker waker;
    @Inject
    Settler settler;

    @Scheduled(every = "${longhaul.dispatch.republish-every:2s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (!config.republishEnabled()) {
            return;
        }
        try {
            int sent = runOnce();
            if (sent > 0) {
                LOG.infof("published %d due or unconfirmed jobs", sent);
            }
        } catch (RuntimeException e) {
            LOG.warnf("publishing due jobs failed, will try again: %s", e.toString());
        }
    }

    /** One pass; returns how many jobs it handed to the publisher. */
    public int runOnce() {
        List<JobRef> due = QuarkusTransaction.requiringNew().call(
                () -> maintenance.promoteDue(config.republishBatch(), JobRef::new));
        List<JobRef> rescued = QuarkusTransaction.requiringNew().call(rescuer::rescueExpired);
        List<JobRef> stale = QuarkusTransaction.requiringNew().call(
                () -> maintenance.takeUnconfirmed(config.republishGrace(), config.republishBatch(), JobRef::new));
        if (!due.isEmpty()) publisher.publish(due);
        if (!rescued.isEmpty()) {
            LOG.infof("re-queued %d running jobs whose lease expired", rescued.size());
            publisher.publish(rescued);
        }
        if (!stale.isEmpty()) publisher.publish(stale);
        List<JobRef> stranded = takeStranded();
        if (config.deadLetterOwner()) stranded.addAll(deadLetters.drain(config.republishBatch()));
        if (!stranded.isEmpty()) {
            LOG.infof("published again %d queued jobs whose message was lost (dead-lettered, or none ready in their lane for %d s)",
                    stranded.size(), config.staleAfter().toSeconds());
            publisher.publish(stranded);
        }
        waker.wakeIdleControlledLanes();
        // waiting jobs whose dependencies ended without settling them (a rescue, a crash in between)
        int released = settler.settleReady(config.republishBatch());
        return due.size() + rescued.size() + stale.size() + stranded.size() + released;
    }

    /**
     * Messages are hints: a queued job whose message is gone (dead-lettered while PostgreSQL was
     * down, say) would wait forever with its marker cleared. When a lane's queue holds nothing
     * ready, its jobs that waited longer than {@code stale-after} are published again.
     */
    private List<JobRef> takeStranded() {
        List<JobRef> stranded = new ArrayList<>();
        for (String lane : Lanes.ALL) {
            // a controlled lane's waiting jobs are woken by the lane waker, as its controls allow
            if (controls.of(lane).active() || depths.ready(Lanes.queueName(lane)) != 0) continue;
            stranded.addAll(QuarkusTransaction.requiringNew().call(
                    () -> maintenance.takeStale(lane, config.staleAfter(), config.republishBatch(), JobRef::new)));
        }
        return stranded;
    }
}
