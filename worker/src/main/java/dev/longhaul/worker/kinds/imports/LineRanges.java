package dev.longhaul.worker.kinds.imports;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.longhaul.core.artifact.UploadStore;
import dev.longhaul.core.chunk.Checkpoint;
import dev.longhaul.core.chunk.Fence;
import dev.longhaul.core.csv.CsvReader;
import dev.longhaul.core.dataset.Column;
import dev.longhaul.core.dataset.Dataset;
import dev.longhaul.core.kind.builtin.ImportKind;
import dev.longhaul.core.sql.DatabaseErrors;
import dev.longhaul.worker.run.Chunks;
import dev.longhaul.worker.run.Failure;
import dev.longhaul.worker.run.JobContext;
import dev.longhaul.worker.run.PlatformThreads;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.FutureTask;
import org.jboss.logging.Logger;

/**
 * The phase {@code ranges} of an import with {@code onError: skip}: the file goes in one range of
 * lines at a time, each read from the checkpoint's byte offset, checked in Java and written in one
 * transaction together with its rejections and the next checkpoint. A worker killed in a range
 * leaves nothing of it, and the next one starts the range again: no line goes in twice.
 * <ul>
 * <li><b>insert</b>: the good rows COPY straight into the target, as psql's {@code \copy} would.
 * A range the database refuses (a key that exists or repeats, a CHECK, a foreign key) is rolled
 * back and done again through staging, where each refused row is found and rejected by line.
 * <li><b>upsert</b>: the good rows COPY (binary) into a temporary table that lives as long as the
 * range's transaction, then go into the target with one {@code INSERT … ON CONFLICT}. The next
 * range is staged on a second connection while one merges.
 * </ul>
 * More than {@code maxErrors} rejections stop the import at the range that passes the limit; the
 * ranges before it stay.
 */
final class LineRanges {
    private static final Logger LOG = Logger.getLogger(LineRanges.class);
    /** Lines per range: per transaction, per checkpoint. */
    static final int RANGE_ROWS = 100_000;

    /** Where the walk stands: the last committed checkpoint, and whether the file is done. */
    record Progress(Checkpoint checkpoint, boolean ended) {
    }

    private final JobContext<ImportKind.Params> context;
    private final UploadStore uploads;
    private final Chunks chunks;
    private final Fence fence;
    private final ObjectMapper mapper;
    private final Dataset dataset;
    private final TargetTable target;
    private final Column key;
    /** How long a range staged ahead may wait for its merge; the server ends transactions idle for 60 s. */
    private final Duration stagedIdleLimit;

    LineRanges(JobContext<ImportKind.Params> context, UploadStore uploads, Chunks chunks, Fence fence, ObjectMapper mapper,
            Dataset dataset, TargetTable target, Column key, Duration stagedIdleLimit) {
        this.context = context;
        this.uploads = uploads;
        this.chunks = chunks;
        this.fence = fence;
        this.mapper = mapper;
        this.dataset = dataset;
        this.target = target;
        this.key = key;
        this.stagedIdleLimit = stagedIdleLimit;
    }

    /**
     * Ranges until the file ends, the slice is over or a cancel comes. Returns where the walk
     * stands, or null if the lease was lost.
     */
    Progress run(Checkpoint checkpoint) throws Exception {
        try (Reading reading = new Reading()) {
            if (context.params().mode() == ImportKind.Mode.UPSERT) return upsert(checkpoint, reading);
            while (!context.sliceOver() && !context.cancelRequested()) {
                Progress progress = insert(checkpoint, reading);
                if (progress == null || progress.ended()) return progress;
                checkpoint = progress.checkpoint();
            }
        }
        return new Progress(checkpoint, false);
    }

    /**
     * The upload, read on from one range to the next; reopened at a range's start only when the
     * range must be read again, so each part of the file is fetched once.
     */
    private final class Reading implements AutoCloseable {
        private InputStream in;
        private CsvReader reader;
        /** Where {@link #reader} stands; -1 when it must be reopened. */
        private long offset = -1;

        /** The file from byte {@code at}, the start of line {@code line}. */
        CsvReader at(long at, long line) throws Exception {
            if (at != offset) {
                close();
                in = uploads.open(context.params().upload(), at);
                reader = new CsvReader(in, at, line);
            }
            offset = -1; // until the range that reads on is done with it
            return reader;
        }

        /** The last range read up to {@code end}, and the next may read on from there. */
        void readTo(long end) {
            offset = end;
        }

        @Override
        public void close() throws Exception {
            if (in != null) in.close();
            in = null;
            offset = -1;
        }
    }

    /** One insert range in one transaction; null if the lease was lost, and then nothing of it stays. */
    private Progress insert(Checkpoint checkpoint, Reading reading) throws Exception {
        long offset = checkpoint.state().get("offset").asLong();
        long line = checkpoint.state().get("line").asLong();
        long t0 = System.nanoTime();
        Instant began = context.clock().instant();
        try (Connection connection = chunks.transaction()) {
            try {
                Batch batch;
                long[] counts;
                try {
                    batch = copyIntoTarget(connection, reading.at(offset, line), offset, line);
                    counts = new long[] {batch.good(), 0, 0};
                } catch (SQLException e) {
                    if (!DatabaseErrors.permanent(e)) throw e; // a data or integrity error is a row's fault
                    connection.rollback();
                    // the range again, through staging, where each refused row is found by line
                    Staged staged = stage(connection, reading, offset, line);
                    counts = merge(staged, false);
                    batch = staged.batch();
                }
                reading.readTo(batch.end());
                return commit(connection, checkpoint, batch, counts, t0, began);
            } catch (Exception e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /** A range read from the file and staged in its transaction on {@code connection}, not yet merged. */
    private record Staged(Connection connection, Staging staging, Batch batch, long line, long stagedAt) {
        /** Rolls the range back and returns its connection. */
        void abandon() throws SQLException {
            rollbackAndClose(connection);
        }
    }

    /**
     * Upsert ranges, two in flight: while one range merges, the next is read from the file and
     * staged on a second connection in a transaction of its own, so that the Java checks and the
     * COPY of one range overlap with the database's merge of the other (they were a tenth of a
     * range's time). Ranges still merge and commit one at a time in file order, each with its
     * checkpoint, so a key that several ranges repeat ends with its last line.
     */
    private Progress upsert(Checkpoint checkpoint, Reading reading) throws Exception {
        if (context.sliceOver() || context.cancelRequested()) return new Progress(checkpoint, false);
        long t0 = System.nanoTime();
        Instant began = context.clock().instant();
        Staged current = stageAlone(reading, checkpoint.state().get("offset").asLong(), checkpoint.state().get("line").asLong());
        while (true) {
            Staged staged = current;
            FutureTask<Staged> next = null;
            if (!staged.batch().eof()) {
                next = PlatformThreads.start("import-stage-" + context.jobId(),
                        () -> stageAlone(reading, staged.batch().end(), staged.batch().nextLine()));
            }
            Progress progress;
            try (Connection connection = staged.connection()) {
                try {
                    progress = commit(connection, checkpoint, staged.batch(), merge(staged, true), t0, began);
                } catch (Exception e) {
                    try {
                        connection.rollback();
                    } finally {
                        // the range staged ahead gives its connection back even if this one broke
                        discard(next, e);
                    }
                    throw e;
                }
            }
            if (progress == null || next == null || context.sliceOver() || context.cancelRequested()) {
                discard(next, null);
                return progress;
            }
            checkpoint = progress.checkpoint();
            t0 = System.nanoTime();
            began = context.clock().instant();
            current = PlatformThreads.join(next);
            long waited = System.nanoTime() - current.stagedAt();
            if (waited > stagedIdleLimit.toNanos()) {
                // the merge took long (a refused range redone by line): a transaction idle that
                // long may have been ended by the server, so the range is staged again
                LOG.infof("job %s: the range from line %d waited %d ms for its merge; staging it again", context.jobId(),
                        current.line(), waited / 1_000_000);
                try {
                    current.abandon();
                } catch (SQLException ended) {
                    // the server ended it, as feared: nothing of it remains
                }
                current = stageAlone(reading, staged.batch().end(), staged.batch().nextLine());
            }
        }
    }

    /** Stages a range on a connection of its own, in a transaction left open for its merge. */
    private Staged stageAlone(Reading reading, long offset, long line) throws Exception {
        Connection connection = chunks.transaction();
        try {
            Staged staged = stage(connection, reading, offset, line);
            reading.readTo(staged.batch().end());
            return staged;
        } catch (Exception e) {
            rollbackAndClose(connection);
            throw e;
        }
    }

    private static void rollbackAndClose(Connection connection) throws SQLException {
        try {
            connection.rollback();
        } finally {
            connection.close();
        }
    }

    /** The range's good rows by binary COPY into a temporary table of its transaction. */
    private Staged stage(Connection connection, Reading reading, long offset, long line) throws Exception {
        Staging staging = Staging.forRange(context.jobId(), target.columns.size());
        staging.create(connection);
        try (Staging.Writer writer = staging.writer(connection)) {
            Batch batch = Batch.read(reading.at(offset, line), target, writer::add, RANGE_ROWS, offset, line);
            writer.end();
            return new Staged(connection, staging, batch, line, System.nanoTime());
        }
    }

    /** The staged rows into the target; returns inserted, updated and rejected. */
    private long[] merge(Staged staged, boolean upsert) throws SQLException {
        return new Merge(staged.staging(), dataset, target, key, upsert, context.jobId()).range(staged.connection(),
                List.of(Long.toString(staged.line() - 1)), List.of(Long.toString(staged.batch().nextLine() - 1)));
    }

    /** The staged range that runs ahead, its failure aside: it is rolled back, and its connection returned. */
    private static void discard(FutureTask<Staged> next, Exception cause) {
        if (next == null) return;
        try {
            PlatformThreads.join(next).abandon();
        } catch (Exception e) {
            if (cause != null) cause.addSuppressed(e);
        }
    }

    /**
     * The range's rejections, counts and checkpoint, committed together; null if the lease was
     * lost. {@code t0} and {@code began}: when the range's own time began, for its rate.
     */
    private Progress commit(Connection connection, Checkpoint checkpoint, Batch batch, long[] counts, long t0, Instant began)
            throws Exception {
        ObjectNode state = checkpoint.state().deepCopy();
        long offset = state.get("offset").asLong();
        long line = state.get("line").asLong();
        Rejections.record(connection, context.jobId(), batch.badLines(), batch.reasons());
        state.put("offset", batch.end());
        state.put("line", batch.nextLine());
        state.put("staged", state.get("staged").asLong() + batch.good());
        state.put("inserted", state.get("inserted").asLong() + counts[0]);
        state.put("updated", state.get("updated").asLong() + counts[1]);
        state.put("rejected", state.get("rejected").asLong() + batch.badLines().size() + counts[2]);
        failIfTooMany(connection, state, line);
        // the rate is in bytes of the file a second, as progress counts them, smoothed as the chunk engine does
        double rangeRate = (batch.end() - offset) / Math.max(1e-6, (System.nanoTime() - t0) / 1e9);
        Double rate = checkpoint.rate() == null ? rangeRate : 0.7 * checkpoint.rate() + 0.3 * rangeRate;
        Checkpoint next = new Checkpoint(null, batch.end(), checkpoint.total(), checkpoint.chunkSize(), rate, state);
        long t1 = System.nanoTime();
        if (!fence.checkpoint(connection, mapper.writeValueAsString(next), batch.end(), next.total(), "bytes", rate)) {
            connection.rollback();
            return null;
        }
        connection.commit();
        chunks.chunk(context, batch.rows(), began, Duration.ofNanos(System.nanoTime() - t0));
        if (LOG.isDebugEnabled()) {
            LOG.debugf("job %s: range of %d lines in %d ms, checkpoint and commit %d ms", context.jobId(), batch.rows(),
                    (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
        }
        return new Progress(next, batch.eof());
    }

    /** The range's good rows by COPY into the target; the database refusing any fails it all. */
    private Batch copyIntoTarget(Connection connection, CsvReader reader, long offset, long line) throws Exception {
        try (TargetCopy copy = TargetCopy.open(connection, dataset.table(), target.columns)) {
            Batch batch = Batch.read(reader, target, (n, values) -> copy.add(values), RANGE_ROWS, offset, line);
            copy.end();
            return batch;
        }
    }

    /** More than maxErrors rejected: the job fails, and this range (from {@code line} on) with it. */
    private void failIfTooMany(Connection connection, ObjectNode state, long line) throws SQLException {
        int max = context.params().maxErrorsOrDefault();
        if (state.get("rejected").asLong() <= max) return;
        String first = Rejections.first(connection, context.jobId());
        connection.rollback();
        throw new Failure.Discard("more than maxErrors (" + max + ") rows are rejected, so the import stopped at line " + line
                + "; the rows of the lines before it stay; the first rejected: " + first);
    }
}
