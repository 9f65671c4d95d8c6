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
import dev.longhaul.worker.run.JobHandler;
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
public class ReportHandler implements JobHandler<ReportKind.Params> {
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

    @Override
    public Outcome run(JobContext<ReportKind.Params> context) throws Exception {
        ReportKind.Params given = context.params();
        LocalDate[] days = given.days(context.asOf());
        ReportKind.Params params = new ReportKind.Params(given.report(), days[0], days[1], null, given.limit(),
                given.emailTo());
        Dataset orders = datasets.require("orders", "dataset");
        Fence fence = chunks.fence(context);
        Checkpoint checkpoint = Checkpoint.from(context.checkpoint(), mapper);
        if (checkpoint == null) {
            // a job started over (a manual retry) must not add to partials of its earlier run
            try (Connection connection = chunks.transaction();
                    PreparedStatement s = connection.prepareStatement("delete from longhaul.report_partial where job_id = ?")) {
                s.setObject(1, context.jobId());
                s.executeUpdate();
                connection.commit();
            }
            checkpoint = Checkpoint.start(count(orders), 100_000, mapper.createObjectNode());
        }
        boolean daily = params.report().equals("sales-daily");
        ChunkLoop.Result result = chunks.loop(context, Duration.ofSeconds(2), 2_000_000).run(orders, checkpoint, "orders",
                (connection, lo, hi, walked, state) -> {
                    aggregate(connection, orders, context.jobId(), params, daily, lo, hi);
                    return walked;
                },
                context::sliceDeadline, context::cancelRequested);
        return switch (result.end()) {
            case DONE -> new Outcome.Done(finish(context.jobId(), params, daily, fence, result.checkpoint()));
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

    private ObjectNode finish(UUID jobId, ReportKind.Params params, boolean daily, Fence fence, Checkpoint checkpoint)
            throws Exception {
        try (Connection connection = chunks.transaction()) {
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
            if (!fence.checkpoint(connection, mapper.writeValueAsString(checkpoint), checkpoint.done(), checkpoint.done(),
                    "orders", checkpoint.rate())) {
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
            long orders = rows.stream().mapToLong(r -> Long.parseLong(r[header.length - 2])).sum();
            long revenue = rows.stream().mapToLong(r -> Long.parseLong(r[header.length - 1])).sum();
            return mapper.createObjectNode().put("rows", rows.size()).put("orders", orders).put("revenueCents", revenue)
                    .put("csv", base + ".csv").put("html", base + ".html");
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
