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
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
 * range's transaction, then go into the target with one {@code INSERT … ON CONFLICT}.
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

    LineRanges(JobContext<ImportKind.Params> context, UploadStore uploads, Chunks chunks, Fence fence, ObjectMapper mapper,
            Dataset dataset, TargetTable target, Column key) {
        this.context = context;
        this.uploads = uploads;
        this.chunks = chunks;
        this.fence = fence;
        this.mapper = mapper;
        this.dataset = dataset;
        this.target = target;
        this.key = key;
    }

    /**
     * Ranges until the file ends, the slice is over or a cancel comes. Returns where the walk
     * stands, or null if the lease was lost.
     */
    Progress run(Checkpoint checkpoint) throws Exception {
        try (Reading reading = new Reading()) {
            while (!context.sliceOver() && !context.cancelRequested()) {
                Progress progress = range(checkpoint, reading);
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

    /** One range in one transaction; null if the lease was lost, and then nothing of it stays. */
    private Progress range(Checkpoint checkpoint, Reading reading) throws Exception {
        ObjectNode state = checkpoint.state().deepCopy();
        long offset = state.get("offset").asLong();
        long line = state.get("line").asLong();
        boolean upsert = context.params().mode() == ImportKind.Mode.UPSERT;
        long t0 = System.nanoTime();
        Instant began = context.clock().instant();
        try (Connection connection = chunks.transaction()) {
            try {
                Batch batch = null;
                long[] counts = null;
                if (!upsert) {
                    try {
                        batch = copyIntoTarget(connection, reading.at(offset, line), offset, line);
                        counts = new long[] {batch.good(), 0, 0};
                    } catch (SQLException e) {
                        if (!DatabaseErrors.permanent(e)) throw e; // a data or integrity error is a row's fault
                        connection.rollback();
                    }
                }
                long t1 = System.nanoTime();
                if (counts == null) {
                    Staging staging = Staging.forRange(context.jobId(), target.columns.size());
                    staging.create(connection);
                    batch = stage(connection, staging, reading.at(offset, line), offset, line);
                    counts = new Merge(staging, dataset, target, key, upsert, context.jobId())
                            .range(connection, List.of(Long.toString(line - 1)), List.of(Long.toString(batch.nextLine() - 1)));
                }
                long t2 = System.nanoTime();
                reading.readTo(batch.end());
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
                if (!fence.checkpoint(connection, mapper.writeValueAsString(next), batch.end(), next.total(), "bytes", rate)) {
                    connection.rollback();
                    return null;
                }
                connection.commit();
                chunks.chunk(context, batch.rows(), began, Duration.ofNanos(System.nanoTime() - t0));
                if (LOG.isDebugEnabled()) {
                    LOG.debugf("job %s: range of %d lines: into the target %d ms, through staging %d ms, checkpoint and commit %d ms",
                            context.jobId(), batch.rows(), (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000,
                            (System.nanoTime() - t2) / 1_000_000);
                }
                return new Progress(next, batch.eof());
            } catch (Exception e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /** The range's good rows by COPY into the target; the database refusing any fails it all. */
    private Batch copyIntoTarget(Connection connection, CsvReader reader, long offset, long line) throws Exception {
        try (TargetCopy copy = TargetCopy.open(connection, dataset.table(), target.columns)) {
            Batch batch = Batch.read(reader, target, (n, values) -> copy.add(values), RANGE_ROWS, offset, line);
            copy.end();
            return batch;
        }
    }

    /** The range's good rows by binary COPY into its staging table. */
    private Batch stage(Connection connection, Staging staging, CsvReader reader, long offset, long line) throws Exception {
        try (Staging.Writer writer = staging.writer(connection)) {
            Batch batch = Batch.read(reader, target, writer::add, RANGE_ROWS, offset, line);
            writer.end();
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
