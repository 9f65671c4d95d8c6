package dev.longhaul.core.dispatch;

import dev.longhaul.core.job.JobState;
import dev.longhaul.core.job.JobStore;
import dev.longhaul.core.job.Transition;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The loop that keeps "nothing committed is stranded" true: it promotes due {@code SCHEDULED} jobs
 * to {@code QUEUED}, re-queues running jobs whose lease expired, and publishes every queued job whose message RabbitMQ has not confirmed within
 * the grace period (RabbitMQ was down, or the process died between commit and publish). Each pass
 * takes its rows with {@code FOR UPDATE SKIP LOCKED} in a short transaction and stamps them, so any
 * number of instances can run it without sending the same job twice in one grace period.
 */
@ApplicationScoped
public class DuePublisher {
    private static final Logger LOG = Logger.getLogger(DuePublisher.class);

    @Inject
    EntityManager em;
    @Inject
    JobPublisher publisher;
    @Inject
    JobStore store;
    @Inject
    DispatchConfig config;
    @Inject
    Clock clock;

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
        List<JobRef> due = QuarkusTransaction.requiringNew().call(this::promoteDue);
        List<JobRef> rescued = QuarkusTransaction.requiringNew().call(this::rescueExpired);
        List<JobRef> stale = QuarkusTransaction.requiringNew().call(this::takeUnconfirmed);
        if (!due.isEmpty()) publisher.publish(due);
        if (!rescued.isEmpty()) {
            LOG.infof("re-queued %d running jobs whose lease expired", rescued.size());
            publisher.publish(rescued);
        }
        if (!stale.isEmpty()) publisher.publish(stale);
        return due.size() + rescued.size() + stale.size();
    }

    /** {@link Transition#PROMOTE} for every scheduled job whose {@code runAt} has come. */
    List<JobRef> promoteDue() {
        Instant now = clock.instant();
        return refs(em.createNativeQuery("""
                update longhaul.job set state = ?1, enqueued_at = ?2, to_publish = true, version = version + 1
                where id in (select id from longhaul.job
                             where state = ?3 and run_at <= ?2 and not cancel_requested
                             order by run_at limit ?4 for update skip locked)
                returning id, queue""")
                .setParameter(1, Transition.PROMOTE.to().name())
                .setParameter(2, now)
                .setParameter(3, JobState.SCHEDULED.name())
                .setParameter(4, config.republishBatch())
                .getResultList());
    }

    /**
     * {@link Transition#REQUEUE} for running jobs whose lease expired: their worker is presumed
     * dead. The checkpoint stays, so the next claim resumes the job, as a new attempt: a worker
     * that dies under a job may have died of it. A job that has used all its attempts so is
     * {@code FAILED} instead. The rescue is recorded in the job's history. Should the old owner
     * still be alive, its next fenced update finds a different (or no) lease token and changes
     * nothing.
     */
    List<JobRef> rescueExpired() {
        Instant now = clock.instant();
        List<?> rows = em.createNativeQuery("""
                update longhaul.job j set
                    -- a cancel request the dead owner never honoured ends the job here
                    state = case when j.cancel_requested then 'CANCELLED'
                                 when j.attempt >= j.max_attempts then 'FAILED' else ?1 end,
                    finished_at = case when j.cancel_requested or j.attempt >= j.max_attempts then cast(?2 as timestamptz) end,
                    error = case when not j.cancel_requested and j.attempt >= j.max_attempts
                                 then 'the lease of ' || expired.lease_owner || ' expired on the last attempt (' || j.attempt || ')'
                                 else j.error end,
                    enqueued_at = ?2, to_publish = not j.cancel_requested and j.attempt < j.max_attempts, resume = false,
                    lease_token = null, lease_owner = null, lease_expires_at = null, version = version + 1
                from (select id, lease_owner from longhaul.job
                      where state = ?3 and lease_expires_at < ?2
                      order by lease_expires_at limit ?4 for update skip locked) expired
                where j.id = expired.id
                returning j.id, j.queue, j.attempt, expired.lease_owner, j.state""")
                .setParameter(1, Transition.REQUEUE.to().name())
                .setParameter(2, now)
                .setParameter(3, JobState.RUNNING.name())
                .setParameter(4, config.republishBatch())
                .getResultList();
        for (Object row : rows) {
            Object[] r = (Object[]) row;
            boolean failed = "FAILED".equals(r[4]);
            store.event((UUID) r[0], failed ? "failed" : "rescued", ((Number) r[2]).intValue(), null,
                    "lease of " + r[3] + " expired" + (failed ? " on the last attempt" : ""));
        }
        return refs(rows.stream().filter(r -> "QUEUED".equals(((Object[]) r)[4])).toList());
    }

    /** Queued jobs still marked to publish after the grace period; stamps them as just sent. */
    List<JobRef> takeUnconfirmed() {
        Instant now = clock.instant();
        return refs(em.createNativeQuery("""
                update longhaul.job set enqueued_at = ?1
                where id in (select id from longhaul.job
                             where to_publish and state = ?2 and enqueued_at <= ?3
                             order by enqueued_at limit ?4 for update skip locked)
                returning id, queue""")
                .setParameter(1, now)
                .setParameter(2, JobState.QUEUED.name())
                .setParameter(3, now.minus(config.republishGrace()))
                .setParameter(4, config.republishBatch())
                .getResultList());
    }

    private static List<JobRef> refs(List<?> rows) {
        // the first two columns of each row are id and queue
        return rows.stream().map(r -> (Object[]) r).map(r -> new JobRef((UUID) r[0], (String) r[1])).toList();
    }
}
