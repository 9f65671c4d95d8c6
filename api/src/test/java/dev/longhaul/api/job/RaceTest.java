package dev.longhaul.api.job;

import static dev.longhaul.api.TestKeys.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Requests that race each other get answers, never a 500. */
@QuarkusTest
class RaceTest {
    @Test
    void concurrentSubmitsWithOneIdempotencyKeyMakeOneJob() throws Exception {
        String key = "race-" + UUID.randomUUID();
        List<Response> responses = race(8, () -> given().header("Idempotency-Key", key).contentType("application/json")
                .body("{\"kind\":\"noop\",\"runAt\":\"2099-01-01T00:00:00Z\"}").post("/api/jobs"));
        assertThat(responses).extracting(Response::statusCode).containsOnly(202);
        Set<String> ids = responses.stream().map(r -> r.jsonPath().getString("id")).collect(Collectors.toSet());
        assertThat(ids).hasSize(1);
    }

    @Test
    void aScheduleNameTakenTwiceIsAProblemNotA500() throws Exception {
        String body = "{\"name\":\"twice-" + UUID.randomUUID() + "\",\"cron\":\"0 0 3 * * ?\",\"timezone\":\"UTC\","
                + "\"job\":{\"kind\":\"noop\"},\"enabled\":false}";
        List<Response> responses = race(4, () -> given().contentType("application/json").body(body).post("/api/schedules"));
        assertThat(responses).extracting(Response::statusCode).containsOnlyOnce(201).doesNotContain(500);
        for (Response r : responses) {
            if (r.statusCode() != 201) {
                assertThat(r.contentType()).startsWith("application/problem+json");
                assertThat(r.jsonPath().getString("errors[0].field")).isEqualTo("name");
            }
        }
        // and one after the race, in sequence
        Response again = given().contentType("application/json").body(body).post("/api/schedules");
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(again.jsonPath().getString("errors[0].field")).isEqualTo("name");
    }

    private static List<Response> race(int n, java.util.concurrent.Callable<Response> request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Response>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(pool.submit(() -> {
                start.await();
                return request.call();
            }));
        }
        start.countDown();
        List<Response> responses = new ArrayList<>();
        for (Future<Response> f : futures) responses.add(f.get());
        pool.shutdown();
        return responses;
    }
}
