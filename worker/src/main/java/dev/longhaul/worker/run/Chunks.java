package dev.longhaul.worker.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.longhaul.core.chunk.Checkpoint;
import dev.longhaul.core.chunk.ChunkConfig;
import dev.longhaul.core.chunk.ChunkLoop;
import dev.longhaul.core.chunk.ChunkSizer;
import dev.longhaul.core.chunk.Fence;
import dev.longhaul.core.dataset.Dataset;
import dev.longhaul.core.dataset.Filter;
import dev.longhaul.core.dataset.Planner;
import dev.longhaul.core.dataset.SqlBuilder;
import io.agroal.api.AgroalDataSource;
import io.opentelemetry.api.trace.Tracer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;

/** Builds the chunk engine's pieces for one slice of one job, on the worker's own pool. */
@ApplicationScoped
public class Chunks {
    @Inject
    AgroalDataSource dataSource;
    @Inject
    ChunkConfig config;
    @Inject
    WorkerConfig worker;
    @Inject
    Clock clock;
    @Inject
    ObjectMapper mapper;
    @Inject
    JobMetrics metrics;
    @Inject
    Tracer tracer;

    public Fence fence(JobContext<?> context) {
        return new Fence(context.jobId(), context.leaseToken(), worker.lease(), clock);
    }

    public ChunkLoop loop(JobContext<?> context) {
        return observed(context, new ChunkLoop(dataSource, config.sizer(), fence(context), clock, mapper));
    }

    /**
     * A loop with its own bounds, for reads whose cost per chunk is mostly fixed (the join's hash,
     * the sort's start; a report merges one partial row per group however many rows it read), so
     * bigger chunks pay off: it may grow the chunk fourfold at a time towards {@code target}.
     */
    public ChunkLoop loop(JobContext<?> context, java.time.Duration target, int maxRows) {
        return loop(context, target, maxRows, 4);
    }

    /** A loop with its own target, maximum and growth per chunk ({@link ChunkSizer#GENTLE} for writes). */
    public ChunkLoop loop(JobContext<?> context, java.time.Duration target, int maxRows, double growth) {
        // a small maximum (a slow rate limit) wins over the usual minimum
        int max = Math.max(1, maxRows);
        return observed(context, new ChunkLoop(dataSource, new ChunkSizer(Math.min(config.minRows(), max), max, target, growth),
                fence(context), clock, mapper));
    }

    /** Each chunk counts its rows in the meters and is a span of the job's slice, with its rows and time. */
    private ChunkLoop observed(JobContext<?> context, ChunkLoop loop) {
        return loop.observed((rows, began, took) -> chunk(context, rows, began, took));
    }

    /**
     * A committed chunk of a job that walks without a {@link ChunkLoop} (an import's ranges of
     * lines): its rows in the meters, and a span of the job's slice, as a loop's chunks are.
     */
    public void chunk(JobContext<?> context, long rows, java.time.Instant began, java.time.Duration took) {
        metrics.rows(context.kind(), rows);
        tracer.spanBuilder("chunk").setStartTimestamp(began).setAttribute("longhaul.chunk.rows", rows)
                .setAttribute("longhaul.chunk.ms", took.toMillis()).startSpan().end(began.plus(took));
    }

    /**
     * Records progress outside a chunk loop (a job that waits rather than walks), fenced like a
     * checkpoint: false if the job is no longer this run's.
     */
    public boolean progress(JobContext<?> context, JsonNode checkpoint, long done, long total, String unit)
            throws SQLException {
        try (Connection connection = transaction()) {
            boolean held = fence(context).checkpoint(connection, mapper.writeValueAsString(checkpoint), done, total, unit, null);
            connection.commit();
            return held;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The planner's estimate of the dataset's rows that match {@code filter}, for progress and ETA:
     * counting them exactly would read them all once more before the job starts. Jobs report the
     * exact count at the end.
     */
    public long estimate(Connection connection, Dataset dataset, Filter filter) throws SQLException {
        SqlBuilder params = new SqlBuilder(SqlBuilder.Mode.JDBC);
        String query = "select 1 from " + dataset.from() + " where " + filter.render(params);
        return Planner.estimatedRows(connection, query, params);
    }

    private static long count(Connection connection, Dataset dataset, Filter filter) throws SQLException {
        SqlBuilder params = new SqlBuilder(SqlBuilder.Mode.JDBC);
        try (PreparedStatement s = connection.prepareStatement(
                "select count(*) from " + dataset.from() + " where " + filter.render(params))) {
            params.bind(s, 1);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * The job's checkpoint, or, for a job that has none yet, a first one: the planner's estimate
     * of the matching rows as the total, {@code initialRows} to start with, and {@code state}.
     */
    public Checkpoint resumeOrStart(JobContext<?> context, Dataset dataset, Filter filter, int initialRows,
            ObjectNode state) throws SQLException {
        return resumeOrStart(context, dataset, filter, initialRows, state, false);
    }

    /**
     * As {@link #resumeOrStart(JobContext, Dataset, Filter, int, ObjectNode)}, with the exact count
     * of the matching rows as the total when {@code exact}: for jobs slow per row (a campaign at a
     * rate limit), where one count is cheap beside the work and an estimate would mislead for hours.
     */
    public Checkpoint resumeOrStart(JobContext<?> context, Dataset dataset, Filter filter, int initialRows,
            ObjectNode state, boolean exact) throws SQLException {
        Checkpoint checkpoint = Checkpoint.from(context.checkpoint(), mapper);
        if (checkpoint != null) return checkpoint;
        try (Connection connection = transaction()) {
            long total = exact ? count(connection, dataset, filter) : estimate(connection, dataset, filter);
            connection.rollback();
            return Checkpoint.start(total, initialRows, state);
        }
    }

    public ChunkConfig config() {
        return config;
    }

    public int initialRows() {
        return config.sizer().initial(config.initialRows());
    }

    /** A connection in manual-commit mode, for a job's own short transactions. */
    public Connection transaction() throws java.sql.SQLException {
        Connection connection = dataSource.getConnection();
        connection.setAutoCommit(false);
        return connection;
    }
}
