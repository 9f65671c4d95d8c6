package dev.longhaul.core.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A validated request for a job: what {@link Job#submit} turns into a row.
 *
 * @param params         the kind's parameters, already validated against its params record
 * @param idempotencyKey the client's key, or null
 * @param requestHash    a hash of the normalized request, compared on an idempotent replay
 * @param timeoutSeconds how long one attempt may run; null for the kind's default
 * @param concurrencyKey jobs with the same key run at most {@code concurrencyLimit} at once; or null
 */
public record JobSpec(String kind, JsonNode params, String queue, int priority, Instant runAt,
        int maxAttempts, String idempotencyKey, String requestHash, Integer timeoutSeconds,
        String concurrencyKey, Integer concurrencyLimit) {

    /** A spec without a concurrency key. */
    public JobSpec(String kind, JsonNode params, String queue, int priority, Instant runAt, int maxAttempts,
            String idempotencyKey, String requestHash, Integer timeoutSeconds) {
        this(kind, params, queue, priority, runAt, maxAttempts, idempotencyKey, requestHash, timeoutSeconds, null, null);
    }

    /** A spec with its kind's default timeout. */
    public JobSpec(String kind, JsonNode params, String queue, int priority, Instant runAt, int maxAttempts,
            String idempotencyKey, String requestHash) {
        this(kind, params, queue, priority, runAt, maxAttempts, idempotencyKey, requestHash, null);
    }
}
