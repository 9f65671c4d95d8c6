package dev.longhaul.worker.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * What a handler knows of the job it runs.
 *
 * @param leaseToken    this run's lease token; chunked work fences its commits on it
 * @param asOf          the instant the job is "for": its schedule slot, or its creation
 * @param checkpoint    what the previous slice returned with {@link Outcome.Continue}, or null on the first
 * @param sliceDeadline when the handler should return {@link Outcome.Continue} at the latest
 */
public record JobContext<P>(UUID jobId, UUID leaseToken, P params, int attempt, JsonNode checkpoint,
        Instant startedAt, Instant asOf, Instant sliceDeadline, Clock clock, BooleanSupplier cancelFlag) {

    /** True once someone asked to cancel the job; stop at the next chunk boundary. */
    public boolean cancelRequested() {
        return cancelFlag.getAsBoolean();
    }

    public boolean sliceOver() {
        return !clock.instant().isBefore(sliceDeadline);
    }
}
