package dev.longhaul.core.message;

import java.util.UUID;

/**
 * The body of a job message: only a reference. Parameters and state stay in PostgreSQL, which
 * decides whether a delivery is acted on.
 *
 * @param jobId       the job to run
 * @param leaseHint   the lease token the sender last saw, or null; informational only
 * @param traceparent W3C trace context of the submitter, or null
 */
public record JobMessage(UUID jobId, UUID leaseHint, String traceparent) {
    public static JobMessage of(UUID jobId) {
        return new JobMessage(jobId, null, null);
    }
}
