package dev.longhaul.api.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * The body of {@code POST /api/jobs}. Only {@code kind} is required; {@code params} are checked
 * against the kind's params record.
 */
public record SubmitRequest(String kind, JsonNode params, String queue, Integer priority,
        OffsetDateTime runAt, Integer maxAttempts, Integer timeoutSeconds) {

    /** The body of {@code POST /api/jobs/batch}. */
    public record Batch(List<SubmitRequest> jobs) {
    }
}
