package dev.longhaul.core.chunk;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.longhaul.core.dataset.Dataset;
import dev.longhaul.core.dataset.Filter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Walks a dataset in key-range chunks, each in one short transaction: find the chunk's upper key,
 * let the {@link Step} read, process and write, then checkpoint through the {@link Fence} and
 * commit. No cursor or transaction outlives a chunk. The loop stops at the slice deadline, on a
 * cancel request, when the lease is lost, or when no key remains. A {@link #paced} loop waits
 * between chunks, holding no connection, so that it handles at most so many rows per second.
 *
 * <p>Not thread-safe; one loop runs one slice of one job.
 */
public final class ChunkLoop {
    private static final Logger LOG = Logger.getLogger(ChunkLoop.class);
    private static final String STATEMENT_TIMEOUT = "57014";

    /** One chunk's work. */
    @FunctionalInterface
    public interface Step {
        /**
         * Handles the rows with key in {@code (lo, hi]} on {@code connection}, inside the chunk's
         * transaction. {@code state} is a copy of the kind's checkpoint state, to update; it is kept
         * only if the chunk commits. If this throws, the chunk rolls back and nothing of it remains.
         *
         * @param lo     null for the first chunk
         * @param walked how many keys the range spans
         * @return the number of rows handled, for progress
         */
        long apply(Connection connection, List<String> lo, List<String> hi, int walked, ObjectNode state) throws Exception;
    }

    public enum End { DONE, SLICE_OVER, CANCELLED, LOST_LEASE }

    /** Told of each committed chunk: its rows, when it began and how long it took. */
    @FunctionalInterface
    public interface Observer {
        void chunk(long rows, Instant began, Duration took);
    }

    public record Result(End end, Checkpoint checkpoint) {
    }

    private final DataSource dataSource;
    private final ChunkSizer sizer;
    private final Fence fence;
    private final Clock clock;
    private final ObjectMapper mapper;
    private double rowsPerSecond;
    private Filter filter = Filter.NONE;
    private boolean lastChunkWhole;
    private Observer observer = (rows, began, took) -> { };

    public ChunkLoop(DataSource dataSource, ChunkSizer sizer, Fence fence, Clock clock, ObjectMapper mapper) {
        this.dataSource = dataSource;
        this.sizer = sizer;
        this.fence = fence;
        this.clock = clock;
        this.mapper = mapper;
    }

    /** Handles at most {@code rowsPerSecond} rows per second (as counted by the step), on average. */
    public ChunkLoop paced(double rowsPerSecond) {
        if (!(rowsPerSecond > 0)) throw new IllegalArgumentException("need a positive rate");
        this.rowsPerSecond = rowsPerSecond;
        return this;
    }

    /** Tells {@code observer} of every chunk committed (for meters and traces). */
    public ChunkLoop observed(Observer observer) {
        this.observer = observer;
        return this;
    }

    /**
     * Walks only the key range {@code filter} can match: its conditions on the key bound the
     * search for each chunk's upper key. The step still applies the whole filter itself.
     */
    public ChunkLoop within(Filter filter) {
        this.filter = filter;
        return this;
    }

    /**
     * Once the planner estimates that at most a chunk and a half of keys remain, walks them as
     * one last chunk up to the last key ({@link Keyset#lastBoundWithin}) rather than finding an
     * exact upper key, which reads every key of the chunk. For kinds whose chunk cost is mostly
     * fixed, such as exports; the step's {@code walked} is then the planner's estimate. Keys of
     * one column only (see there); after a statement timeout the loop goes back to exact bounds.
     */
    public ChunkLoop lastChunkWhole() {
        this.lastChunkWhole = true;
        return this;
    }

    /**
     * @param sliceDeadline read before every chunk: it may come sooner while the loop runs (a
     *                      worker draining for shutdown ends its slices at the next chunk)
     */
    public Result run(Dataset dataset, Checkpoint start, String unit, Step step, Supplier<Instant> sliceDeadline,
            BooleanSupplier cancelRequested) throws Exception {
        Checkpoint checkpoint = start;
        Filter onKey = filter.onKey(dataset);
        Instant began = clock.instant();
        // the rate counts everything between commits: pacing waits and the slice's own start too,
        // so a throttled job reports the rate it really keeps, and an ETA that holds
        Instant lastCommit = began;
        while (true) {
            Instant deadline = sliceDeadline.get();
            if (!clock.instant().isBefore(deadline)) return new Result(End.SLICE_OVER, checkpoint);
            if (cancelRequested.getAsBoolean()) return new Result(End.CANCELLED, checkpoint);
            if (rowsPerSecond > 0) {
                Instant due = began.plusNanos((long) ((checkpoint.done() - start.done()) / rowsPerSecond * 1e9));
                Duration wait = Duration.between(clock.instant(), due.isBefore(deadline) ? due : deadline);
                if (wait.isPositive()) {
                    // in short steps, so that a cancel request is seen while waiting
                    Thread.sleep(Math.min(250, Math.max(1, wait.toMillis())));
                    continue;
                }
            }
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                try {
                    Instant chunkBegan = clock.instant();
                    long t0 = System.nanoTime();
                    int size = checkpoint.chunkSize();
                    Keyset.Bound bound = lastChunkWhole
                            ? Keyset.lastBoundWithin(connection, dataset, checkpoint.lastKey(), size + size / 2, onKey) : null;
                    if (bound == null) bound = Keyset.nextBound(connection, dataset, checkpoint.lastKey(), size, onKey);
                    if (bound == null) {
                        connection.rollback();
                        // an estimated total becomes the exact count at the end
                        return new Result(End.DONE, new Checkpoint(checkpoint.lastKey(), checkpoint.done(),
                                checkpoint.done(), checkpoint.chunkSize(), checkpoint.rate(), checkpoint.state()));
                    }
                    ObjectNode state = checkpoint.state() == null ? mapper.createObjectNode() : checkpoint.state().deepCopy();
                    List<String> hi = bound.key();
                    long t1 = System.nanoTime();
                    long rows = step.apply(connection, checkpoint.lastKey(), hi, bound.rows(), state);
                    long t2 = System.nanoTime();
                    Duration took = Duration.ofNanos(System.nanoTime() - t0);
                    Duration sinceLast = Duration.between(lastCommit, clock.instant());
                    double chunkRate = rows / Math.max(1e-6, Math.max(took.toNanos(), sinceLast.toNanos()) / 1e9);
                    Double rate = checkpoint.rate() == null ? chunkRate : 0.7 * checkpoint.rate() + 0.3 * chunkRate;
                    // a paced loop keeps its pace on average: a chunk done in a burst before the
                    // wait it owes never reports more
                    if (rowsPerSecond > 0) rate = Math.min(rate, rowsPerSecond);
                    Checkpoint next = new Checkpoint(hi, checkpoint.done() + rows, checkpoint.total(),
                            sizer.next(checkpoint.chunkSize(), took), rate, state);
                    String json = mapper.writeValueAsString(next);
                    if (!fence.checkpoint(connection, json, next.done(), next.total(), unit, rate)) {
                        connection.rollback();
                        boolean cancelled = fence.cancelledWhileOwned(connection);
                        connection.rollback();
                        return new Result(cancelled ? End.CANCELLED : End.LOST_LEASE, checkpoint);
                    }
                    connection.commit();
                    lastCommit = clock.instant();
                    observer.chunk(rows, chunkBegan, took);
                    if (LOG.isDebugEnabled()) {
                        LOG.debugf("job %s: chunk of %d rows: bound %d ms, work %d ms, checkpoint and commit %d ms",
                                fence.jobId(), rows, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000,
                                (System.nanoTime() - t2) / 1_000_000);
                    }
                    checkpoint = next;
                } catch (SQLException e) {
                    connection.rollback();
                    if (STATEMENT_TIMEOUT.equals(e.getSQLState()) && checkpoint.chunkSize() > sizer.min()) {
                        // an estimate that let one last chunk grow too big would do so again
                        lastChunkWhole = false;
                        int smaller = sizer.halve(checkpoint.chunkSize());
                        LOG.infof("job %s: chunk of %d rows hit the statement timeout; retrying with %d",
                                fence.jobId(), checkpoint.chunkSize(), smaller);
                        checkpoint = checkpoint.withChunkSize(smaller);
                        continue;
                    }
                    throw e;
                } catch (Exception e) {
                    connection.rollback();
                    throw e;
                }
            }
        }
    }
}
