package dev.longhaul.scheduler.schedule;

import dev.longhaul.core.schedule.Crons;
import dev.longhaul.core.schedule.Schedule;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TimeZone;
import org.jboss.logging.Logger;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;

/**
 * Keeps Quartz's triggers in step with the {@code schedule} table, without a restart: a trigger
 * per enabled schedule, replaced when the schedule's version changes, removed when the schedule
 * is disabled or deleted. Quartz's clustered store makes one instance fire each trigger.
 */
@ApplicationScoped
public class Reconciler {
    static final String GROUP = "longhaul-schedules";
    private static final Logger LOG = Logger.getLogger(Reconciler.class);

    @Inject
    Scheduler quartz;
    @Inject
    EntityManager em;

    @Scheduled(identity = "longhaul-schedule-reconciler", every = "${longhaul.scheduler.reconcile-every:2s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        try {
            reconcile();
        } catch (Exception e) {
            LOG.warnf("reconciling schedules failed, will try again: %s", e.toString());
        }
    }

    public synchronized void reconcile() throws SchedulerException {
        List<Schedule> schedules = QuarkusTransaction.requiringNew().call(() ->
                em.createQuery("from Schedule where enabled = true", Schedule.class).getResultList());
        Set<TriggerKey> wanted = new HashSet<>();
        for (Schedule schedule : schedules) {
            TriggerKey key = TriggerKey.triggerKey(schedule.id().toString(), GROUP);
            wanted.add(key);
            // each schedule on its own: one that Quartz refuses is marked, and the others go on
            try {
                putOn(schedule, key);
                if (schedule.error() != null) recordError(schedule, null);
            } catch (Exception e) {
                String error = "the scheduler cannot run this schedule: " + e.getMessage();
                if (!error.equals(schedule.error())) {
                    LOG.warnf("schedule %s (%s): %s", schedule.name(), schedule.id(), e.getMessage());
                    recordError(schedule, error);
                }
            }
        }
        for (TriggerKey key : quartz.getTriggerKeys(GroupMatcher.triggerGroupEquals(GROUP))) {
            if (!wanted.contains(key)) {
                quartz.deleteJob(JobKey.jobKey(key.getName(), GROUP));
                LOG.infof("schedule %s is off", key.getName());
            }
        }
    }

    /** Adds or updates the schedule's Quartz trigger, unless it is up to date. */
    private void putOn(Schedule schedule, TriggerKey key) throws SchedulerException {
        Trigger existing = quartz.getTrigger(key);
        String version = String.valueOf(schedule.version());
        if (existing != null && version.equals(existing.getJobDataMap().getString("version"))) return;
        Trigger trigger = trigger(schedule, key, version);
        if (existing == null) {
            JobDetail job = JobBuilder.newJob(FireSchedule.class)
                    .withIdentity(JobKey.jobKey(schedule.id().toString(), GROUP))
                    .usingJobData(FireSchedule.SCHEDULE_ID, schedule.id().toString())
                    .storeDurably()
                    .build();
            quartz.addJob(job, true);
            quartz.scheduleJob(trigger);
            LOG.infof("schedule %s (%s, %s) is on", schedule.name(), schedule.cron(), schedule.timezone());
        } else {
            quartz.rescheduleJob(key, trigger);
            LOG.infof("schedule %s changed: now %s in %s", schedule.name(), schedule.cron(), schedule.timezone());
        }
    }

    private void recordError(Schedule schedule, String error) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "update longhaul.schedule set error = ?1 where id = ?2").setParameter(1, error)
                .setParameter(2, schedule.id()).executeUpdate());
    }

    private static Trigger trigger(Schedule schedule, TriggerKey key, String version) {
        // through ZoneId: TimeZone.getTimeZone("+02:00") is silently GMT, ZoneId knows offsets
        CronScheduleBuilder cron = CronScheduleBuilder.cronSchedule(schedule.cron())
                .inTimeZone(TimeZone.getTimeZone(Crons.zone(schedule.timezone())));
        cron = schedule.misfire() == Schedule.Misfire.fireOnce
                ? cron.withMisfireHandlingInstructionFireAndProceed()
                : cron.withMisfireHandlingInstructionDoNothing();
        return TriggerBuilder.newTrigger()
                .withIdentity(key)
                .forJob(JobKey.jobKey(schedule.id().toString(), GROUP))
                .usingJobData("version", version)
                .withSchedule(cron)
                .build();
    }
}
