package dev.longhaul.api.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code POST /api/jobs}. Only {@code kind} is required; {@code params} are checked
 * against the kind's params record.
 *
 * @param partitions how many key ranges the job runs as, each a child job on any worker (1 to 64;
 *                   export, report, bulk-update and email)
 * @param dependsOn  jobs that must succeed before this one runs; it waits in {@code WAITING}
 */
public record SubmitRequest(String kind, JsonNode params, String queue, Integer priority,
        OffsetDateTime runAt, Integer maxAttempts, Integer timeoutSeconds, String concurrencyKey, Integer concurrencyLimit,
        Integer partitions, List<UUID> dependsOn) {

    /** A request with no concurrency key. */
    public SubmitRequest(String kind, JsonNode params, String queue, Integer priority, OffsetDateTime runAt,
            Integer maxAttempts, Integer timeoutSeconds) {
        this(kind, params, queue, priority, runAt, maxAttempts, timeoutSeconds, null, null, null, null);
    }

    /**
     * The body of {@code POST /api/jobs/batch}.
     *
     * @param then a job to run once, after every job of the batch has ended, whatever its state
     */
    @Schema(name = "SubmitBatch")
    public record Batch(List<SubmitRequest> jobs, Then then) {
        public Batch(List<SubmitRequest> jobs) {
            this(jobs, null);
        }
    }

    /** A batch's callback job: it sees the counts of the batch's jobs by state. */
    @Schema(name = "BatchThen")
    public record Then(String kind, JsonNode params) {
    }
}
