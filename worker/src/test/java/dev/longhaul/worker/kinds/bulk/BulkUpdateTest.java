package dev.longhaul.worker.kinds.bulk;

import static dev.longhaul.worker.TestSql.count;
import static dev.longhaul.worker.TestSql.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.longhaul.core.dispatch.JobPublisher;
import dev.longhaul.core.dispatch.JobRef;
import dev.longhaul.core.job.Job;
import dev.longhaul.core.job.JobSpec;
import dev.longhaul.core.job.JobState;
import dev.longhaul.core.job.JobStore;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A chunked bulk update leaves the table exactly as one UPDATE of the same change does. Orders
 * 5,000,001 to 5,020,000 are this test's own; each case builds them afresh and a reference copy.
 */
@QuarkusTest
class BulkUpdateTest {
    private static final String MINE = "id > 5000000 and id <= 5020000";

    @Inject
    JobStore store;
    @Inject
    JobPublisher publisher;
    @Inject
    AgroalDataSource db;
    @Inject
    ObjectMapper mapper;
    @Inject
    Clock clock;

    @BeforeEach
    void orders() throws Exception {
        sql(db, "delete from shop.orders where " + MINE);
        sql(db, "delete from shop.customers where id > 5000000 and id <= 5000100");
        sql(db, """
                insert into shop.customers (id, email, name, country, created_at, status)
                select 5000000 + g, 'bulk' || g || '@example.com', 'Bulk ' || g, (array['DE','FR','US'])[g % 3 + 1], now(), 'active'
                from generate_series(1, 100) g""");
        sql(db, """
                insert into shop.orders (id, customer_id, created_at, status, total_cents, currency)
                select 5000000 + g, 5000000 + g % 100 + 1, now() - g * interval '1 minute',
                       (array['pending','paid','shipped','pending'])[g % 4 + 1], (g * 37) % 20000, 'EUR'
                from generate_series(1, 20000) g""");
        sql(db, "drop table if exists public.orders_reference");
        sql(db, "create table public.orders_reference as select * from shop.orders where " + MINE);
    }

    @Test
    void aChunkedUpdateEqualsOneUpdateStatement() throws Exception {
        long changed = sql(db, "update public.orders_reference set status = 'cancelled', note = 'bulk' "
                + "where status = 'pending' and total_cents < 5000");

        JsonNode result = run("""
                {"dataset":"orders","filter":[{"field":"status","op":"=","value":"pending"},
                  {"field":"total_cents","op":"<","value":5000},{"field":"id","op":">","value":5000000}],
                 "set":{"status":"cancelled","note":"bulk"}}""");

        assertThat(changed).isPositive();
        assertThat(result.get("matched").asLong()).isEqualTo(changed);
        assertThat(result.get("updated").asLong()).isEqualTo(changed);
        assertThat(differences()).isZero();
    }

    @Test
    void aFilterOnAJoinedColumnUpdatesOnlyTheTablesOwnRows() throws Exception {
        long changed = sql(db, "update public.orders_reference r set note = 'to DE' from shop.customers c "
                + "where c.id = r.customer_id and c.country = 'DE' and r.status = 'paid'");

        JsonNode result = run("""
                {"dataset":"orders","filter":[{"field":"customer_country","op":"=","value":"DE"},
                  {"field":"status","op":"=","value":"paid"},{"field":"id","op":">","value":5000000}],
                 "set":{"note":"to DE"},"maxRowsPerSecond":50000}""");

        assertThat(changed).isPositive();
        assertThat(result.get("updated").asLong()).isEqualTo(changed);
        assertThat(differences()).isZero();
    }

    @Test
    void aDryRunCountsAndChangesNothingAndARepeatChangesNothingTwice() throws Exception {
        String request = """
                {"dataset":"orders","filter":[{"field":"status","op":"=","value":"shipped"},{"field":"id","op":">","value":5000000}],
                 "set":{"note":"seen"}%s}""";
        long shipped = count(db, "shop.orders where status = 'shipped' and " + MINE);

        JsonNode dry = run(request.formatted(",\"dryRun\":true"));
        assertThat(dry.get("matched").asLong()).isEqualTo(shipped);
        assertThat(dry.get("updated").asLong()).isZero();
        assertThat(differences()).isZero();

        JsonNode first = run(request.formatted(""));
        JsonNode again = run(request.formatted(""));
        assertThat(first.get("updated").asLong()).isEqualTo(shipped);
        // the rows already hold the value: matched again, rewritten never
        assertThat(again.get("matched").asLong()).isEqualTo(shipped);
        assertThat(again.get("updated").asLong()).isZero();
    }

    @Test
    void aValueTheTableRefusesFailsOnTheFirstAttemptWithoutRowContents() throws Exception {
        // shop.orders has CHECK (status IN (...)): the same update would fail on every retry
        Job done = finish("""
                {"dataset":"orders","filter":[{"field":"id","op":">","value":5000000}],"set":{"status":"lost-in-the-mail"}}""", 5);

        assertThat(done.state()).isEqualTo(JobState.FAILED);
        assertThat(done.attempt()).isEqualTo(1);
        assertThat(done.error()).contains("SQLSTATE 23514", "constraint orders_status_check")
                .doesNotContain("Failing row", "lost-in-the-mail", "@example.com");
        assertThat(differences()).isZero();
    }

    @Test
    void aPacedUpdateReportsTheRateItKeepsPausesIncluded() throws Exception {
        // 5,000 rows at 2,000 rows/s: about 2.5 s, most of it waiting for the pace
        Job job = Job.submit(new JobSpec("bulk-update", mapper.readTree("""
                {"dataset":"orders","filter":[{"field":"id","op":">","value":5000000},{"field":"id","op":"<=","value":5005000}],
                 "set":{"note":"paced"},"maxRowsPerSecond":2000}"""), "bulk", 0, null, 1, null, null), clock);
        QuarkusTransaction.requiringNew().run(() -> store.insert(job));
        publisher.publish(List.of(new JobRef(job.id(), "bulk")));
        List<Double> rates = new java.util.ArrayList<>();
        List<long[]> progress = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            Job now = QuarkusTransaction.requiringNew().call(() -> store.find(job.id()).orElseThrow());
            if (now.progressRate() != null) rates.add(now.progressRate());
            if (now.progressTotal() != null) progress.add(new long[] {now.progressDone(), now.progressTotal()});
            return now.state().isFinished();
        });
        assertThat(state(job.id())).isEqualTo(JobState.SUCCEEDED);
        assertThat(rates).as("rates reported while it ran").isNotEmpty()
                .allSatisfy(rate -> assertThat(rate).isLessThan(2000 * 1.5));
        assertThat(progress).allSatisfy(p -> assertThat(p[0]).isLessThanOrEqualTo(p[1]));
    }

    private JsonNode run(String params) throws Exception {
        Job done = finish(params, 1);
        assertThat(done.state()).as("job %s: %s", done.id(), done.error()).isEqualTo(JobState.SUCCEEDED);
        return done.result();
    }

    /** Runs a bulk-update job to its end, whatever it is. */
    private Job finish(String params, int maxAttempts) throws Exception {
        Job job = Job.submit(new JobSpec("bulk-update", mapper.readTree(params), "bulk", 0, null, maxAttempts, null, null), clock);
        QuarkusTransaction.requiringNew().run(() -> store.insert(job));
        publisher.publish(List.of(new JobRef(job.id(), "bulk")));
        await().atMost(Duration.ofSeconds(60)).until(() -> state(job.id()).isFinished());
        return QuarkusTransaction.requiringNew().call(() -> store.find(job.id()).orElseThrow());
    }

    /** Rows that differ between the orders and the reference, in either direction. */
    private long differences() throws Exception {
        return count(db, "(select * from shop.orders where " + MINE + " except select * from public.orders_reference"
                + " union all select * from public.orders_reference except select * from shop.orders where " + MINE + ") d");
    }

    private JobState state(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> store.find(id).orElseThrow().state());
    }
}
