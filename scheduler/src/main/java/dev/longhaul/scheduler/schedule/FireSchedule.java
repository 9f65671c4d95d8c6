package dev.longhaul.scheduler.schedule;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
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
        // each fire starts a trace of its own, which the job it makes carries on to its worker
        Span span = Arc.container().instance(Tracer.class).get().spanBuilder("schedule fire").setNoParent()
                .setAttribute("longhaul.schedule.id", scheduleId.toString()).startSpan();
        try (Scope traced = span.makeCurrent()) {
            Slots.Outcome outcome = Arc.container().instance(Slots.class).get().fire(scheduleId, context.getScheduledFireTime().toInstant());
            span.setAttribute("longhaul.schedule.outcome", outcome.name().toLowerCase());
        } finally {
            span.end();
        }
    }
}
