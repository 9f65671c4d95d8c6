package dev.longhaul.scheduler.schedule;

import dev.longhaul.core.dispatch.JobPublisher;
import dev.longhaul.core.dispatch.JobRef;
import dev.longhaul.core.job.Job;
import dev.longhaul.core.job.JobSpec;
import dev.longhaul.core.job.JobStore;
import dev.longhaul.core.kind.KindSpec;
import dev.longhaul.core.kind.Kinds;
import dev.longhaul.core.schedule.Crons;
import dev.longhaul.core.schedule.Schedule;
import io.quarkus.arc.Unremovable;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.quartz.CronExpression;

/**
 * What a fire of a schedule does, in one transaction under a lock on the schedule's row: record
 * the slots missed since the last run as skipped, claim this slot in {@code schedule_run} (a
 * second fire for the same slot, from any instance, finds it taken and does nothing), apply the
 * overlap policy, and create the slot's job. A {@code fireOnce} schedule whose catch-up fire
 * was lost gets it from its next on-time fire, for the latest missed slot, before its own slot.
 * The jobs are published after the commit.
 */
@ApplicationScoped
@Unremovable // looked up by FireSchedule, which Quartz instantiates
public class Slots {
    private static final Logger LOG = Logger.getLogger(Slots.class);
    private static final int MAX_RECORDED_MISSES = 10_000;

    @Inject
    EntityManager em;
    @Inject
    JobStore store;
    @Inject
    Kinds kinds;
    @Inject
    JobPublisher publisher;
    @Inject
    Clock clock;
    @ConfigProperty(name = "longhaul.scheduler.reconcile-every", defaultValue = "2s")
    Duration reconcileEvery;
    @ConfigProperty(name = "quarkus.quartz.misfire-threshold", defaultValue = "5s")
    Duration misfireThreshold;

    /** The outcome of one fire, for logs and tests. */
    public enum Outcome { CREATED, DUPLICATE, SKIPPED_OVERLAP, GONE }

    private record Decision(Outcome outcome, List<JobRef> jobs) {
        static Decision of(Outcome outcome) {
            return new Decision(outcome, List.of());
        }
    }

    public Outcome fire(UUID scheduleId, Instant fireTime) {
        Decision decision = QuarkusTransaction.requiringNew().call(() -> decide(scheduleId, fireTime));
        if (!decision.jobs().isEmpty()) {
            publisher.publish(decision.jobs());
        }
        return decision.outcome();
    }

    private Decision decide(UUID scheduleId, Instant fireTime) {
        Schedule schedule = em.find(Schedule.class, scheduleId, LockModeType.PESSIMISTIC_WRITE);
        if (schedule == null || !schedule.enabled()) return Decision.of(Outcome.GONE);
        CronExpression cron = Crons.parse(schedule.cron(), schedule.timezone());
        Instant last = lastSlot(scheduleId);
        // a catch-up fire happens "now": name it by the latest cron slot at or before now (cron
        // slots are whole seconds; isSatisfiedBy ignores the milliseconds)
        Instant slot = cron.isSatisfiedBy(Date.from(fireTime)) ? fireTime.truncatedTo(ChronoUnit.SECONDS)
                : Crons.latestAtOrBefore(cron, last != null ? last : fireTime.minusSeconds(86_400), fireTime);
        if (slot == null) {
            // no slot of the cron since the last run (the cron changed since, say): nothing to catch up
            if (last != null) return Decision.of(Outcome.DUPLICATE);
            slot = fireTime;
        }
        if (last != null && !slot.isAfter(last)) {
            return Decision.of(Outcome.DUPLICATE);
        }
        // an on-time fire comes at its slot to the millisecond; a misfire catch-up comes "now"
        // (one whose "now" falls on a slot to the millisecond counts as on time, and the
        // owed catch-up below stands in for it)
        boolean catchUp = !slot.equals(fireTime);
        List<Instant> missed = last == null ? List.of() : Crons.between(cron, last, slot, MAX_RECORDED_MISSES);
        Instant owed = last == null || catchUp ? null : owedCatchUp(schedule, cron, last, slot);
        for (Instant m : missed) {
            if (!m.equals(owed)) record(scheduleId, m, "skipped-misfire", false);
        }
        if (!record(scheduleId, slot, "created", catchUp)) return Decision.of(Outcome.DUPLICATE);
        boolean skipOverlaps = schedule.overlap() == Schedule.Overlap.skip;
        boolean overlapping = skipOverlaps && store.hasActiveJob(scheduleId);
        List<JobRef> jobs = new ArrayList<>(1);
        if (owed != null) {
            // as if the lost catch-up had fired just before this fire: the overlap policy
            // applies to it, and then to this slot with the catch-up's job active
            boolean claimed = record(scheduleId, owed, overlapping ? "skipped-overlap" : "created", true);
            if (claimed && !overlapping) {
                jobs.add(createJob(schedule, owed, fireTime, true));
                overlapping = skipOverlaps;
            }
        }
        if (overlapping) {
            em.createNativeQuery("update longhaul.schedule_run set outcome = 'skipped-overlap' where schedule_id = ?1 and scheduled_for = ?2")
                    .setParameter(1, scheduleId).setParameter(2, slot).executeUpdate();
            LOG.infof("schedule %s: slot %s skipped, the previous job is still active", schedule.name(), slot);
            return new Decision(Outcome.SKIPPED_OVERLAP, jobs);
        }
        jobs.add(createJob(schedule, slot, fireTime, catchUp));
        return new Decision(Outcome.CREATED, jobs);
    }

    /**
     * With misfire {@code fireOnce}, the latest slot missed since the last run is owed a catch-up
     * when this fire is on time and no catch-up fire came before it: Quartz's own catch-up can be
     * lost (its fire failed, or the restarted cluster went straight to the next slot). Slots from
     * before the schedule's last change, or within {@link #changeGrace} after it (while the
     * instances' triggers catch up with the change), are owed nothing. Null if none is owed.
     */
    private Instant owedCatchUp(Schedule schedule, CronExpression cron, Instant last, Instant slot) {
        if (schedule.misfire() != Schedule.Misfire.fireOnce) return null;
        Instant latest = Crons.latestBefore(cron, last, slot);
        return latest != null && latest.isAfter(schedule.updatedAt().plus(changeGrace())) ? latest : null;
    }

    /** How long after a schedule's change its triggers may still run on the old one. */
    private Duration changeGrace() {
        return reconcileEvery.plus(misfireThreshold);
    }

    private JobRef createJob(Schedule schedule, Instant slot, Instant fireTime, boolean catchUp) {
        KindSpec<?> kind = kinds.find(schedule.jobKind()).orElseThrow(() ->
                new IllegalStateException("schedule " + schedule.name() + ": unknown kind " + schedule.jobKind()));
        kinds.parse(kind, schedule.jobParams());
        String queue = schedule.jobQueue() != null ? schedule.jobQueue() : kind.defaultQueue();
        JobSpec spec = new JobSpec(schedule.jobKind(), schedule.jobParams(), queue, 0, null, kind.defaultMaxAttempts(), null, null);
        Job job = Job.forSlot(spec, schedule.id(), slot, schedule.tenant(), clock);
        store.insert(job);
        em.flush();
        em.createNativeQuery("update longhaul.schedule_run set job_id = ?1 where schedule_id = ?2 and scheduled_for = ?3")
                .setParameter(1, job.id()).setParameter(2, schedule.id()).setParameter(3, slot).executeUpdate();
        if (catchUp) {
            LOG.infof("schedule %s: catch-up job %s at %s for the missed slot %s", schedule.name(), job.id(), fireTime, slot);
        } else {
            LOG.debugf("schedule %s: job %s for slot %s", schedule.name(), job.id(), slot);
        }
        return new JobRef(job.id(), job.queue());
    }

    private Instant lastSlot(UUID scheduleId) {
        // runs fired by hand are not slots: they neither take nor skip one
        Object value = em.createNativeQuery("select max(scheduled_for) from longhaul.schedule_run where schedule_id = ?1 and not manual")
                .setParameter(1, scheduleId).getSingleResult();
        return value == null ? null : value instanceof java.sql.Timestamp t ? t.toInstant() : (Instant) value;
    }

    private boolean record(UUID scheduleId, Instant slot, String outcome, boolean catchUp) {
        return em.createNativeQuery("""
                insert into longhaul.schedule_run (schedule_id, scheduled_for, outcome, at, catch_up)
                values (?1, ?2, ?3, ?4, ?5) on conflict do nothing""")
                .setParameter(1, scheduleId).setParameter(2, slot).setParameter(3, outcome)
                .setParameter(4, clock.instant()).setParameter(5, catchUp).executeUpdate() == 1;
    }
}
