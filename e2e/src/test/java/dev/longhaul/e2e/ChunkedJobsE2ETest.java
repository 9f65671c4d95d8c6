package dev.longhaul.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import com.icegreen.greenmail.util.GreenMail;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Exports and reports on real processes: the worker runs with its heap capped at 128 MB, leases of 3 s so a
 * killed worker's job is rescued quickly, and 2M seeded orders.
 */
class ChunkedJobsE2ETest {
    private static final long ORDERS = 2_000_000;
    private static Map<String, String> WORKER_ENV;
    /** A real SMTP server on loopback that the worker's mailer sends reports to. */
    private static GreenMail smtp;

    private static App api;
    private static App worker;
    private static Jobs jobs;

    @BeforeAll
    static void start() throws Exception {
        smtp = Smtp.start();
        WORKER_ENV = Smtp.workerEnv(smtp, Map.of("LONGHAUL_WORKER_SLICE", "5s"));
        api = App.start("api", Map.of("LONGHAUL_DISPATCH_REPUBLISH_EVERY", "1s"));
        worker = App.start("worker", WORKER_ENV, "128m");
        jobs = new Jobs(api);
        String seed = jobs.submit("{\"kind\":\"seed\",\"params\":{\"customers\":50000,\"orders\":" + ORDERS + ",\"reset\":true}}");
        jobs.awaitSuccess(seed, Duration.ofMinutes(3));
    }

    @AfterAll
    static void stop() throws Exception {
        if (worker != null) worker.close();
        if (api != null) api.close();
        if (smtp != null) smtp.stop();
    }

    @Test
    void aFilteredJoinedProjectionMatchesPsqlRowForRow() throws Exception {
        String id = jobs.submit("""
                {"kind":"export","params":{"dataset":"orders",
                 "columns":["id","customer_email","customer_country","status","total_cents","note","created_at"],
                 "filter":[{"field":"status","op":"in","value":["paid","shipped"]},
                           {"field":"total_cents","op":">=","value":1000},
                           {"field":"created_at","op":"<","value":"2030-01-01T00:00:00Z"}]}}""");
        JsonNode job = jobs.awaitSuccess(id, Duration.ofMinutes(2));
        byte[] ours = jobs.download(job.get("artifacts").get(0).get("url").asText());
        byte[] reference = Jobs.psqlCopy("""
                select o.id, c.email as customer_email, c.country as customer_country, o.status, o.total_cents,
                       o.note, o.created_at
                from shop.orders o join shop.customers c on c.id = o.customer_id
                where o.status in ('paid', 'shipped') and o.total_cents >= 1000 and o.created_at < '2030-01-01T00:00:00Z'
                order by o.id""");
        assertThat(job.get("result").get("rows").asLong()).isGreaterThan(100_000);
        // notes with commas, quotes and newlines are in there: quoting must match too
        assertThat(new String(reference, StandardCharsets.UTF_8)).contains("\"leave at the \"\"back\"\" door\"");
        assertThat(ours.length).isEqualTo(reference.length);
        assertThat(Arrays.equals(ours, reference)).isTrue();
    }

    @Test
    void twoMillionRowsExportWithTheHeapCappedAt128MB() throws Exception {
        String id = jobs.submit(fullExport());
        JsonNode job = jobs.awaitSuccess(id, Duration.ofMinutes(3));
        assertThat(job.get("result").get("rows").asLong()).isEqualTo(ORDERS);
        assertThat(worker.alive()).isTrue();
        String url = job.get("artifacts").get(0).get("url").asText();
        assertThat(jobs.sha256(url)).isEqualTo(job.get("result").get("sha256").asText());
    }

    @Test
    void aWorkerKilledMidExportLeavesAByteIdenticalFileFinishedByAnother() throws Exception {
        String reference = jobs.awaitSuccess(jobs.submit(fullExport()), Duration.ofMinutes(3))
                .get("result").get("sha256").asText();

        String id = jobs.submit(fullExport());
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> {
            JsonNode progress = jobs.get(id).get("progress");
            return progress.get("done").asLong() >= 0.4 * ORDERS;
        });
        // kill it between a write and its commit: frozen while parts of a chunk are stored but the
        // chunk's checkpoint (which names the next part) is not committed; else let it run on
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
            worker.pause();
            if (partsPastCheckpoint(id) > 0) {
                worker.kill();
                return true;
            }
            worker.resume();
            return false;
        });
        long doneAtKill = jobs.get(id).get("progress").get("done").asLong();
        long orphans = partsPastCheckpoint(id);
        assertThat(orphans).isPositive();
        assertThat(jobs.get(id).get("state").asText()).isEqualTo("RUNNING");
        worker = App.start("worker", WORKER_ENV, "128m");

        JsonNode job = jobs.awaitSuccess(id, Duration.ofMinutes(3));
        assertThat(job.get("result").get("sha256").asText()).isEqualTo(reference);
        // the recorded digest was rebuilt from the stored parts on resume: it must be the file's
        assertThat(jobs.sha256(job.get("artifacts").get(0).get("url").asText())).isEqualTo(reference);
        assertThat(job.get("result").get("rows").asLong()).isEqualTo(ORDERS);
        assertThat(doneAtKill).isLessThan(ORDERS);
        List<String> events = Jobs.events(id);
        // taken over either by the rescue loop or by RabbitMQ redelivering the dead worker's
        // delivery once the lease ran out; both resume from the checkpoint
        assertThat(events).contains("resumed").endsWith("succeeded");
        // the second worker resumed from the checkpoint: one claim for the whole job
        assertThat(events.stream().filter("claimed"::equals)).hasSize(1);
    }

    @Test
    void rowsInsertedDuringAnExportAreNeitherDuplicatedNorLost() throws Exception {
        String id = jobs.submit("{\"kind\":\"export\",\"params\":{\"dataset\":\"orders\",\"columns\":[\"id\"]}}");
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> jobs.get(id).get("progress").get("done").asLong() > 0);
        try (Connection c = Jobs.db(); Statement s = c.createStatement()) {
            // behind the cursor (below every key) and ahead of it (above every key)
            s.executeUpdate("""
                    insert into shop.orders (id, customer_id, created_at, status, total_cents, currency)
                    select g, 1, now(), 'pending', 100, 'EUR' from generate_series(-50, -1) g
                    union all
                    select 10000000 + g, 1, now(), 'pending', 100, 'EUR' from generate_series(1, 50) g""");
        }
        try {
            JsonNode job = jobs.awaitSuccess(id, Duration.ofMinutes(2));
            String[] lines = new String(jobs.download(job.get("artifacts").get(0).get("url").asText()),
                    StandardCharsets.UTF_8).split("\n");
            Set<Long> ids = new HashSet<>();
            for (int i = 1; i < lines.length; i++) {
                assertThat(ids.add(Long.parseLong(lines[i]))).as("duplicate id %s", lines[i]).isTrue();
            }
            Set<Long> expected = new HashSet<>();
            for (long k = 1; k <= ORDERS; k++) expected.add(k);
            for (long k = 10_000_001; k <= 10_000_050; k++) expected.add(k);
            // every row that was there is there once; the rows ahead of the cursor arrived; the rows
            // behind it did not (their range was already done)
            assertThat(ids.equals(expected)).as("exported ids equal the expected set").isTrue();
        } finally {
            try (Connection c = Jobs.db(); Statement s = c.createStatement()) {
                s.executeUpdate("delete from shop.orders where id < 1 or id > 10000000");
            }
        }
    }

    @Test
    void aPartitionedExportOverTwoWorkersIsTheSameFileAndSurvivesAKilledWorker() throws Exception {
        String reference = jobs.awaitSuccess(jobs.submit(fullExport()), Duration.ofMinutes(3))
                .get("result").get("sha256").asText();
        App helper = App.start("worker", WORKER_ENV, "128m");
        try {
            String id = jobs.submit(fullExport().replaceFirst("\\}$", ",\"partitions\":4}"));
            await("4 children").atMost(Duration.ofSeconds(60)).until(() -> children(id).size() == 4);
            // kill -9 a worker while the partitions run: its children resume elsewhere from their checkpoints
            await("partitions under way").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> jobs.get(id).get("progress").get("done").asLong() > 0);
            helper.kill();

            JsonNode job = jobs.awaitSuccess(id, Duration.ofMinutes(4));
            assertThat(job.get("result").get("sha256").asText()).isEqualTo(reference);
            assertThat(job.get("result").get("rows").asLong()).isEqualTo(ORDERS);
            assertThat(job.get("partitions").asInt()).isEqualTo(4);
            assertThat(job.get("artifacts")).hasSize(1);
            assertThat(jobs.sha256(job.get("artifacts").get(0).get("url").asText())).isEqualTo(reference);
            List<JsonNode> children = children(id);
            assertThat(children).extracting(c -> c.get("state").asText()).containsOnly("SUCCEEDED");
            assertThat(children.stream().mapToLong(c -> c.get("result").get("rows").asLong()).sum()).isEqualTo(ORDERS);
            // each partition's file became part of the parent's
            assertThat(children).allSatisfy(c -> assertThat(c.get("artifacts")).isEmpty());
            // the dashboard lists the partitions on the parent's page, and names the parent on each child's
            String page = jobs.page("/ui/jobs/" + id);
            assertThat(page).contains("Partitions");
            children.forEach(c -> assertThat(page).contains("/ui/jobs/" + c.get("id").asText()));
            JsonNode first = children.stream().filter(c -> c.get("partition").get("index").asInt() == 0).findFirst().orElseThrow();
            assertThat(jobs.page("/ui/jobs/" + first.get("id").asText())).contains("1 of 4 of").contains(id);
        } finally {
            helper.close();
        }
    }

    @Test
    void aPartitionedReportMergesItsPartitionsIntoTheSameReport() throws Exception {
        String params = "\"params\":{\"report\":\"sales-daily\",\"from\":\"2025-01-01\",\"to\":\"2026-01-01\"}";
        String plain = jobs.submit("{\"kind\":\"report\"," + params + "}");
        String split = jobs.submit("{\"kind\":\"report\"," + params + ",\"partitions\":3}");
        JsonNode one = jobs.awaitSuccess(plain, Duration.ofMinutes(2));
        JsonNode three = jobs.awaitSuccess(split, Duration.ofMinutes(2));
        assertThat(children(split)).hasSize(3);
        assertThat(three.get("result").get("orders")).isEqualTo(one.get("result").get("orders"));
        assertThat(three.get("result").get("revenueCents")).isEqualTo(one.get("result").get("revenueCents"));
        String csv = "/artifacts/sales-daily-2025-01-01-2026-01-01.csv";
        assertThat(jobs.download("/api/jobs/" + split + csv)).isEqualTo(jobs.download("/api/jobs/" + plain + csv));
    }

    private static List<JsonNode> children(String parentId) throws Exception {
        var response = jobs.call("GET", "/api/jobs?parentId=" + parentId, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<JsonNode> children = new java.util.ArrayList<>();
        Jobs.JSON.readTree(response.body()).get("items").forEach(children::add);
        return children;
    }

    @Test
    void theSalesDailyReportEqualsOneGroupByAndRendersASelfContainedPage() throws Exception {
        String id = jobs.submit("{\"kind\":\"report\",\"params\":{\"report\":\"sales-daily\",\"from\":\"2025-01-01\","
                + "\"to\":\"2026-01-01\",\"emailTo\":\"finance@example.com\"}}");
        JsonNode job = jobs.awaitSuccess(id, Duration.ofMinutes(2));
        String base = "/api/jobs/" + id + "/artifacts/sales-daily-2025-01-01-2026-01-01";
        byte[] csv = jobs.download(base + ".csv");
        byte[] reference = Jobs.psqlCopy("""
                select to_char(o.created_at at time zone 'UTC', 'YYYY-MM-DD') as day, c.country::text as country,
                       count(*) as orders, sum(o.total_cents) as revenue_cents
                from shop.orders o join shop.customers c on c.id = o.customer_id
                where o.status in ('paid', 'shipped') and o.created_at >= '2025-01-01T00:00:00Z'
                  and o.created_at < '2026-01-01T00:00:00Z'
                group by 1, 2 order by 1, 2""");
        assertThat(new String(csv, StandardCharsets.UTF_8)).isEqualTo(new String(reference, StandardCharsets.UTF_8));
        assertThat(job.get("result").get("rows").asInt()).isGreaterThan(300);

        String html = new String(jobs.download(base + ".html"), StandardCharsets.UTF_8);
        assertThat(html).contains("<svg", "<rect", "Sales by day and country", "2025-01-01");
        // readable offline: nothing to fetch, nothing to run
        assertThat(html).doesNotContain("<script", "src=", "href=", "@import", "url(");

        // and it was mailed: the page as the body, the CSV attached
        await().atMost(Duration.ofSeconds(30)).until(() -> smtp.getReceivedMessages().length >= 1);
        var mail = smtp.getReceivedMessages()[0];
        assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("finance@example.com");
        assertThat(mail.getSubject()).contains("Sales by day and country");
        String raw = new String(mail.getRawInputStream().readAllBytes(), StandardCharsets.UTF_8)
                + com.icegreen.greenmail.util.GreenMailUtil.getWholeMessage(mail);
        assertThat(raw).contains("sales-daily-2025-01-01-2026-01-01.csv");
    }

    @Test
    void aRunningExportCancelledThroughTheApiStopsWithinTenSecondsAndLeavesNoFile() throws Exception {
        String id = jobs.submit(fullExport());
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> jobs.get(id).get("progress").get("done").asLong() > 0);
        long t0 = System.nanoTime();
        assertThat(jobs.post("/api/jobs/" + id + "/cancel").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> "CANCELLED".equals(jobs.get(id).get("state").asText()));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        JsonNode job = jobs.get(id);
        assertThat(job.get("progress").get("done").asLong()).isLessThan(ORDERS);
        assertThat(job.get("artifacts")).isEmpty();
        assertThat(count("longhaul.artifact where job_id = '" + id + "'")).isZero();
    }

    @Test
    void anExportSurvivesAPostgresqlRestartAndCompletesWithTheSameFile() throws Exception {
        String reference = jobs.awaitSuccess(jobs.submit(fullExport()), Duration.ofMinutes(3)).get("result").get("sha256").asText();
        String id = jobs.submit(fullExport());
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> jobs.get(id).get("progress").get("done").asLong() >= 0.2 * ORDERS);

        // every connection of every app is cut, and the database is away for a moment
        // (a start right after a stop can find the old postmaster still leaving: it is tried again)
        Process restart = new ProcessBuilder("bash", "-c", """
                read -r version cluster _ < <(pg_lsclusters -h | head -n 1)
                pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" stop -m fast
                for i in $(seq 1 60); do
                  pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start && exit 0
                  sleep 0.5
                done
                exit 1""")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(restart.waitFor()).isZero();

        JsonNode job = jobs.awaitSuccess(id, Duration.ofMinutes(3));
        assertThat(job.get("result").get("rows").asLong()).isEqualTo(ORDERS);
        assertThat(job.get("result").get("sha256").asText()).isEqualTo(reference);
        assertThat(jobs.sha256(job.get("artifacts").get(0).get("url").asText())).isEqualTo(reference);
        assertThat(worker.alive()).isTrue();
    }

    /** Stored parts of the job's file at or after the part its committed checkpoint names next. */
    private static long partsPastCheckpoint(String jobId) throws Exception {
        return count("longhaul.artifact_part p join longhaul.artifact a on a.id = p.artifact_id "
                + "join longhaul.job j on j.id = a.job_id where j.id = '" + jobId + "' "
                + "and p.seq >= (j.checkpoint -> 'state' ->> 'part')::int");
    }

    private static long count(String from) throws Exception {
        try (Connection c = Jobs.db(); var s = c.createStatement(); var rs = s.executeQuery("select count(*) from " + from)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String fullExport() {
        return "{\"kind\":\"export\",\"params\":{\"dataset\":\"orders\","
                + "\"columns\":[\"id\",\"created_at\",\"status\",\"total_cents\",\"customer_email\"]}}";
    }
}
