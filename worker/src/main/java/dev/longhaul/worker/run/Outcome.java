package dev.longhaul.worker.run;

import com.fasterxml.jackson.databind.JsonNode;

/** How a slice of a job ended. */
public sealed interface Outcome {
    /** The job is complete; {@code result} (may be null) is stored on it. */
    record Done(JsonNode result) implements Outcome {
    }

    /** The slice ended with work left: re-queue the job with this checkpoint. */
    record Continue(JsonNode checkpoint) implements Outcome {
    }

    /** The handler saw the cancel request and stopped. */
    record Cancelled() implements Outcome {
    }
}
