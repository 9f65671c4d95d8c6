package dev.longhaul.worker.kinds.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.longhaul.core.artifact.ArtifactInfo;
import dev.longhaul.core.artifact.ArtifactStore;
import dev.longhaul.core.artifact.FileDigest;
import dev.longhaul.core.chunk.Checkpoint;
import dev.longhaul.core.chunk.ChunkLoop;
import dev.longhaul.core.chunk.Fence;
import dev.longhaul.core.chunk.Keyset;
import dev.longhaul.core.dataset.Column;
import dev.longhaul.core.dataset.ColumnType;
import dev.longhaul.core.dataset.Dataset;
import dev.longhaul.core.dataset.Datasets;
import dev.longhaul.core.dataset.Filter;
import dev.longhaul.core.dataset.SqlBuilder;
import dev.longhaul.core.kind.KindSpec;
import dev.longhaul.core.kind.builtin.ExportKind;
import dev.longhaul.worker.run.Chunks;
import dev.longhaul.worker.run.JobContext;
import dev.longhaul.core.job.Job;
import dev.longhaul.worker.run.PartitionedHandler;
import dev.longhaul.worker.run.Partitions;
import dev.longhaul.worker.run.PlatformThreads;
import dev.longhaul.worker.run.Outcome;
import io.agroal.api.AgroalDataSource;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;

/**
 * {@code export}: one {@code COPY (SELECT … WHERE key > lo AND key <= hi AND filter) TO STDOUT}
 * per chunk, on only the requested columns, with the dataset's joins done in SQL. The COPY streams
 * into artifact parts ({@link PartWriter}); the chunk's checkpoint, committed after its parts,
 * names the next part, and a resumed export first drops any part past it, so the file continues
 * exactly where the last checkpoint left it. With gzip, each part is a gzip member; concatenated
 * members are one valid gzip file.
 *
 * <p>The file's sha256 is kept as its parts are written, not read back at the end. Each chunk's
 * checkpoint names the digest of the parts before it by a random id, and the digest itself stays
 * in this worker's memory; a job resumed where that digest is unknown (another worker, a restart)
 * rebuilds it once from the stored parts. An id only reaches a committed checkpoint with the parts
 * it describes, so a digest is never used for parts other than those it has read.
 */
@Singleton
public class ExportHandler implements PartitionedHandler<ExportKind.Params> {
    @Inject
    ExportKind spec;
    @Inject
    Datasets datasets;
    @Inject
    ArtifactStore artifacts;
    @Inject
    Chunks chunks;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    ObjectMapper mapper;
    @Inject
    ExportConfig config;

    /** Digests by the id a checkpoint names them with; a few per running export. */
    private final Map<String, FileDigest> digests = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, FileDigest> eldest) {
            return size() > 256;
        }
    });

    @Override
    public KindSpec<ExportKind.Params> spec() {
        return spec;
    }

    @Override
    public Outcome run(JobContext<ExportKind.Params> context) throws Exception {
        ExportKind.Params params = context.params();
        Walk walk = walk(params);
        Dataset dataset = walk.dataset();
        // a partition walks its own key range
        Filter filter = context.partition() == null ? walk.filter() : context.partition().narrow(dataset, walk.filter());
        List<Column> columns = params.columns().stream().map(c -> dataset.column(c).orElseThrow()).toList();
        Fence fence = chunks.fence(context);

        Checkpoint checkpoint = Checkpoint.from(context.checkpoint(), mapper);
        if (checkpoint == null) {
            checkpoint = start(context, dataset, filter, columns, fence);
            if (checkpoint == null) return new Outcome.Continue(null);
        }
        long artifactId = checkpoint.state().get("artifact").asLong();
        if (context.checkpoint() != null) {
            // a resumed job: drop the parts of a chunk that was written but never checkpointed
            try (Connection connection = chunks.transaction()) {
                PartWriter.discardAfter(connection, artifactId, checkpoint.state().get("part").asInt());
                connection.commit();
            }
        }
        String copy = copySql(dataset, filter, columns, params.formatOrDefault(), params.neutralized());

        // parts stream out of each COPY, so a chunk's size no longer costs memory: big chunks spare
        // the per-chunk work (the bound, the join's hash, the sort) without growing the heap, and
        // the last one needs no exact bound
        ChunkLoop loop = chunks.loop(context, config.chunkTarget(), config.maxRows()).within(filter).lastChunkWhole();
        ChunkLoop.Result result = loop.run(dataset, checkpoint, "rows",
                (connection, lo, hi, walked, state) -> copyChunk(connection, dataset, filter, copy, lo, hi, state,
                        artifactId, context),
                context::sliceDeadline, context::cancelRequested);

        return switch (result.end()) {
            case DONE -> {
                ArtifactInfo file;
                try (Connection connection = chunks.transaction()) {
                    file = artifacts.complete(connection, artifactId, digest(connection, artifactId, result.checkpoint().state()));
                    connection.commit();
                }
                digests.remove(result.checkpoint().state().path("digest").asText());
                yield new Outcome.Done(result(result.checkpoint().done(), file));
            }
            case CANCELLED -> {
                digests.remove(result.checkpoint().state().path("digest").asText());
                try (Connection connection = chunks.transaction()) {
                    artifacts.delete(connection, context.jobId());
                    connection.commit();
                }
                yield new Outcome.Cancelled();
            }
            case SLICE_OVER, LOST_LEASE -> new Outcome.Continue(result.checkpoint().toJson(mapper));
        };
    }

    @Override
    public Walk walk(ExportKind.Params params) {
        Dataset dataset = datasets.require(params.dataset(), "dataset");
        return new Walk(dataset, Filter.parse(dataset, params.filter(), "filter"));
    }

    /**
     * The parent's file is its children's parts, moved to it in key order (no byte is copied), and
     * its sha256 read back once; all in one transaction with the parent's checkpoint.
     */
    @Override
    public Outcome join(JobContext<ExportKind.Params> parent, List<Job> children) throws Exception {
        ExportKind.Params params = parent.params();
        long rows = children.stream().mapToLong(c -> c.result().path("rows").asLong()).sum();
        try (Connection connection = chunks.transaction()) {
            long artifactId = artifacts.create(connection, parent.jobId(), params.fileName(), params.contentType());
            int part = 0;
            for (Job child : children) part = artifacts.adopt(connection, child.id(), params.fileName(), artifactId, part);
            ArtifactInfo file = artifacts.complete(connection, artifactId);
            ObjectNode out = result(rows, file);
            ObjectNode state = mapper.createObjectNode();
            state.set(Partitions.JOINED, out);
            Checkpoint joined = new Checkpoint(null, rows, rows, 1, null, state);
            if (!chunks.fence(parent).checkpoint(connection, mapper.writeValueAsString(joined), rows, rows, "rows", null)) {
                connection.rollback();
                return new Outcome.Continue(parent.checkpoint());
            }
            connection.commit();
            return new Outcome.Done(out);
        }
    }

    private ObjectNode result(long rows, ArtifactInfo file) {
        ObjectNode out = mapper.createObjectNode();
        out.put("rows", rows);
        out.put("bytes", file.size());
        out.put("sha256", file.sha256());
        out.put("artifact", file.name());
        return out;
    }

    /** The first transaction: count the rows, create the file and its header, checkpoint. */
    private Checkpoint start(JobContext<ExportKind.Params> context, Dataset dataset, Filter filter,
            List<Column> columns, Fence fence) throws SQLException, IOException {
        ExportKind.Params params = context.params();
        try (Connection connection = chunks.transaction()) {
            long total = chunks.estimate(connection, dataset, filter);
            long artifactId = artifacts.create(connection, context.jobId(), params.fileName(), params.contentType());
            ObjectNode state = mapper.createObjectNode();
            state.put("artifact", artifactId);
            int part = 0;
            FileDigest digest = FileDigest.empty();
            // a partitioned export's file is its partitions' parts in key order: the first holds the header
            if (params.formatOrDefault() == ExportKind.Format.CSV && (context.partition() == null || context.partition().index() == 0)) {
                String header = columns.stream().map(Column::name).collect(Collectors.joining(",")) + "\n";
                byte[] bytes = encode(header.getBytes(StandardCharsets.UTF_8), params.gzipped());
                artifacts.append(connection, artifactId, part++, bytes);
                digest.update(bytes);
            }
            state.put("part", part);
            state.put("digest", remember(digest));
            Checkpoint checkpoint = Checkpoint.start(total, Math.min(config.initialRows(), config.maxRows()), state);
            if (!fence.checkpoint(connection, mapper.writeValueAsString(checkpoint), 0, total, "rows", null)) {
                connection.rollback();
                return null;
            }
            connection.commit();
            return checkpoint;
        }
    }

    /**
     * The COPY for one chunk, with two placeholders for the range: {@code %RANGE%} and the filter
     * are rendered per chunk, since COPY reads its values from transaction-local settings.
     */
    private static String copySql(Dataset dataset, Filter filter, List<Column> columns, ExportKind.Format format,
            boolean neutralize) {
        String select = "select " + columns.stream().map(c -> cell(c, neutralize) + " as \"" + c.name() + "\"")
                .collect(Collectors.joining(", ")) + " from " + dataset.from() + " where %WHERE% order by "
                + dataset.keyOrder();
        return format == ExportKind.Format.CSV
                ? "copy (" + select + ") to stdout with (format csv)"
                // one JSON object per line; CSV mode with quote and delimiter bytes that JSON never contains raw
                : "copy (select row_to_json(r) from (" + select + ") r) to stdout with (format csv, quote e'\\x01', delimiter e'\\x02')";
    }

    /**
     * A column's value; with {@code neutralize}, a text that a spreadsheet would run as a formula
     * (it starts with = + - or @) gets a leading apostrophe, which spreadsheets show as text.
     */
    private static String cell(Column column, boolean neutralize) {
        if (!neutralize || column.type() != ColumnType.TEXT) return column.expr();
        return "case when left(" + column.expr() + ", 1) in ('=', '+', '-', '@') then '''' || " + column.expr()
                + " else " + column.expr() + " end";
    }

    /** One chunk: its COPY streams straight into artifact parts, written while the COPY runs. */
    private long copyChunk(Connection connection, Dataset dataset, Filter filter, String copy, List<String> lo,
            List<String> hi, ObjectNode state, long artifactId, JobContext<ExportKind.Params> context) throws Exception {
        SqlBuilder params = new SqlBuilder(SqlBuilder.Mode.SESSION);
        String where = Keyset.range(dataset, lo, hi, params) + " and " + filter.render(params);
        params.applySettings(connection);
        FileDigest digest = digest(connection, artifactId, state).copy();
        String before = state.path("digest").asText();
        PartWriter parts = new PartWriter(dataSource, context.jobId(), context.leaseToken(), artifactId,
                state.get("part").asInt(), context.params().gzipped(), digest);
        try {
            String sql = copy.replace("%WHERE%", where);
            PGConnection pg = connection.unwrap(PGConnection.class);
            long rows = onPlatformThread(() -> pg.getCopyAPI().copyOut(sql, parts), pg::cancelQuery);
            state.put("part", parts.finish());
            artifacts.checkQuota(connection, artifactId, digest.size());
            state.put("digest", remember(digest));
            // were this chunk not to commit, the job would rebuild the digest from the stored parts
            digests.remove(before);
            return rows;
        } catch (Throwable e) {
            try {
                parts.abandon();
            } catch (Exception cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * Runs a COPY on a platform thread and waits for it. A COPY is millions of small blocking
     * reads; on a virtual thread each one that finds the socket empty parks and is woken by the
     * poller, which costs more than the read.
     */
    private static long onPlatformThread(Callable<Long> copy, Cancel cancel) throws Exception {
        FutureTask<Long> task = PlatformThreads.start("export-copy", copy);
        try {
            return PlatformThreads.join(task);
        } catch (InterruptedException e) {
            // the COPY must let go of the connection before the chunk rolls it back and returns it
            cancel.run();
            try {
                task.get();
            } catch (ExecutionException ignored) {
                // cancelled, as asked
            }
            Thread.currentThread().interrupt();
            throw e;
        }
    }

    @FunctionalInterface
    private interface Cancel {
        void run() throws SQLException;
    }

    private String remember(FileDigest digest) {
        String id = UUID.randomUUID().toString();
        digests.put(id, digest);
        return id;
    }

    /** The digest of the parts before the checkpoint's next part: from memory, or read back once. */
    private FileDigest digest(Connection connection, long artifactId, ObjectNode state) throws SQLException {
        FileDigest known = digests.get(state.path("digest").asText());
        if (known != null) return known;
        FileDigest rebuilt = artifacts.digest(connection, artifactId, state.get("part").asInt());
        state.put("digest", remember(rebuilt));
        return rebuilt;
    }

    private static byte[] encode(byte[] data, boolean gzip) throws IOException {
        return gzip ? PartWriter.gzip(data, data.length) : data;
    }
}
