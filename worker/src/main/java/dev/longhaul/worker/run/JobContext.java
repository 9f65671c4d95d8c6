package dev.longhaul.worker.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.longhaul.core.chunk.KeyRange;
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
 * @param sliceDeadline when the handler should return {@link Outcome.Continue} at the latest; read it
 *                      often, it comes at once when the worker drains for shutdown
 * @param stopFlag      true once the worker drains: the slice ends at the next chunk
 * @param partition     the key range this job runs, when it is a partition of a partitioned job; else null
 * @param dependencies  the counts by state of the jobs this one waited for ({@code dependsOn}, a
 *                      batch's {@code then}), as they were when it was released; else null
 */
public record JobContext<P>(UUID jobId, String kind, UUID leaseToken, P params, int attempt, JsonNode checkpoint,
        Instant startedAt, Instant asOf, Instant sliceDeadline, Clock clock, BooleanSupplier cancelFlag,
        BooleanSupplier stopFlag, KeyRange partition, JsonNode dependencies) {

    /** The deadline given at the start of the slice; once the worker drains, one long past. */
    @Override
    public Instant sliceDeadline() {
        return stopFlag.getAsBoolean() ? Instant.EPOCH : sliceDeadline;
    }

    /** True once someone asked to cancel the job; stop at the next chunk boundary. */
    public boolean cancelRequested() {
        return cancelFlag.getAsBoolean();
    }

    public boolean sliceOver() {
        return !clock.instant().isBefore(sliceDeadline());
    }
}
