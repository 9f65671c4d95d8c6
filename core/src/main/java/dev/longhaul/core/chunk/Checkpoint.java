package dev.longhaul.core.chunk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Where a chunked job stands, as stored in {@code job.checkpoint}: the last key done, the rows
 * done and in total, the current chunk size and rate, and the job kind's own state (for example
 * the next artifact part). It is written only by {@link Fence}, in the transaction of the chunk it
 * describes.
 *
 * @param lastKey the key of the last row done, as text per key column; null before the first chunk
 */
public record Checkpoint(List<String> lastKey, long done, Long total, int chunkSize, Double rate, ObjectNode state) {

    public static Checkpoint start(Long total, int chunkSize, ObjectNode state) {
        return new Checkpoint(null, 0, total, chunkSize, null, state);
    }

    public Checkpoint withChunkSize(int size) {
        return new Checkpoint(lastKey, done, total, size, rate, state);
    }

    public JsonNode toJson(ObjectMapper mapper) {
        return mapper.valueToTree(this);
    }

    /** The checkpoint in a job's checkpoint column, or null if there is none yet. */
    public static Checkpoint from(JsonNode json, ObjectMapper mapper) {
        if (json == null || json.isNull() || !json.has("chunkSize")) return null;
        try {
            return mapper.treeToValue(json, Checkpoint.class);
        } catch (Exception e) {
            throw new IllegalStateException("unreadable checkpoint: " + e.getMessage(), e);
        }
    }
}
