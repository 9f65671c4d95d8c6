package dev.longhaul.api.schedule;

import dev.longhaul.api.job.SubmitRequest;

/**
 * The body of {@code POST /api/schedules} and {@code PUT /api/schedules/{id}}.
 *
 * @param cron     Quartz syntax with seconds, e.g. {@code 0 0 2 * * ?} for 02:00 every day
 * @param timezone an IANA zone the cron is read in
 * @param job      the job each slot creates, validated like a submit ({@code runAt} is not allowed)
 * @param misfire  {@code fireOnce} (default: one catch-up run after downtime) or {@code skip}
 * @param overlap  {@code skip} (default: no new job while the previous one is active) or {@code allow}
 */
public record ScheduleRequest(String name, String cron, String timezone, SubmitRequest job, String misfire,
        String overlap, Boolean enabled) {
}
