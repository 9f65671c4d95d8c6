package dev.longhaul.worker.kinds.imports;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.longhaul.core.artifact.ArtifactStore;
import dev.longhaul.core.artifact.UploadStore;
import dev.longhaul.core.chunk.Checkpoint;
import dev.longhaul.core.chunk.ChunkLoop;
import dev.longhaul.core.chunk.Fence;
import dev.longhaul.core.csv.CsvReader;
import dev.longhaul.core.dataset.Column;
import dev.longhaul.core.dataset.Dataset;
import dev.longhaul.core.dataset.Datasets;
import dev.longhaul.core.kind.KindSpec;
import dev.longhaul.core.kind.builtin.ImportKind;
import dev.longhaul.worker.run.Chunks;
import dev.longhaul.worker.run.Failure;
import dev.longhaul.worker.run.JobContext;
import dev.longhaul.worker.run.JobHandler;
import dev.longhaul.worker.run.Outcome;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * {@code import}. With {@code onError: skip} (the default) the file goes in one range of lines at a
 * time, each range checked, written and checkpointed in one transaction ({@link LineRanges}): an
 * insert COPYs straight into the target, an upsert through a temporary table. With
 * {@code onError: fail}, which must check every row before it writes one, in two resumable phases:
 *
 * <ol>
 * <li><b>stage</b>: the upload is read from the checkpoint's byte offset, in batches of rows.
 * Each row is checked (fields, types, required, length, format); good rows are COPYed into the
 * job's staging table and bad ones recorded in {@code import_rejection}, with the checkpoint (the
 * next offset and line), in one transaction per batch.
 * <li><b>merge</b>: the chunk engine walks the staging table by line; each range goes into the
 * target with one {@code INSERT … SELECT … ON CONFLICT (key)} in its own transaction ({@link Merge}).
 * </ol>
 * The rejected rows also become an artifact, {@code rejected.csv}. The staging table is dropped
 * when the job ends.
 */
@Singleton
public class ImportHandler implements JobHandler<ImportKind.Params> {
    private static final Logger LOG = Logger.getLogger(ImportHandler.class);
    /** The phase of an import that goes in range by range ({@link LineRanges}). */
    static final String RANGES = "ranges";
    /** Rows per staging transaction. */
    static final int STAGE_BATCH = 100_000;
    /** Rows in the first merge range; later ones aim at {@link #MERGE_TARGET}. */
    static final int MERGE_FIRST_ROWS = 20_000;
    static final Duration MERGE_TARGET = Duration.ofSeconds(2);
    static final int MERGE_MAX_ROWS = 1_000_000;

    @Inject
    ImportKind spec;
    @Inject
    Datasets datasets;
    @Inject
    UploadStore uploads;
    @Inject
    ArtifactStore artifacts;
    @Inject
    Chunks chunks;
    @Inject
    ObjectMapper mapper;
    /**
     * How long an upsert range staged ahead may wait for the merge before it: past it, the range is
     * staged again, since the server ends transactions idle for 60 s.
     */
    @ConfigProperty(name = "longhaul.import.staged-idle-limit", defaultValue = "30s")
    Duration stagedIdleLimit;

    @Override
    public KindSpec<ImportKind.Params> spec() {
        return spec;
    }

    @Override
    public Outcome run(JobContext<ImportKind.Params> context) throws Exception {
        ImportKind.Params params = context.params();
        Dataset dataset = datasets.require(params.dataset(), "dataset");
        Column key = params.keyColumn(dataset);
        Fence fence = chunks.fence(context);

        Checkpoint checkpoint = Checkpoint.from(context.checkpoint(), mapper);
        if (checkpoint == null) {
            checkpoint = start(context, dataset, key, fence);
            if (checkpoint == null) return new Outcome.Continue(null);
        }
        if (checkpoint.state().get("phase").asText().equals("done")) {
            // finished and checkpointed, but the worker died before recording the success
            return new Outcome.Done(checkpoint.state().get("result"));
        }
        List<String> header = new ArrayList<>();
        checkpoint.state().get("header").forEach(h -> header.add(h.asText()));
        Staging staging = new Staging(context.jobId(), header.size());
        TargetTable target;
        try (Connection connection = chunks.transaction()) {
            target = TargetTable.of(connection, dataset, header, key);
            connection.rollback();
        }

        if (checkpoint.state().get("phase").asText().equals(RANGES)) {
            LineRanges.Progress progress = new LineRanges(context, uploads, chunks, fence, mapper, dataset, target, key,
                    stagedIdleLimit)
                    .run(checkpoint);
            if (progress == null) return new Outcome.Continue(null);
            if (progress.ended()) return finish(context, progress.checkpoint(), staging, fence);
            if (context.cancelRequested()) return cancel(context, staging);
            return new Outcome.Continue(progress.checkpoint().toJson(mapper));
        }

        if (checkpoint.state().get("phase").asText().equals("stage")) {
            checkpoint = stage(context, checkpoint, target, staging, fence);
            if (checkpoint == null) return new Outcome.Continue(null);
            if (checkpoint.state().get("phase").asText().equals("stage")) {
                if (context.cancelRequested()) return cancel(context, staging);
                return new Outcome.Continue(checkpoint.toJson(mapper));
            }
        }

        Merge merge = new Merge(staging, dataset, target, key, params.mode() == ImportKind.Mode.UPSERT, context.jobId());
        // the merge writes new rows or the rows the file names: bigger chunks than a bulk update's,
        // since each pays a fixed cost (its bound, its commit), and the locks it holds are on the
        // file's own rows
        ChunkLoop.Result result = chunks.loop(context, MERGE_TARGET, MERGE_MAX_ROWS)
                .run(merge.lines(), checkpoint, "rows", (connection, lo, hi, walked, state) -> {
                    long[] counts = merge.range(connection, lo, hi);
                    state.put("inserted", state.get("inserted").asLong() + counts[0]);
                    state.put("updated", state.get("updated").asLong() + counts[1]);
                    state.put("rejected", state.get("rejected").asLong() + counts[2]);
                    if (params.onErrorOrDefault() == ImportKind.OnError.FAIL && counts[2] > 0) {
                        throw new Failure.Discard("the database refused " + counts[2] + " rows while merging (onError: fail); "
                                + "rows merged before them stay");
                    }
                    return walked;
                }, context::sliceDeadline, context::cancelRequested);

        return switch (result.end()) {
            case DONE -> finish(context, result.checkpoint(), staging, fence);
            case CANCELLED -> cancel(context, staging);
            case SLICE_OVER, LOST_LEASE -> new Outcome.Continue(result.checkpoint().toJson(mapper));
        };
    }

    /** Reads and checks the header, creates the staging table if the whole file is staged, and checkpoints the start. */
    private Checkpoint start(JobContext<ImportKind.Params> context, Dataset dataset, Column key, Fence fence) throws Exception {
        CsvReader.Record header;
        try (InputStream in = uploads.open(context.params().upload(), 0)) {
            header = new CsvReader(in, 0, 1).next();
        }
        if (header == null || header.error() != null) {
            throw new Failure.Discard("line 1 must be a header naming the columns" + (header == null ? "" : ": " + header.error()));
        }
        // a byte-order mark (spreadsheets write one) is not part of the first column's name
        List<String> names = new ArrayList<>(header.fields());
        if (!names.isEmpty() && names.getFirst().startsWith("\uFEFF")) names.set(0, names.getFirst().substring(1));
        try (Connection connection = chunks.transaction()) {
            TargetTable target;
            try {
                target = TargetTable.of(connection, dataset, names, key);
            } catch (IllegalArgumentException e) {
                throw new Failure.Discard(e.getMessage());
            }
            if (context.params().mode() == ImportKind.Mode.UPSERT && target.partitioned && !target.countsInserts) {
                throw new Failure.Discard("an upsert into the partitioned table " + dataset.table() + " tells inserted rows "
                        + "from updated ones by the server's insert count, and the server counts none (track_counts is off)");
            }
            // a job retried from scratch starts with no rejections, and from an empty staging table
            // if it stages the whole file
            boolean ranged = context.params().onErrorOrDefault() == ImportKind.OnError.SKIP;
            Staging staging = new Staging(context.jobId(), names.size());
            staging.drop(connection);
            if (!ranged) staging.create(connection);
            Rejections.clear(connection, context.jobId());
            ObjectNode state = mapper.createObjectNode();
            state.put("phase", ranged ? RANGES : "stage");
            ArrayNode columns = state.putArray("header");
            names.forEach(h -> columns.add(h.trim()));
            state.put("offset", header.endOffset());
            state.put("line", header.nextLine());
            state.put("staged", 0L).put("inserted", 0L).put("updated", 0L).put("rejected", 0L);
            long size = uploads.find(context.params().upload()).orElseThrow().size();
            Checkpoint checkpoint = new Checkpoint(null, header.endOffset(), size, chunks.initialRows(), null, state);
            if (!fence.checkpoint(connection, mapper.writeValueAsString(checkpoint), checkpoint.done(), size, "bytes", null)) {
                connection.rollback();
                return null;
            }
            connection.commit();
            return checkpoint;
        }
    }

    /**
     * Stages batches until the file ends, the slice is over or a cancel comes. Returns the last
     * committed checkpoint (phase merge once the file is done), or null if the lease was lost.
     */
    private Checkpoint stage(JobContext<ImportKind.Params> context, Checkpoint checkpoint, TargetTable target,
            Staging staging, Fence fence) throws Exception {
        ObjectNode start = checkpoint.state();
        try (InputStream in = uploads.open(context.params().upload(), start.get("offset").asLong())) {
            CsvReader reader = new CsvReader(in, start.get("offset").asLong(), start.get("line").asLong());
            while (!context.sliceOver() && !context.cancelRequested()) {
                checkpoint = stageBatch(context, checkpoint, reader, target, staging, fence);
                if (checkpoint == null) return null;
                ObjectNode state = checkpoint.state();
                failIfTooManyInvalid(context, staging, state.get("rejected").asLong());
                if (state.get("phase").asText().equals("merge")) {
                    LOG.infof("job %s: staged %d rows, %d rejected; merging", context.jobId(),
                            state.get("staged").asLong(), state.get("rejected").asLong());
                    return checkpoint;
                }
            }
        }
        return checkpoint;
    }

    /**
     * One batch in one transaction: its good rows stream into the staging table's COPY as they
     * are read, and its bad rows and the checkpoint follow when the batch ends; the batch that
     * ends the file also indexes the table and moves the job to the merge phase. Returns the
     * committed checkpoint, or null if the lease was lost. Nothing of a failed batch stays.
     */
    private Checkpoint stageBatch(JobContext<ImportKind.Params> context, Checkpoint checkpoint, CsvReader reader,
            TargetTable target, Staging staging, Fence fence) throws Exception {
        ObjectNode state = checkpoint.state().deepCopy();
        try (Connection connection = chunks.transaction()) {
            try {
                Batch batch;
                try (Staging.Writer writer = staging.writer(connection)) {
                    batch = Batch.read(reader, target, writer::add, STAGE_BATCH, state.get("offset").asLong(),
                            state.get("line").asLong());
                    writer.end();
                }
                state.put("offset", batch.end());
                state.put("line", batch.nextLine());
                state.put("staged", state.get("staged").asLong() + batch.good());
                state.put("rejected", state.get("rejected").asLong() + batch.badLines().size());
                Checkpoint next;
                if (batch.eof()) {
                    state.put("phase", "merge");
                    next = Checkpoint.start(state.get("staged").asLong(), MERGE_FIRST_ROWS, state);
                    staging.index(connection);
                } else {
                    next = new Checkpoint(null, batch.end(), checkpoint.total(), checkpoint.chunkSize(), null, state);
                }
                Rejections.record(connection, context.jobId(), batch.badLines(), batch.reasons());
                boolean owned = batch.eof()
                        ? fence.checkpoint(connection, mapper.writeValueAsString(next), 0, next.total(), "rows", null)
                        : fence.checkpoint(connection, mapper.writeValueAsString(next), batch.end(), next.total(), "bytes", null);
                if (!owned) {
                    connection.rollback();
                    return null;
                }
                connection.commit();
                return next;
            } catch (Exception e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /** With {@code onError: fail} and any invalid row, or more than {@code maxErrors}: fails the job, having merged nothing. */
    private void failIfTooManyInvalid(JobContext<ImportKind.Params> context, Staging staging, long rejected) throws SQLException {
        ImportKind.Params params = context.params();
        boolean failOnAny = params.onErrorOrDefault() == ImportKind.OnError.FAIL;
        if (rejected == 0 || (!failOnAny && rejected <= params.maxErrorsOrDefault())) return;
        dropStaging(staging);
        String first = firstRejection(context.jobId());
        throw new Failure.Discard(failOnAny
                ? rejected + " rows are invalid and onError is fail, so nothing was imported; the first: " + first
                : "more than maxErrors (" + params.maxErrorsOrDefault() + ") rows are invalid, so nothing was imported; the first: " + first);
    }

    /**
     * Writes {@code rejected.csv}, drops the staging table and checkpoints phase {@code done} with
     * the result, in one fenced transaction: a job that dies after it resumes straight to its end.
     */
    private Outcome finish(JobContext<ImportKind.Params> context, Checkpoint checkpoint, Staging staging, Fence fence)
            throws Exception {
        ObjectNode out = mapper.createObjectNode();
        ObjectNode state = checkpoint.state();
        out.put("staged", state.get("staged").asLong());
        out.put("inserted", state.get("inserted").asLong());
        out.put("updated", state.get("updated").asLong());
        ArrayNode sample = out.putArray("rejections");
        try (Connection connection = chunks.transaction()) {
            long rejected = Rejections.writeFile(connection, artifacts, context.jobId(), sample);
            out.put("rejected", rejected);
            staging.drop(connection);
            ObjectNode done = state.deepCopy();
            done.put("phase", "done");
            done.set("result", out);
            Checkpoint last = new Checkpoint(checkpoint.lastKey(), checkpoint.done(), checkpoint.total(),
                    checkpoint.chunkSize(), checkpoint.rate(), done);
            String unit = state.get("phase").asText().equals(RANGES) ? "bytes" : "rows";
            if (!fence.checkpoint(connection, mapper.writeValueAsString(last), last.done(), last.total(), unit, null)) {
                connection.rollback();
                return new Outcome.Continue(checkpoint.toJson(mapper));
            }
            connection.commit();
        }
        return new Outcome.Done(out);
    }

    private Outcome cancel(JobContext<?> context, Staging staging) throws SQLException {
        dropStaging(staging);
        return new Outcome.Cancelled();
    }

    private void dropStaging(Staging staging) throws SQLException {
        try (Connection connection = chunks.transaction()) {
            staging.drop(connection);
            connection.commit();
        }
    }

    private String firstRejection(UUID jobId) throws SQLException {
        try (Connection connection = chunks.transaction()) {
            String first = Rejections.first(connection, jobId);
            connection.rollback();
            return first;
        }
    }
}
