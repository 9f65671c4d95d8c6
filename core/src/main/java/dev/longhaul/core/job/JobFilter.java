package dev.longhaul.core.job;

import java.time.Instant;

/**
 * Which jobs a person means: the dashboard's list filter, and the selection of a bulk action on
 * every matching job. Each field is optional (null matches everything).
 *
 * @param state          one state
 * @param kind           one kind
 * @param queue          one lane
 * @param tenant         one tenant, within the caller's scope
 * @param createdFrom    created at or after (ids are UUIDv7: this is a bound on the id)
 * @param createdBefore  created before
 * @param idempotencyKey the client's idempotency key
 */
public record JobFilter(JobState state, String kind, String queue, String tenant, Instant createdFrom,
        Instant createdBefore, String idempotencyKey) {

    /** Every job. */
    public static JobFilter none() {
        return new JobFilter(null, null, null, null, null, null, null);
    }
}
