package dev.longhaul.worker.kinds.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.longhaul.core.artifact.ArtifactStore;
import dev.longhaul.core.chunk.Checkpoint;
import dev.longhaul.core.chunk.ChunkLoop;
import dev.longhaul.core.chunk.Fence;
import dev.longhaul.core.chunk.Keyset;
import dev.longhaul.core.dataset.ColumnType;
import dev.longhaul.core.dataset.Dataset;
import dev.longhaul.core.dataset.Datasets;
import dev.longhaul.core.dataset.SqlBuilder;
import dev.longhaul.core.kind.KindSpec;
import dev.longhaul.core.kind.builtin.ReportKind;
import dev.longhaul.worker.run.Chunks;
import dev.longhaul.worker.run.JobContext;
import dev.longhaul.core.chunk.KeyRange;
import dev.longhaul.core.dataset.Filter;
import dev.longhaul.core.job.Job;
import dev.longhaul.worker.run.PartitionedHandler;
import dev.longhaul.worker.run.Partitions;
import dev.longhaul.worker.run.Outcome;
import dev.longhaul.worker.mail.Outbox;
import io.quarkus.mailer.Mail;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code report}: walks {@code orders} by key range; each chunk aggregates its range in SQL and
 * merges the partial result into {@code report_partial} with an upsert, in the chunk's transaction,
 * so every range is counted exactly once whatever crashes. At the end the merged rows become a CSV
 * and an HTML page with an inline SVG chart.
 */
@Singleton
public class ReportHandler implements PartitionedHandler<ReportKind.Params> {
    @Inject
    ReportKind spec;
    @Inject
    Datasets datasets;
    @Inject
    Chunks chunks;
    @Inject
    ArtifactStore artifacts;
    @Inject
    ObjectMapper mapper;
    @Inject
    Outbox mailer;

    @Override
    public KindSpec<ReportKind.Params> spec() {
        return spec;
    }

    /** The report's days made explicit, from its period and the instant the job is for. */
    private static ReportKind.Params resolved(JobContext<ReportKind.Params> context) {
        ReportKind.Params given = context.params();
        LocalDate[] days = given.days(context.asOf());
        return new ReportKind.Params(given.report(), days[0], days[1], null, given.limit(), given.emailTo());
    }

    @Override
    public Walk walk(ReportKind.Params params) {
        return new Walk(datasets.require("orders", "dataset"), Filter.NONE);
    }

    /** The children's partial aggregates, merged into the parent's, make the report. */
    @Override
    public Outcome join(JobContext<ReportKind.Params> parent, List<Job> children) throws Exception {
        ReportKind.Params params = resolved(parent);
        long orders = children.stream().mapToLong(c -> c.result().path("orders").asLong()).sum();
        Checkpoint checkpoint = new Checkpoint(null, orders, orders, 1, null, mapper.createObjectNode());
        return new Outcome.Done(finish(parent.jobId(), params, params.report().equals("sales-daily"), chunks.fence(parent),
                checkpoint, children.stream().map(Job::id).toList()));
    }

    @Override
    public Outcome run(JobContext<ReportKind.Params> context) throws Exception {
        ReportKind.Params params = resolved(context);
        Dataset orders = datasets.require("orders", "dataset");
        KeyRange partition = context.partition();
        Fence fence = chunks.fence(context);
        Checkpoint checkpoint = Checkpoint.from(context.checkpoint(), mapper);
        if (checkpoint != null && checkpoint.state() != null && checkpoint.state().has(Partitions.JOINED)) {
            // the files were written and committed; only the success is left to record
            return new Outcome.Done(checkpoint.state().get(Partitions.JOINED));
        }
        if (checkpoint == null) {
            // a job started over (a manual retry) must not add to partials of its earlier run
            try (Connection connection = chunks.transaction();
                    PreparedStatement s = connection.prepareStatement("delete from longhaul.report_partial where job_id = ?")) {
                s.setObject(1, context.jobId());
                s.executeUpdate();
                connection.commit();
            }
            checkpoint = Checkpoint.start(count(orders), 100_000, mapper.createObjectNode());
            // a partition starts after the last key of the one before it
            if (partition != null && partition.after() != null) {
                checkpoint = new Checkpoint(List.of(partition.after()), 0, null, checkpoint.chunkSize(), null, checkpoint.state());
            }
        }
        boolean daily = params.report().equals("sales-daily");
        ChunkLoop loop = chunks.loop(context, Duration.ofSeconds(2), 2_000_000);
        if (partition != null) loop.within(partition.narrow(orders, Filter.NONE));
        ChunkLoop.Result result = loop.run(orders, checkpoint, "orders",
                (connection, lo, hi, walked, state) -> {
                    aggregate(connection, orders, context.jobId(), params, daily, lo, hi);
                    return walked;
                },
                context::sliceDeadline, context::cancelRequested);
        return switch (result.end()) {
            // a partition leaves its partial aggregates for its parent to merge
            case DONE -> new Outcome.Done(partition != null ? mapper.createObjectNode().put("orders", result.checkpoint().done())
                    : finish(context.jobId(), params, daily, fence, result.checkpoint(), List.of()));
            case CANCELLED -> new Outcome.Cancelled();
            case SLICE_OVER, LOST_LEASE -> new Outcome.Continue(result.checkpoint().toJson(mapper));
        };
    }

    private long count(Dataset orders) throws SQLException {
        try (Connection connection = chunks.transaction();
                PreparedStatement s = connection.prepareStatement("select count(*) from " + orders.table());
                ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Aggregates one key range and merges it into the job's partial result. */
    private void aggregate(Connection connection, Dataset orders, UUID jobId, ReportKind.Params params, boolean daily,
            List<String> lo, List<String> hi) throws SQLException {
        SqlBuilder sql = new SqlBuilder(SqlBuilder.Mode.JDBC);
        String job = sql.param(ColumnType.UUID, jobId);
        String created = orders.column("created_at").orElseThrow().expr();
        String bucket = daily ? "to_char(" + created + " at time zone 'UTC', 'YYYY-MM-DD')" : "'all'";
        String dim = daily ? orders.column("customer_country").orElseThrow().expr() + "::text"
                : orders.column("customer_id").orElseThrow().expr() + "::text";
        // JDBC placeholders bind by position: register values in the order they appear in the text
        String range = Keyset.range(orders, lo, hi, sql);
        String from = sql.param(ColumnType.TIMESTAMPTZ, params.from().atStartOfDay().atOffset(ZoneOffset.UTC));
        String to = sql.param(ColumnType.TIMESTAMPTZ, params.to().atStartOfDay().atOffset(ZoneOffset.UTC));
        String statement = "insert into longhaul.report_partial (job_id, bucket, dim, n, total) "
                + "select " + job + ", " + bucket + ", " + dim + ", count(*), sum(" + orders.column("total_cents").orElseThrow().expr() + ") "
                + "from " + orders.from() + " where " + range + " and " + created + " >= " + from + " and " + created + " < " + to
                + " and " + orders.column("status").orElseThrow().expr() + " in ('paid', 'shipped') group by 2, 3 "
                + "on conflict (job_id, bucket, dim) do update set n = report_partial.n + excluded.n, "
                + "total = report_partial.total + excluded.total";
        try (PreparedStatement s = connection.prepareStatement(statement)) {
            sql.bind(s, 1);
            s.executeUpdate();
        }
    }

    /**
     * Writes the report's files from the job's partial aggregates (first merging those of
     * {@code mergeFrom}, a partitioned report's children), drops the partials and commits the
     * result in the checkpoint, in one transaction; then mails the report if asked.
     */
    private ObjectNode finish(UUID jobId, ReportKind.Params params, boolean daily, Fence fence, Checkpoint checkpoint,
            List<UUID> mergeFrom) throws Exception {
        try (Connection connection = chunks.transaction()) {
            if (!mergeFrom.isEmpty()) merge(connection, jobId, mergeFrom);
            List<String[]> rows = daily ? dailyRows(connection, jobId) : topCustomers(connection, jobId, params.limitOrDefault());
            String[] header = daily ? new String[] {"day", "country", "orders", "revenue_cents"}
                    : new String[] {"customer_id", "email", "name", "country", "orders", "revenue_cents"};
            String title = (daily ? "Sales by day and country" : "Top customers by revenue")
                    + ", " + params.from() + " to " + params.to() + " (exclusive)";
            String base = params.report() + "-" + params.from() + "-" + params.to();
            String csv = ReportFiles.csv(header, rows);
            String html = ReportFiles.html(title, header, rows, daily, OffsetDateTime.now(ZoneOffset.UTC));
            write(connection, jobId, base + ".csv", "text/csv; charset=utf-8", csv);
            write(connection, jobId, base + ".html", "text/html; charset=utf-8", html);
            try (PreparedStatement s = connection.prepareStatement("delete from longhaul.report_partial where job_id = ?")) {
                s.setObject(1, jobId);
                s.executeUpdate();
            }
            long orders = rows.stream().mapToLong(r -> Long.parseLong(r[header.length - 2])).sum();
            long revenue = rows.stream().mapToLong(r -> Long.parseLong(r[header.length - 1])).sum();
            ObjectNode result = mapper.createObjectNode().put("rows", rows.size()).put("orders", orders)
                    .put("revenueCents", revenue).put("csv", base + ".csv").put("html", base + ".html");
            // with the files: a job that ran this far and is run again records this result, and writes nothing
            ObjectNode state = checkpoint.state() == null ? mapper.createObjectNode() : checkpoint.state().deepCopy();
            state.set(Partitions.JOINED, result);
            Checkpoint done = new Checkpoint(checkpoint.lastKey(), checkpoint.done(), checkpoint.done(), checkpoint.chunkSize(),
                    checkpoint.rate(), state);
            if (!fence.checkpoint(connection, mapper.writeValueAsString(done), done.done(), done.done(), "orders", done.rate())) {
                connection.rollback();
                throw new IllegalStateException("lease lost while writing the report");
            }
            connection.commit();
            if (params.emailTo() != null) {
                // after the commit: the files exist whatever happens to the mail; a retry after a
                // crash right here may send it twice, which a report can afford
                mailer.send(Mail.withHtml(params.emailTo(), title, html)
                        .addAttachment(base + ".csv", csv.getBytes(StandardCharsets.UTF_8), "text/csv"));
            }
            return result;
        }
    }

    /** Adds the partial aggregates of {@code children} to the job's, and drops theirs. */
    private static void merge(Connection connection, UUID jobId, List<UUID> children) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("""
                insert into longhaul.report_partial (job_id, bucket, dim, n, total)
                select ?, bucket, dim, sum(n), sum(total) from longhaul.report_partial where job_id = any(?) group by bucket, dim
                on conflict (job_id, bucket, dim) do update
                set n = report_partial.n + excluded.n, total = report_partial.total + excluded.total""");
                PreparedStatement drop = connection.prepareStatement("delete from longhaul.report_partial where job_id = any(?)")) {
            s.setObject(1, jobId);
            s.setArray(2, connection.createArrayOf("uuid", children.toArray()));
            s.executeUpdate();
            drop.setArray(1, connection.createArrayOf("uuid", children.toArray()));
            drop.executeUpdate();
        }
    }

    private void write(Connection connection, UUID jobId, String name, String type, String body) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("delete from longhaul.artifact where job_id = ? and name = ?")) {
            s.setObject(1, jobId);
            s.setString(2, name);
            s.executeUpdate();
        }
        long id = artifacts.create(connection, jobId, name, type);
        artifacts.append(connection, id, 0, body.getBytes(StandardCharsets.UTF_8));
        artifacts.complete(connection, id);
    }

    private static List<String[]> dailyRows(Connection connection, UUID jobId) throws SQLException {
        List<String[]> rows = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement(
                "select bucket, dim, n, total from longhaul.report_partial where job_id = ? order by bucket, dim")) {
            s.setObject(1, jobId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) rows.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
            }
        }
        return rows;
    }

    private static List<String[]> topCustomers(Connection connection, UUID jobId, int limit) throws SQLException {
        List<String[]> rows = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement("""
                select p.dim, c.email, c.name, c.country, p.n, p.total
                from longhaul.report_partial p left join shop.customers c on c.id = p.dim::bigint
                where p.job_id = ? order by p.total desc, p.dim limit ?""")) {
            s.setObject(1, jobId);
            s.setInt(2, limit);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6)});
                }
            }
        }
        return rows;
    }
}
