package dev.longhaul.api.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import dev.longhaul.core.schedule.Schedule;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A schedule as the API shows it, with its next fire times and its last run; {@code error} says
 * why the scheduler could not put it on, or is null.
 */
public record ScheduleView(UUID id, String name, String cron, String timezone, JobTemplate job, String misfire,
        String overlap, boolean enabled, List<Instant> nextFireTimes, LastRun lastRun, Instant createdAt,
        Instant updatedAt, String tenant, String error) {

    /** A page; {@code next} is the {@code after} of the following page, or null at the end. */
    public record Page(List<ScheduleView> items, String next) {
    }

    public record JobTemplate(String kind, JsonNode params, String queue) {
    }

    /**
     * @param outcome created, skipped-overlap or skipped-misfire
     * @param catchUp a misfire catch-up (misfire fireOnce) for a slot missed while no scheduler
     *                ran, made at the restart or, were that fire lost, at the next on-time fire
     * @param manual  fired by hand ({@code POST /api/schedules/{id}/trigger}), outside the cron's slots
     */
    public record LastRun(Instant scheduledFor, String outcome, UUID jobId, Instant at, boolean catchUp, boolean manual) {
    }

    static ScheduleView of(Schedule s, List<Instant> next, LastRun last) {
        return new ScheduleView(s.id(), s.name(), s.cron(), s.timezone(),
                new JobTemplate(s.jobKind(), s.jobParams(), s.jobQueue()), s.misfire().name(), s.overlap().name(),
                s.enabled(), next, last, s.createdAt(), s.updatedAt(), s.tenant(), s.error());
    }
}
