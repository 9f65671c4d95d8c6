package dev.longhaul.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Jobs that wait for others, across two worker processes: {@code dependsOn} holds a job in
 * {@code WAITING} until its dependencies succeed, and cancels it when one fails; a batch's
 * {@code then} runs exactly once, after the batch's last job, and sees their counts by state.
 */
class DependenciesE2ETest {
    private static App api;
    private static App first;
    private static App second;
    private static Jobs jobs;

    @BeforeAll
    static void start() throws Exception {
        api = App.start("api", Map.of("LONGHAUL_DISPATCH_REPUBLISH_EVERY", "1s"));
        first = App.start("worker");
        second = App.start("worker");
        jobs = new Jobs(api);
    }

    @AfterAll
    static void stop() throws Exception {
        for (App app : new App[] {second, first, api}) if (app != null) app.close();
    }

    @Test
    void aJobWaitsForItsDependenciesAndRunsOnceTheyHaveSucceeded() throws Exception {
        String slow = jobs.submit("{\"kind\":\"sleep\",\"params\":{\"seconds\":1.5}}");
        String quick = jobs.submit("{\"kind\":\"noop\"}");
        String after = jobs.submit("{\"kind\":\"noop\",\"dependsOn\":[\"" + slow + "\",\"" + quick + "\"]}");
        assertThat(jobs.get(after).get("state").asText()).isEqualTo("WAITING");

        JsonNode done = jobs.awaitSuccess(after, Duration.ofSeconds(60));
        JsonNode dependency = jobs.get(slow);
        assertThat(Instant.parse(done.get("startedAt").asText()))
                .isAfterOrEqualTo(Instant.parse(dependency.get("finishedAt").asText()));
        assertThat(done.get("dependencyStates").get("SUCCEEDED").asInt()).isEqualTo(2);
        assertThat(Jobs.events(after)).containsExactly("released", "claimed", "succeeded");
    }

    @Test
    void aJobWhoseDependencyFailsIsCancelledWithThatReason() throws Exception {
        String failing = jobs.submit("{\"kind\":\"fail\",\"params\":{\"message\":\"on purpose\"},\"maxAttempts\":1}");
        String waiting = jobs.submit("{\"kind\":\"noop\",\"dependsOn\":[\"" + failing + "\"]}");
        String further = jobs.submit("{\"kind\":\"noop\",\"dependsOn\":[\"" + waiting + "\"]}");

        await("cancelled down the chain").atMost(Duration.ofSeconds(60))
                .until(() -> jobs.get(further).get("state").asText().equals("CANCELLED"));
        JsonNode cancelled = jobs.get(waiting);
        assertThat(cancelled.get("state").asText()).isEqualTo("CANCELLED");
        assertThat(cancelled.get("error").asText()).contains(failing).contains("FAILED");
        assertThat(cancelled.get("startedAt").isNull()).isTrue();
        assertThat(jobs.get(further).get("error").asText()).contains(waiting).contains("CANCELLED");
    }

    @Test
    void aJobDependingOnOneThatAlreadySucceededRunsAtOnce() throws Exception {
        String earlier = jobs.submit("{\"kind\":\"noop\"}");
        jobs.awaitSuccess(earlier, Duration.ofSeconds(30));
        String later = jobs.submit("{\"kind\":\"noop\",\"dependsOn\":[\"" + earlier + "\"]}");
        jobs.awaitSuccess(later, Duration.ofSeconds(30));
    }

    @Test
    void aBatchsThenRunsOnceAfterItsLastJobAndSeesTheirCounts() throws Exception {
        var response = jobs.call("POST", "/api/jobs/batch", """
                {"jobs":[{"kind":"sleep","params":{"seconds":0.5}},{"kind":"sleep","params":{"seconds":1}},
                         {"kind":"sleep","params":{"seconds":2}},
                         {"kind":"fail","params":{"message":"one of the batch"},"maxAttempts":1}],
                 "then":{"kind":"noop"}}""");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode body = Jobs.JSON.readTree(response.body());
        List<String> batch = new ArrayList<>();
        body.get("jobs").forEach(j -> batch.add(j.get("id").asText()));
        String then = body.get("then").get("id").asText();
        assertThat(body.get("then").get("state").asText()).isEqualTo("WAITING");

        JsonNode done = jobs.awaitSuccess(then, Duration.ofSeconds(60));
        Instant lastFinished = batch.stream().map(this::finishedAt).max(Instant::compareTo).orElseThrow();
        assertThat(Instant.parse(done.get("startedAt").asText())).isAfterOrEqualTo(lastFinished);
        assertThat(done.get("dependencyStates").get("SUCCEEDED").asInt()).isEqualTo(3);
        assertThat(done.get("dependencyStates").get("FAILED").asInt()).isEqualTo(1);
        // exactly once: one release, one claim, one success, whichever worker or sweeper saw the end
        assertThat(Jobs.events(then)).containsExactly("released", "claimed", "succeeded");
    }

    @Test
    void badDependenciesAreRefusedNamingTheField() throws Exception {
        var unknown = jobs.call("POST", "/api/jobs", "{\"kind\":\"noop\",\"dependsOn\":[\"0190a000-0000-7000-8000-000000000000\"]}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("dependsOn[0]").contains("no job");
        String known = jobs.submit("{\"kind\":\"noop\"}");
        var withRunAt = jobs.call("POST", "/api/jobs", "{\"kind\":\"noop\",\"dependsOn\":[\"" + known
                + "\"],\"runAt\":\"2099-01-01T00:00:00Z\"}");
        assertThat(withRunAt.statusCode()).isEqualTo(400);
        assertThat(withRunAt.body()).contains("runAt");
        var twice = jobs.call("POST", "/api/jobs", "{\"kind\":\"noop\",\"dependsOn\":[\"" + known + "\",\"" + known + "\"]}");
        assertThat(twice.statusCode()).isEqualTo(400);
        assertThat(twice.body()).contains("dependsOn[1]");
        var partitioned = jobs.call("POST", "/api/jobs", "{\"kind\":\"noop\",\"partitions\":4}");
        assertThat(partitioned.statusCode()).isEqualTo(400);
        assertThat(partitioned.body()).contains("partitions").contains("export");
        var thenless = jobs.call("POST", "/api/jobs/batch", "{\"jobs\":[{\"kind\":\"noop\"}],\"then\":{\"kind\":\"nope\"}}");
        assertThat(thenless.statusCode()).isEqualTo(400);
        assertThat(thenless.body()).contains("then.kind");
    }

    private Instant finishedAt(String id) {
        try {
            return Instant.parse(jobs.get(id).get("finishedAt").asText());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
