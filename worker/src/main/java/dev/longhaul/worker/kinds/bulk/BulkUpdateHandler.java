package dev.longhaul.worker.kinds.bulk;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.longhaul.core.chunk.Checkpoint;
import dev.longhaul.core.chunk.ChunkLoop;
import dev.longhaul.core.chunk.ChunkSizer;
import dev.longhaul.core.chunk.Keyset;
import dev.longhaul.core.dataset.Assignments;
import dev.longhaul.core.dataset.Column;
import dev.longhaul.core.dataset.Dataset;
import dev.longhaul.core.dataset.Datasets;
import dev.longhaul.core.dataset.Filter;
import dev.longhaul.core.dataset.SqlBuilder;
import dev.longhaul.core.kind.KindSpec;
import dev.longhaul.core.kind.builtin.BulkUpdateKind;
import dev.longhaul.worker.run.Chunks;
import dev.longhaul.worker.run.JobContext;
import dev.longhaul.core.job.Job;
import dev.longhaul.worker.run.PartitionedHandler;
import dev.longhaul.worker.run.Partitions;
import dev.longhaul.worker.run.Outcome;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code bulk-update}: per key range {@code (lo, hi]}, one count of the matching rows and one
 * set-based {@code UPDATE … WHERE key > lo AND key <= hi AND filter}, in the chunk's transaction
 * with its checkpoint. Rows that already hold the values are not rewritten, so a resumed or
 * repeated update changes nothing twice and "updated" counts real changes. Chunks are sized to a
 * target duration (short row locks for concurrent writers) and grow gently; a rate limit waits
 * between chunks without holding a transaction.
 *
 * <p>When the filter names only the table's own columns, the UPDATE reads the table alone;
 * otherwise it finds the keys through the dataset's joins and updates the rows with those keys.
 */
@Singleton
public class BulkUpdateHandler implements PartitionedHandler<BulkUpdateKind.Params> {
    @Inject
    BulkUpdateKind spec;
    @Inject
    Datasets datasets;
    @Inject
    Chunks chunks;
    @Inject
    ObjectMapper mapper;

    @Override
    public KindSpec<BulkUpdateKind.Params> spec() {
        return spec;
    }

    @Override
    public Outcome run(JobContext<BulkUpdateKind.Params> context) throws Exception {
        BulkUpdateKind.Params params = context.params();
        Walk walk = walk(params);
        Dataset dataset = walk.dataset();
        // a partition updates its own key range
        Filter filter = context.partition() == null ? walk.filter() : context.partition().narrow(dataset, walk.filter());
        Assignments set = Assignments.parse(dataset, params.set(), "set");

        Checkpoint checkpoint = chunks.resumeOrStart(context, dataset, filter, chunks.initialRows(),
                mapper.createObjectNode().put("matched", 0L).put("updated", 0L));

        Duration target = params.chunkTargetMs() == null ? chunks.config().target() : Duration.ofMillis(params.chunkTargetMs());
        int maxRows = chunks.config().maxRows();
        // partitions share the job's pace
        Double pace = params.maxRowsPerSecond() == null ? null
                : (double) params.maxRowsPerSecond() / (context.partition() == null ? 1 : context.partition().of());
        if (pace != null) {
            // a chunk of no more keys than the rate allows in one target duration, so the pace holds
            // across slices too: a new slice starts its pace afresh, after at most one such chunk
            maxRows = (int) Math.min(maxRows, Math.max(1, pace * target.toMillis() / 1000));
        }
        ChunkLoop loop = chunks.loop(context, target, maxRows, ChunkSizer.GENTLE).within(filter);
        if (pace != null) loop.paced(pace);
        boolean direct = filter.ownColumnsOnly(dataset);

        ChunkLoop.Result result = loop.run(dataset, checkpoint.withChunkSize(Math.min(checkpoint.chunkSize(), maxRows)), "rows",
                (connection, lo, hi, walked, state) -> {
                    long matched = count(connection, dataset, filter, lo, hi);
                    long updated = params.dry() || matched == 0 ? 0
                            : direct ? updateDirect(connection, dataset, filter, set, lo, hi)
                            : updateJoined(connection, dataset, filter, set, lo, hi);
                    state.put("matched", state.get("matched").asLong() + matched);
                    state.put("updated", state.get("updated").asLong() + updated);
                    return matched;
                },
                context::sliceDeadline, context::cancelRequested);

        return switch (result.end()) {
            case DONE -> {
                ObjectNode out = mapper.createObjectNode();
                out.put("matched", result.checkpoint().state().get("matched").asLong());
                out.put("updated", result.checkpoint().state().get("updated").asLong());
                out.put("dryRun", params.dry());
                yield new Outcome.Done(out);
            }
            case CANCELLED -> new Outcome.Cancelled();
            case SLICE_OVER, LOST_LEASE -> new Outcome.Continue(result.checkpoint().toJson(mapper));
        };
    }

    @Override
    public Walk walk(BulkUpdateKind.Params params) {
        Dataset dataset = datasets.require(params.dataset(), "dataset");
        return new Walk(dataset, Filter.parse(dataset, params.filter(), "filter"));
    }

    @Override
    public Outcome join(JobContext<BulkUpdateKind.Params> parent, List<Job> children) {
        return new Outcome.Done(Partitions.sumResults(mapper, children).put("dryRun", parent.params().dry()));
    }

    private static long count(Connection connection, Dataset dataset, Filter filter, List<String> lo, List<String> hi)
            throws SQLException {
        SqlBuilder params = new SqlBuilder(SqlBuilder.Mode.JDBC);
        String from = filter.ownColumnsOnly(dataset) ? dataset.table() + " " + dataset.alias() : dataset.from();
        String sql = "select count(*) from " + from + " where " + Keyset.range(dataset, lo, hi, params)
                + " and " + filter.render(params);
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            params.bind(s, 1);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** {@code update t a set … where range and filter and (a row would change)}. */
    private static long updateDirect(Connection connection, Dataset dataset, Filter filter, Assignments set,
            List<String> lo, List<String> hi) throws SQLException {
        SqlBuilder params = new SqlBuilder(SqlBuilder.Mode.JDBC);
        // placeholders bind in text order: SET, then the range, the filter and the change test
        String assignments = set.renderSet(params);
        String where = Keyset.range(dataset, lo, hi, params) + " and " + filter.render(params);
        String sql = "update " + dataset.table() + " " + dataset.alias() + " set " + assignments + " where " + where
                + " and " + set.renderChanges(dataset.alias(), params);
        return execute(connection, sql, params);
    }

    /** The keys come from the dataset's joins; the update touches the table's own rows only. */
    private static long updateJoined(Connection connection, Dataset dataset, Filter filter, Assignments set,
            List<String> lo, List<String> hi) throws SQLException {
        SqlBuilder params = new SqlBuilder(SqlBuilder.Mode.JDBC);
        String target = "u_";
        String assignments = set.renderSet(params);
        List<Column> key = dataset.key();
        String keys = key.stream().map(c -> c.expr() + " as k_" + c.name()).collect(Collectors.joining(", "));
        String matches = "select " + keys + " from " + dataset.from() + " where " + Keyset.range(dataset, lo, hi, params)
                + " and " + filter.render(params);
        String join = key.stream().map(c -> target + "." + c.name() + " = m_.k_" + c.name()).collect(Collectors.joining(" and "));
        String sql = "update " + dataset.table() + " " + target + " set " + assignments + " from (" + matches + ") m_ where "
                + join + " and " + set.renderChanges(target, params);
        return execute(connection, sql, params);
    }

    private static long execute(Connection connection, String sql, SqlBuilder params) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            params.bind(s, 1);
            return s.executeLargeUpdate();
        }
    }
}
