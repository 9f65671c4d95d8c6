package dev.longhaul.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A lane's controls across two worker processes: a concurrency limit is never exceeded, a paused
 * lane starts nothing until resumed, a job of higher priority overtakes a backlog, jobs that share
 * a concurrency key run no more than its limit at once, and a tenant's job is not stuck behind
 * another tenant's backlog.
 */
class FlowControlE2ETest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static App api;
    private static App first;
    private static App second;
    private static Jobs jobs;

    @BeforeAll
    static void start() throws Exception {
        api = App.start("api", java.util.Map.of("LONGHAUL_DISPATCH_REPUBLISH_EVERY", "1s"));
        first = App.start("worker");
        second = App.start("worker");
        jobs = new Jobs(api);
    }

    @AfterAll
    static void stop() throws Exception {
        for (App app : new App[] {second, first, api}) if (app != null) app.close();
    }

    @AfterEach
    void clearControls() throws Exception {
        send("POST", "/api/queues/default/resume", null);
        send("PATCH", "/api/queues/default", "{\"concurrency\":null,\"ratePerSecond\":null}");
    }

    @Test
    void aLaneLimitedToThreeNeverRunsMoreThanThreeAcrossWorkers() throws Exception {
        send("PATCH", "/api/queues/default", "{\"concurrency\":3}");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) ids.add(jobs.submit("{\"kind\":\"sleep\",\"params\":{\"seconds\":2}}"));
        AtomicInteger most = new AtomicInteger();
        await("12 jobs through a limit of 3").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50)).until(() -> {
            most.accumulateAndGet(number("select count(*) from longhaul.job where queue = 'default' and state = 'RUNNING'"),
                    Math::max);
            return number("select count(*) from longhaul.job where id in (" + quoted(ids) + ") and state = 'SUCCEEDED'") == 12;
        });
        assertThat(most.get()).as("most RUNNING at once").isBetween(1, 3);
    }

    @Test
    void aPausedLaneStartsNothingAndResumedRunsEverything() throws Exception {
        send("POST", "/api/queues/default/pause", null);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) ids.add(jobs.submit("{\"kind\":\"noop\"}"));
        await("nothing starts while paused").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4))
                .until(() -> number("select count(*) from longhaul.job where id in (" + quoted(ids) + ") and started_at is not null") == 0);
        send("POST", "/api/queues/default/resume", null);
        for (String id : ids) jobs.awaitSuccess(id, Duration.ofSeconds(30));
    }

    @Test
    void jobsSharingAConcurrencyKeyRunNoMoreThanItsLimitAcrossWorkers() throws Exception {
        String one = "acct-" + System.nanoTime();
        String two = one + "-two";
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(jobs.submit("{\"kind\":\"sleep\",\"params\":{\"seconds\":0.5},\"concurrencyKey\":\"" + one + "\"}"));
            ids.add(jobs.submit("{\"kind\":\"sleep\",\"params\":{\"seconds\":0.5},\"concurrencyKey\":\"" + two
                    + "\",\"concurrencyLimit\":2}"));
        }
        AtomicInteger mostOne = new AtomicInteger();
        AtomicInteger mostTwo = new AtomicInteger();
        await("12 keyed jobs").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(25)).until(() -> {
            mostOne.accumulateAndGet(number("select count(*) from longhaul.job where concurrency_key = '" + one
                    + "' and state = 'RUNNING'"), Math::max);
            mostTwo.accumulateAndGet(number("select count(*) from longhaul.job where concurrency_key = '" + two
                    + "' and state = 'RUNNING'"), Math::max);
            return number("select count(*) from longhaul.job where id in (" + quoted(ids) + ") and state = 'SUCCEEDED'") == 12;
        });
        assertThat(mostOne.get()).as("most RUNNING of key %s (limit 1)", one).isEqualTo(1);
        assertThat(mostTwo.get()).as("most RUNNING of key %s (limit 2)", two).isBetween(1, 2);
    }

    @Test
    void aHigherPriorityOvertakesABacklog() throws Exception {
        send("PATCH", "/api/queues/default", "{\"concurrency\":1}");
        List<String> backlog = new ArrayList<>();
        String sleeps = String.join(",", java.util.Collections.nCopies(200, "{\"kind\":\"sleep\",\"params\":{\"seconds\":0.1}}"));
        Jobs.JSON.readTree(send("POST", "/api/jobs/batch", "{\"jobs\":[" + sleeps + "]}")).get("jobs")
                .forEach(j -> backlog.add(j.get("id").asText()));
        String urgent = jobs.submit("{\"kind\":\"noop\",\"priority\":9}");
        jobs.awaitSuccess(urgent, Duration.ofSeconds(60));
        long startedBefore = number("select count(*) from longhaul.job where id in (" + quoted(backlog)
                + ") and started_at < (select started_at from longhaul.job where id = '" + urgent + "')");
        assertThat(startedBefore).as("backlog jobs started before the priority 9 job").isLessThan(5);
        // the rest may run at once, and none waits for the stale-job republish (stale-after, 60 s):
        // a delivery whose job a chooser claim took for another delivery claims that one instead
        send("PATCH", "/api/queues/default", "{\"concurrency\":null}");
        await().atMost(Duration.ofSeconds(45)).until(() ->
                number("select count(*) from longhaul.job where id in (" + quoted(backlog) + ") and state = 'SUCCEEDED'") == 200);
    }

    @Test
    void twoTenantsShareALaneFairly() throws Exception {
        String busyTenant = "busy-" + System.nanoTime();
        String busy = key(busyTenant);
        String quiet = key("quiet-" + System.nanoTime());
        // two slots for the lane across both workers, and 2,000 jobs of a tenant ahead: in order of
        // arrival the quiet tenant's job would wait about 100 s
        send("PATCH", "/api/queues/default", "{\"concurrency\":2}");
        String sleeps = String.join(",", java.util.Collections.nCopies(1000, "{\"kind\":\"sleep\",\"params\":{\"seconds\":0.1}}"));
        for (int i = 0; i < 2; i++) send("POST", "/api/jobs/batch", "{\"jobs\":[" + sleeps + "]}", busy);
        await("the busy tenant's backlog has started").atMost(Duration.ofSeconds(30))
                .until(() -> number("select count(*) from longhaul.job where tenant = '" + busyTenant + "' and started_at is not null") > 0);
        String lone = Jobs.JSON.readTree(send("POST", "/api/jobs", "{\"kind\":\"noop\"}", quiet)).get("id").asText();

        await("the quiet tenant's job starts").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> number("select count(*) from longhaul.job where id = '" + lone + "' and started_at is not null") == 1);
        int waited = number("select extract(epoch from started_at - created_at) * 1000 from longhaul.job where id = '" + lone + "'");
        int backlogLeft = number("select count(*) from longhaul.job where tenant = '" + busyTenant + "' and state = 'QUEUED'");
        assertThat(waited).as("ms the quiet tenant's job waited behind the busy one's backlog").isLessThan(2000);
        assertThat(backlogLeft).as("the busy tenant's jobs still waiting when it started").isGreaterThan(1500);

        // the backlog then drains at once, each job on its own message or a delivery that claimed it,
        // none waiting for the stale-job republish (60 s)
        send("PATCH", "/api/queues/default", "{\"concurrency\":null}");
        await("the backlog drains").atMost(Duration.ofSeconds(45))
                .until(() -> number("select count(*) from longhaul.job where tenant = '" + busyTenant + "' and state <> 'SUCCEEDED'") == 0);
    }

    /** A new API key of its own tenant (named by the key's name), with the submit and read roles. */
    private static String key(String name) throws Exception {
        String body = "{\"name\":\"" + name + "\",\"tenant\":\"" + name + "\",\"roles\":[\"submit\",\"read\"]}";
        return Jobs.JSON.readTree(send("POST", "/api/keys", body)).get("key").asText();
    }

    private static String send(String method, String path, String body) throws Exception {
        return send(method, path, body, App.ADMIN_KEY);
    }

    private static String send(String method, String path, String body, String key) throws Exception {
        var request = api.request(path).setHeader("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isBetween(200, 299);
        return response.body();
    }

    private static String quoted(List<String> ids) {
        return String.join(",", ids.stream().map(id -> "'" + id + "'").toList());
    }

    private static int number(String query) throws Exception {
        try (Connection c = Jobs.db(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
