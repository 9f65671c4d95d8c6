package dev.longhaul.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an operator watches, from the packaged apps: a job's trace id in its JSON and in the
 * worker's log, and every metric the Grafana dashboard ({@code deploy/grafana/longhaul.json})
 * queries, served by the apps once they have done some work.
 */
class ObservabilityE2ETest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern METRIC = Pattern.compile("longhaul_[a-z_]+");

    private static App api;
    private static App worker;
    private static App scheduler;
    private static Jobs jobs;

    @BeforeAll
    static void start() throws Exception {
        api = App.start("api");
        worker = App.start("worker");
        scheduler = App.start("scheduler");
        jobs = new Jobs(api);
        try (Connection c = Jobs.db(); Statement s = c.createStatement()) {
            s.execute("delete from shop.customers where id > 8100000 and id <= 8100050");
            s.execute("""
                    insert into shop.customers (id, email, name, country, created_at, status)
                    select 8100000 + g, 'watched' || g || '@example.com', 'Watched ' || g, 'DE', now(), 'active'
                    from generate_series(1, 50) g""");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (App app : new App[] {scheduler, worker, api}) if (app != null) app.close();
    }

    @Test
    void jobsCarryTheirTraceAndEveryMetricTheDashboardQueriesIsServed() throws Exception {
        // work that moves every meter: a chunked export, a job that fails once and is retried
        String export = jobs.submit("""
                {"kind":"export","params":{"dataset":"customers","columns":["id","email"],
                 "filter":[{"field":"id","op":"between","value":[8100001,8100050]}]}}""");
        String flaky = jobs.submit("{\"kind\":\"fail\",\"params\":{\"attempts\":1},\"maxAttempts\":3}");
        String traceId = jobs.awaitSuccess(export, Duration.ofSeconds(60)).path("traceId").asText();
        jobs.awaitSuccess(flaky, Duration.ofSeconds(60));

        // the job's trace is its submit's, and the worker's log lines about the job carry it
        assertThat(traceId).matches("[0-9a-f]{32}");
        assertThat(Files.readAllLines(worker.log)).anySatisfy(line -> assertThat(line).contains(export).contains(traceId));

        Set<String> wanted = new TreeSet<>();
        Matcher m = METRIC.matcher(Files.readString(App.ROOT.resolve("deploy/grafana/longhaul.json")));
        while (m.find()) wanted.add(m.group());
        assertThat(wanted).as("metrics the dashboard queries").isNotEmpty();

        await("every dashboard metric served").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(served()).containsAll(wanted));
        String workerMetrics = metrics(worker);
        assertThat(workerMetrics).contains("longhaul_jobs_finished_total{kind=\"export\",state=\"SUCCEEDED\"}")
                .contains("longhaul_retries_total{kind=\"fail\"}");
        assertThat(sample(workerMetrics, "longhaul_chunk_rows_total{kind=\"export\"}")).isGreaterThanOrEqualTo(50);
    }

    /** The longhaul_* names the three apps serve. */
    private static Set<String> served() throws Exception {
        Set<String> names = new TreeSet<>();
        for (App app : new App[] {api, worker, scheduler}) {
            names.addAll(metrics(app).lines().filter(l -> l.startsWith("longhaul_"))
                    .map(l -> l.replaceAll("[{ ].*", "")).collect(Collectors.toSet()));
        }
        return names;
    }

    private static String metrics(App app) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(app.managementUrl("/q/metrics"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static double sample(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }
}
