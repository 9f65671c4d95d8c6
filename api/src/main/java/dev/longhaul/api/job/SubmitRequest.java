package dev.longhaul.api.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code POST /api/jobs}. Only {@code kind} is required; {@code params} are checked
 * against the kind's params record.
 */
public record SubmitRequest(String kind, JsonNode params, String queue, Integer priority,
        OffsetDateTime runAt, Integer maxAttempts, Integer timeoutSeconds, String concurrencyKey, Integer concurrencyLimit) {

    /** A request with no concurrency key. */
    public SubmitRequest(String kind, JsonNode params, String queue, Integer priority, OffsetDateTime runAt,
            Integer maxAttempts, Integer timeoutSeconds) {
        this(kind, params, queue, priority, runAt, maxAttempts, timeoutSeconds, null, null);
    }

    /** The body of {@code POST /api/jobs/batch}. */
    @Schema(name = "SubmitBatch")
    public record Batch(List<SubmitRequest> jobs) {
    }
}
