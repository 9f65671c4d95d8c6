package dev.longhaul.core.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A validated request for a job: what {@link Job#submit} turns into a row.
 *
 * @param params         the kind's parameters, already validated against its params record
 * @param idempotencyKey the client's key, or null
 * @param requestHash    a hash of the normalized request, compared on an idempotent replay
 * @param timeoutSeconds how long one attempt may run; null for the kind's default
 * @param concurrencyKey jobs with the same key run at most {@code concurrencyLimit} at once; or null
 * @param partitions     how many key ranges the job runs as, each a child job; null for one
 * @param dependsOn      the jobs this one waits for ({@link JobState#WAITING}); empty for none
 */
public record JobSpec(String kind, JsonNode params, String queue, int priority, Instant runAt,
        int maxAttempts, String idempotencyKey, String requestHash, Integer timeoutSeconds,
        String concurrencyKey, Integer concurrencyLimit, Integer partitions, List<UUID> dependsOn) {

    public JobSpec {
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
    }

    /** A spec without partitions or dependencies. */
    public JobSpec(String kind, JsonNode params, String queue, int priority, Instant runAt, int maxAttempts,
            String idempotencyKey, String requestHash, Integer timeoutSeconds, String concurrencyKey,
            Integer concurrencyLimit) {
        this(kind, params, queue, priority, runAt, maxAttempts, idempotencyKey, requestHash, timeoutSeconds,
                concurrencyKey, concurrencyLimit, null, List.of());
    }

    /** The same job, waiting for {@code ids}. */
    public JobSpec dependingOn(List<UUID> ids) {
        return new JobSpec(kind, params, queue, priority, runAt, maxAttempts, idempotencyKey, requestHash,
                timeoutSeconds, concurrencyKey, concurrencyLimit, partitions, ids);
    }

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
