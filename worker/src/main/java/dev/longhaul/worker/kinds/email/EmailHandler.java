package dev.longhaul.worker.kinds.email;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.longhaul.core.chunk.Checkpoint;
import dev.longhaul.core.chunk.ChunkLoop;
import dev.longhaul.core.chunk.ChunkSizer;
import dev.longhaul.core.chunk.Fence;
import dev.longhaul.core.chunk.Keyset;
import dev.longhaul.core.dataset.Column;
import dev.longhaul.core.dataset.Dataset;
import dev.longhaul.core.dataset.Datasets;
import dev.longhaul.core.dataset.Filter;
import dev.longhaul.core.dataset.SqlBuilder;
import dev.longhaul.core.kind.KindSpec;
import dev.longhaul.core.kind.builtin.EmailKind;
import dev.longhaul.core.mail.Addresses;
import dev.longhaul.core.mail.RowTemplate;
import dev.longhaul.worker.run.Chunks;
import dev.longhaul.worker.run.Failure;
import dev.longhaul.worker.run.JobContext;
import dev.longhaul.core.job.Job;
import dev.longhaul.worker.run.PartitionedHandler;
import dev.longhaul.worker.run.Partitions;
import dev.longhaul.worker.run.Outcome;
import io.agroal.api.AgroalDataSource;
import dev.longhaul.worker.mail.Outbox;
import io.quarkus.mailer.Mail;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * {@code email}: walks the segment by key range. Each chunk reads its rows that have no delivery
 * record yet (one query, with the fields the templates use), and for each row commits a
 * {@code sending} record, hands the mail to SMTP, then records {@code sent} or the SMTP error.
 * A crash or a retry resumes after the last checkpoint and skips every row with a record, so no
 * row is mailed twice; a row left {@code sending} by a crash is reported as unknown, never resent.
 * Chunks hold at most one second of the rate, and the loop waits between chunks, holding no
 * transaction, to keep to {@code ratePerSecond}.
 */
@Singleton
public class EmailHandler implements PartitionedHandler<EmailKind.Params> {
    @Inject
    EmailKind spec;
    @Inject
    Datasets datasets;
    @Inject
    Chunks chunks;
    @Inject
    ObjectMapper mapper;
    @Inject
    Outbox mailer;
    @Inject
    AgroalDataSource dataSource;

    @Override
    public KindSpec<EmailKind.Params> spec() {
        return spec;
    }

    @Override
    public Outcome run(JobContext<EmailKind.Params> context) throws Exception {
        EmailKind.Params params = context.params();
        Walk walk = walk(params);
        Dataset dataset = walk.dataset();
        // a partition mails its own key range
        Filter filter = context.partition() == null ? walk.filter() : context.partition().narrow(dataset, walk.filter());
        RowTemplate subject = RowTemplate.parse(dataset, params.template().subject(), "template.subject");
        RowTemplate body = RowTemplate.parse(dataset, params.template().body(), "template.body");
        Set<String> fields = new LinkedHashSet<>(subject.fields());
        fields.addAll(body.fields());
        Column to = dataset.column(params.toOrDefault()).orElseThrow();

        // partitions share the campaign's rate
        int rate = Math.max(1, params.ratePerSecond() / (context.partition() == null ? 1 : context.partition().of()));
        Checkpoint checkpoint = chunks.resumeOrStart(context, dataset, filter, Math.min(rate, chunks.initialRows()),
                mapper.createObjectNode(), true);
        ChunkLoop loop = chunks.loop(context, Duration.ofSeconds(1), rate, ChunkSizer.GENTLE).paced(rate).within(filter);
        String select = select(dataset, filter, to, fields);

        ChunkLoop.Result result = loop.run(dataset, checkpoint, "emails", (connection, lo, hi, walked, state) -> {
            List<Row> rows = rows(connection, dataset, filter, select, lo, hi, context.jobId(), to, fields);
            int handled = 0;
            try (Connection records = dataSource.getConnection()) {
                records.setAutoCommit(true);
                for (Row row : rows) {
                    if (!recordSending(records, context, row)) break; // the lease is gone: the checkpoint will fail too
                    String error = send(row, subject, body);
                    recordOutcome(records, context.jobId(), row, error);
                    handled++;
                    if (error != null) {
                        long failed = state.path("failed").asLong() + 1;
                        state.put("failed", failed);
                        if (failed > params.maxErrorsOrDefault()) {
                            // the recipient stays out of the job's error: it is shown to anyone who reads the job
                            throw new Failure.Discard(failed + " recipients failed, more than maxErrors ("
                                    + params.maxErrorsOrDefault() + "); the last, at row " + row.key() + ": " + error);
                        }
                    }
                }
            }
            return handled;
        }, context::sliceDeadline, context::cancelRequested);

        return switch (result.end()) {
            case DONE -> new Outcome.Done(summary(context.jobId()));
            case CANCELLED -> new Outcome.Cancelled();
            case SLICE_OVER, LOST_LEASE -> new Outcome.Continue(result.checkpoint().toJson(mapper));
        };
    }

    @Override
    public Walk walk(EmailKind.Params params) {
        Dataset dataset = datasets.require(params.segment().dataset(), "segment.dataset");
        return new Walk(dataset, Filter.parse(dataset, params.segment().filter(), "segment.filter"));
    }

    /** The campaign's counts are its partitions' added up; the failures listed are the first ones. */
    @Override
    public Outcome join(JobContext<EmailKind.Params> parent, List<Job> children) {
        return new Outcome.Done(Partitions.sumResults(mapper, children));
    }

    private record Row(String key, String to, Map<String, String> fields) {
    }

    /** The chunk's rows without a delivery record: key, address and the templates' fields. */
    private static String select(Dataset dataset, Filter filter, Column to, Set<String> fields) {
        String key = "cast(row(" + dataset.keyOrder() + ") as text)";
        String columns = fields.stream().map(f -> dataset.column(f).orElseThrow())
                .map(c -> ", " + c.expr() + " as \"" + c.name() + "\"").collect(Collectors.joining());
        return "select " + key + " as row_key_, " + to.expr() + " as to_" + columns + " from " + dataset.from()
                + " where %RANGE% and not exists (select 1 from longhaul.email_delivery d where d.job_id = ? and d.row_key = "
                + key + ") order by " + dataset.keyOrder();
    }

    private static List<Row> rows(Connection connection, Dataset dataset, Filter filter, String select, List<String> lo,
            List<String> hi, UUID jobId, Column to, Set<String> fields) throws SQLException {
        SqlBuilder params = new SqlBuilder(SqlBuilder.Mode.JDBC);
        String where = Keyset.range(dataset, lo, hi, params) + " and " + filter.render(params);
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement(select.replace("%RANGE%", where))) {
            int next = params.bind(s, 1);
            s.setObject(next, jobId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    Map<String, String> values = new HashMap<>();
                    for (String field : fields) {
                        String value = rs.getString(field);
                        values.put(field, value == null ? "" : value);
                    }
                    rows.add(new Row(rs.getString("row_key_"), rs.getString("to_"), values));
                }
            }
        }
        return rows;
    }

    /** Commits the row's record before anything is sent, while the lease is ours. */
    private static boolean recordSending(Connection records, JobContext<?> context, Row row) throws SQLException {
        try (PreparedStatement s = records.prepareStatement(
                "insert into longhaul.email_delivery (job_id, row_key, recipient, state, at) select ?, ?, ?, 'sending', now() "
                        + Fence.WHILE_HELD)) {
            s.setObject(1, context.jobId());
            s.setString(2, row.key());
            s.setString(3, row.to() == null ? "" : row.to());
            Fence.bindWhileHeld(s, 4, context.jobId(), context.leaseToken());
            return s.executeUpdate() == 1;
        }
    }

    /** Sends one mail; returns null when SMTP took it, or what went wrong for this recipient. */
    private String send(Row row, RowTemplate subject, RowTemplate body) {
        if (!Addresses.isEmail(row.to())) {
            return "not an email address: '" + (row.to() == null ? "" : row.to()) + "'";
        }
        try {
            mailer.send(Mail.withText(row.to(), subject.render(row.fields()), body.render(row.fields())));
            return null;
        } catch (RuntimeException e) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
    }

    private static void recordOutcome(Connection records, UUID jobId, Row row, String error) throws SQLException {
        try (PreparedStatement s = records.prepareStatement(
                "update longhaul.email_delivery set state = ?, error = ?, at = now() where job_id = ? and row_key = ?")) {
            s.setString(1, error == null ? "sent" : "failed");
            s.setString(2, error);
            s.setObject(3, jobId);
            s.setString(4, row.key());
            s.executeUpdate();
        }
    }

    /** Counts by outcome, from the delivery records, and the first failures. */
    private ObjectNode summary(UUID jobId) throws SQLException {
        ObjectNode out = mapper.createObjectNode();
        out.put("sent", 0).put("failed", 0).put("unknown", 0);
        ArrayNode failures = out.putArray("failures");
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement s = c.prepareStatement(
                    "select state, count(*) from longhaul.email_delivery where job_id = ? group by state")) {
                s.setObject(1, jobId);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) out.put(rs.getString(1).equals("sending") ? "unknown" : rs.getString(1), rs.getLong(2));
                }
            }
            try (PreparedStatement s = c.prepareStatement("""
                    select recipient, error from longhaul.email_delivery where job_id = ? and state = 'failed'
                    order by at, row_key limit 20""")) {
                s.setObject(1, jobId);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) failures.addObject().put("recipient", rs.getString(1)).put("error", rs.getString(2));
                }
            }
        }
        return out;
    }
}
