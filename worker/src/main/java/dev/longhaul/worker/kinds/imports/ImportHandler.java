package dev.longhaul.worker.kinds.imports;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.longhaul.core.sql.DatabaseErrors;
import dev.longhaul.core.artifact.ArtifactStore;
import dev.longhaul.core.artifact.UploadStore;
import dev.longhaul.core.chunk.Checkpoint;
import dev.longhaul.core.chunk.ChunkLoop;
import dev.longhaul.core.chunk.Fence;
import dev.longhaul.core.chunk.Keyset;
import dev.longhaul.core.csv.CsvReader;
import dev.longhaul.core.dataset.Column;
import dev.longhaul.core.dataset.Dataset;
import dev.longhaul.core.dataset.Datasets;
import dev.longhaul.core.dataset.SqlBuilder;
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
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * {@code import}, in two resumable phases.
 *
 * <ol>
 * <li><b>stage</b>: the upload is read from the checkpoint's byte offset, in batches of rows.
 * Each row is checked (fields, types, required, length, format); good rows are COPYed into the
 * job's staging table and bad ones recorded in {@code import_rejection}, with the checkpoint (the
 * next offset and line), in one transaction per batch.
 * <li><b>merge</b>: the chunk engine walks the staging table by line; each range goes into the
 * target with one {@code INSERT … SELECT … ON CONFLICT (key)} in its own transaction. An upsert
 * takes the range in one pass, with no sort; a range that repeats a key is refused by the
 * database for it and merged again by a statement that keeps each key's last line. A range the
 * database refuses (a foreign key, a CHECK) is merged again line by line under savepoints, so
 * only the refused rows are rejected, with the database's reason.
 * </ol>
 * The rejected rows also become an artifact, {@code rejected.csv}. The staging table is dropped
 * when the job ends.
 */
@Singleton
public class ImportHandler implements JobHandler<ImportKind.Params> {
    private static final Logger LOG = Logger.getLogger(ImportHandler.class);
    /** Rows per staging transaction. */
    static final int STAGE_BATCH = 100_000;
    /** Rows in the first merge range; later ones aim at {@link #MERGE_TARGET}. */
    static final int MERGE_FIRST_ROWS = 20_000;
    static final Duration MERGE_TARGET = Duration.ofSeconds(2);
    static final int MERGE_MAX_ROWS = 1_000_000;
    /** ON CONFLICT DO UPDATE meeting one key twice in a statement: cardinality_violation. */
    private static final String REPEATED_KEY = "21000";

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

        if (checkpoint.state().get("phase").asText().equals("stage")) {
            checkpoint = stage(context, checkpoint, target, staging, fence);
            if (checkpoint == null) return new Outcome.Continue(null);
            if (checkpoint.state().get("phase").asText().equals("stage")) {
                if (context.cancelRequested()) return cancel(context, staging);
                return new Outcome.Continue(checkpoint.toJson(mapper));
            }
        }

        boolean upsert = params.mode() == ImportKind.Mode.UPSERT;
        Dataset lines = staging.asDataset();
        // the merge writes new rows or the rows the file names: bigger chunks than a bulk update's,
        // since each pays a fixed cost (its bound, its commit), and the locks it holds are on the
        // file's own rows
        ChunkLoop.Result result = chunks.loop(context, MERGE_TARGET, MERGE_MAX_ROWS)
                .run(lines, checkpoint, "rows", (connection, lo, hi, walked, state) -> {
                    long[] counts = merge(connection, staging, lines, dataset, target, key, upsert, lo, hi, context.jobId());
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

    /** Reads and checks the header, creates the staging table, and checkpoints both. */
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
            try {
                TargetTable.of(connection, dataset, names, key);
            } catch (IllegalArgumentException e) {
                throw new Failure.Discard(e.getMessage());
            }
            // a job retried from scratch starts from an empty staging table and no rejections
            Staging staging = new Staging(context.jobId(), names.size());
            staging.drop(connection);
            staging.create(connection);
            try (PreparedStatement s = connection.prepareStatement("delete from longhaul.import_rejection where job_id = ?")) {
                s.setObject(1, context.jobId());
                s.executeUpdate();
            }
            ObjectNode state = mapper.createObjectNode();
            state.put("phase", "stage");
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

    /** What one batch read: its good rows went to the COPY, its bad ones are here. */
    private record Batch(long staged, List<Long> badLines, List<String> reasons, long end, long nextLine, boolean eof) {
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
                    batch = read(reader, target, writer, state.get("offset").asLong(), state.get("line").asLong());
                    writer.end();
                }
                state.put("offset", batch.end());
                state.put("line", batch.nextLine());
                state.put("staged", state.get("staged").asLong() + batch.staged());
                state.put("rejected", state.get("rejected").asLong() + batch.badLines().size());
                Checkpoint next;
                if (batch.eof()) {
                    state.put("phase", "merge");
                    next = Checkpoint.start(state.get("staged").asLong(), MERGE_FIRST_ROWS, state);
                    staging.index(connection);
                } else {
                    next = new Checkpoint(null, batch.end(), checkpoint.total(), checkpoint.chunkSize(), null, state);
                }
                reject(connection, context.jobId(), batch.badLines(), batch.reasons());
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

    /** Reads up to {@link #STAGE_BATCH} records, checks each, and adds the good ones to {@code writer}. */
    private static Batch read(CsvReader reader, TargetTable target, Staging.Writer writer, long end, long nextLine)
            throws Exception {
        List<Long> badLines = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        long staged = 0;
        while (staged + badLines.size() < STAGE_BATCH) {
            CsvReader.Record record = reader.next();
            if (record == null) return new Batch(staged, badLines, reasons, end, nextLine, true);
            end = record.endOffset();
            nextLine = record.nextLine();
            List<String> errors = new ArrayList<>(0);
            String[] values = record.error() == null ? target.check(record.fields(), errors) : null;
            if (record.error() != null) errors.add(record.error());
            if (values != null) {
                writer.add(record.line(), values);
                staged++;
            } else {
                badLines.add(record.line());
                reasons.add(String.join("; ", errors));
            }
        }
        return new Batch(staged, badLines, reasons, end, nextLine, false);
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

    /** One line range into the target; a range the database refuses is retried line by line. */
    private long[] merge(Connection connection, Staging staging, Dataset lines, Dataset dataset, TargetTable target, Column key,
            boolean upsert, List<String> lo, List<String> hi, UUID jobId) throws SQLException {
        Savepoint before = connection.setSavepoint();
        try {
            return mergeRange(connection, staging, lines, dataset, target, key, upsert, lo, hi, jobId);
        } catch (SQLException e) {
            if (!DatabaseErrors.permanent(e)) throw e; // a data or integrity error is a row's fault
            connection.rollback(before);
        }
        long[] total = new long[3];
        long from = lo == null ? Long.MIN_VALUE : Long.parseLong(lo.getFirst());
        for (long line : staging.lines(connection, from, Long.parseLong(hi.getFirst()))) {
            Savepoint one = connection.setSavepoint();
            try {
                long[] counts = mergeRange(connection, staging, lines, dataset, target, key, upsert,
                        List.of(Long.toString(line - 1)), List.of(Long.toString(line)), jobId);
                for (int i = 0; i < 3; i++) total[i] += counts[i];
                connection.releaseSavepoint(one);
            } catch (SQLException e) {
                if (!DatabaseErrors.permanent(e)) throw e; // a data or integrity error is a row's fault
                connection.rollback(one);
                reject(connection, jobId, List.of(line), List.of("refused by the database (" + DatabaseErrors.details(e) + ")"));
                total[2]++;
            }
        }
        return total;
    }

    /**
     * An upsert tries the range in one pass first; a range that repeats a key makes the database
     * refuse it (SQLSTATE 21000), and is merged instead with the statement that picks each key's
     * last line and rejects the others. An insert, or an upsert of the key column alone, always
     * takes that statement.
     */
    private long[] mergeRange(Connection connection, Staging staging, Dataset lines, Dataset dataset, TargetTable target,
            Column key, boolean upsert, List<String> lo, List<String> hi, UUID jobId) throws SQLException {
        // an upsert that only inserts (the file names the key alone) does nothing on a repeated
        // key rather than fail, so only one that updates can learn of repeats from the database
        if (upsert && target.columns.size() > 1) {
            Savepoint onePass = connection.setSavepoint();
            try {
                long[] counts = count(connection, lines, lo, hi, range -> staging.upsert(dataset, target.columns, key, range));
                connection.releaseSavepoint(onePass);
                return counts;
            } catch (SQLException e) {
                if (!REPEATED_KEY.equals(e.getSQLState())) throw e;
                connection.rollback(onePass);
                connection.releaseSavepoint(onePass);
            }
        }
        // the statement's placeholders after the range: the job id, once for an upsert, twice for an insert
        return count(connection, lines, lo, hi, range -> staging.merge(dataset, target.columns, key, upsert, range),
                upsert ? new UUID[] {jobId} : new UUID[] {jobId, jobId});
    }

    /** Runs a merge statement built around the range (lo, hi] and returns its inserted, updated, rejected. */
    private static long[] count(Connection connection, Dataset lines, List<String> lo, List<String> hi,
            Function<String, String> statement, Object... after) throws SQLException {
        SqlBuilder params = new SqlBuilder(SqlBuilder.Mode.JDBC);
        String range = Keyset.range(lines, lo, hi, params);
        try (PreparedStatement s = connection.prepareStatement(statement.apply(range))) {
            int next = params.bind(s, 1);
            for (Object value : after) s.setObject(next++, value);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
            }
        }
    }

    private static final int MAX_REASON = 500;

    private static void reject(Connection connection, UUID jobId, List<Long> lines, List<String> reasons) throws SQLException {
        if (lines.isEmpty()) return;
        try (PreparedStatement s = connection.prepareStatement(
                "insert into longhaul.import_rejection (job_id, line, reason) values (?, ?, ?)")) {
            for (int i = 0; i < lines.size(); i++) {
                s.setObject(1, jobId);
                s.setLong(2, lines.get(i));
                // reasons name columns and checks, never values; the bound keeps rejected.csv's parts small
                String reason = reasons.get(i);
                s.setString(3, reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON) + "…");
                s.addBatch();
            }
            s.executeBatch();
        }
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
            long rejected = 0;
            long after = 0;
            int part = 0;
            long artifact = -1;
            while (true) {
                StringBuilder csv = new StringBuilder(part == 0 ? "line,reason\n" : "");
                int n = 0;
                try (PreparedStatement s = connection.prepareStatement("""
                        select line, reason from longhaul.import_rejection where job_id = ? and line > ?
                        order by line limit 50000""")) {
                    s.setObject(1, context.jobId());
                    s.setLong(2, after);
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            after = rs.getLong(1);
                            String reason = rs.getString(2);
                            csv.append(after).append(",\"").append(reason.replace("\"", "\"\"")).append("\"\n");
                            if (sample.size() < 20) sample.addObject().put("line", after).put("reason", reason);
                            n++;
                        }
                    }
                }
                if (n == 0) break;
                rejected += n;
                if (artifact < 0) artifact = artifacts.create(connection, context.jobId(), "rejected.csv", "text/csv; charset=utf-8");
                artifacts.append(connection, artifact, part++, csv.toString().getBytes(StandardCharsets.UTF_8));
            }
            if (artifact >= 0) artifacts.complete(connection, artifact);
            out.put("rejected", rejected);
            staging.drop(connection);
            ObjectNode done = state.deepCopy();
            done.put("phase", "done");
            done.set("result", out);
            Checkpoint last = new Checkpoint(checkpoint.lastKey(), checkpoint.done(), checkpoint.total(),
                    checkpoint.chunkSize(), checkpoint.rate(), done);
            if (!fence.checkpoint(connection, mapper.writeValueAsString(last), last.done(), last.total(), "rows", null)) {
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
        try (Connection connection = chunks.transaction(); PreparedStatement s = connection.prepareStatement(
                "select line, reason from longhaul.import_rejection where job_id = ? order by line limit 1")) {
            s.setObject(1, jobId);
            try (ResultSet rs = s.executeQuery()) {
                String first = rs.next() ? "line " + rs.getLong(1) + ": " + rs.getString(2) : "";
                connection.rollback();
                return first;
            }
        }
    }
}
