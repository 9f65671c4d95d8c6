package dev.longhaul.scheduler.schedule;

import io.quarkus.arc.Arc;
import java.util.UUID;
import org.quartz.Job;
import org.quartz.JobExecutionContext;

/**
 * The Quartz job behind every schedule's trigger. Quartz instantiates it; the work is done by
 * {@link Slots} with the trigger's scheduled fire time as the slot.
 */
public class FireSchedule implements Job {
    static final String SCHEDULE_ID = "scheduleId";

    @Override
    public void execute(JobExecutionContext context) {
        UUID scheduleId = UUID.fromString(context.getMergedJobDataMap().getString(SCHEDULE_ID));
        Arc.container().instance(Slots.class).get().fire(scheduleId, context.getScheduledFireTime().toInstant());
    }
}
