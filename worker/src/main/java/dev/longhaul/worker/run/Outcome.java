package dev.longhaul.worker.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** How a slice of a job ended. */
public sealed interface Outcome {
    /** The job is complete; {@code result} (may be null) is stored on it. */
    record Done(JsonNode result) implements Outcome {
    }

    /** The slice ended with work left: re-queue the job with this checkpoint. */
    record Continue(JsonNode checkpoint) implements Outcome {
    }

    /**
     * Run again after {@code delay}, from {@code checkpoint} (the slice's own checkpoint when null),
     * using no attempt: for work that is not ready yet, such as a rate-limited remote service.
     */
    record Snooze(Duration delay, JsonNode checkpoint) implements Outcome {
        public Snooze {
            if (delay.isNegative()) throw new IllegalArgumentException("a snooze cannot be negative");
        }

        public Snooze(Duration delay) {
            this(delay, null);
        }
    }

    /**
     * The job waits ({@code WAITING}) for the jobs it made, a partitioned job for its children;
     * already recorded. Only {@link Partitions} returns it.
     */
    record Parked() implements Outcome {
    }

    /** The handler saw the cancel request and stopped. */
    record Cancelled() implements Outcome {
    }
}
