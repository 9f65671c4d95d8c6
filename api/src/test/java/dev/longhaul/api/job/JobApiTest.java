package dev.longhaul.api.job;

import static dev.longhaul.api.TestKeys.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The job API against a real PostgreSQL and RabbitMQ (database and vhost longhaul_test_api). */
@QuarkusTest
class JobApiTest {
    @Inject
    AgroalDataSource db;

    @Test
    void submitReturns202WithTheJobAndItsLocationAndPublishesIt() throws SQLException {
        Response response = given().contentType("application/json")
                .body("{\"kind\":\"sleep\",\"params\":{\"seconds\":2},\"priority\":3,\"maxAttempts\":2}")
                .post("/api/jobs");
        response.then().statusCode(202)
                .header("Location", matchesPattern(".*/api/jobs/[0-9a-f-]{36}$"))
                .body("kind", equalTo("sleep"))
                .body("state", equalTo("QUEUED"))
                .body("params.seconds", equalTo(2))
                .body("priority", equalTo(3))
                .body("maxAttempts", equalTo(2))
                .body("attempt", equalTo(0))
                .body("createdAt", matchesPattern("\\d{4}-\\d\\d-\\d\\dT.*Z"))
                .body("progress.done", equalTo(0))
                .body("artifacts", notNullValue());
        String id = response.path("id");

        // the row committed before the 202; the publish marker clears once RabbitMQ confirmed
        assertThat(queryLong("select count(*) from longhaul.job where id = '" + id + "'")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(queryLong("select count(*) from longhaul.job where id = '" + id + "' and not to_publish"))
                        .isEqualTo(1));

        given().get("/api/jobs/" + id).then().statusCode(200)
                .body("id", equalTo(id))
                .body("createdAt", equalTo(response.path("createdAt")));
    }

    @Test
    void aFutureRunAtIsScheduledAndCanBeCancelled() {
        String id = given().contentType("application/json")
                .body("{\"kind\":\"noop\",\"runAt\":\"2100-01-01T00:00:00Z\"}")
                .post("/api/jobs").then().statusCode(202)
                .body("state", equalTo("SCHEDULED")).extract().path("id");
        given().post("/api/jobs/" + id + "/cancel").then().statusCode(200)
                .body("state", equalTo("CANCELLED"))
                .body("finishedAt", notNullValue());
        // cancelling again is a no-op
        given().post("/api/jobs/" + id + "/cancel").then().statusCode(200).body("state", equalTo("CANCELLED"));
    }

    @Test
    void theSameIdempotencyKeyAndBodyGiveTheSameJobAndADifferentBodyA409() throws SQLException {
        String key = "order-" + UUID.randomUUID();
        String first = given().contentType("application/json").header("Idempotency-Key", key)
                .body("{\"kind\":\"sleep\",\"params\":{\"seconds\":1}}")
                .post("/api/jobs").then().statusCode(202).extract().path("id");
        // same content, other key order and spacing
        given().contentType("application/json").header("Idempotency-Key", key)
                .body("{ \"params\": {\"seconds\": 1}, \"kind\": \"sleep\" }")
                .post("/api/jobs").then().statusCode(202)
                .body("id", equalTo(first))
                .header("Idempotent-Replayed", "true");
        given().contentType("application/json").header("Idempotency-Key", key)
                .body("{\"kind\":\"sleep\",\"params\":{\"seconds\":2}}")
                .post("/api/jobs").then().statusCode(409)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("Idempotency-Key"));
        assertThat(queryLong("select count(*) from longhaul.job where idempotency_key = '" + key + "'")).isEqualTo(1);
    }

    @Test
    void theListPagesByKeysetNewestFirst() {
        String body = IntStream.range(0, 5).mapToObj(i -> "{\"kind\":\"sleep\",\"params\":{\"seconds\":" + i
                + "},\"runAt\":\"2100-01-01T00:00:00Z\"}").collect(Collectors.joining(",", "{\"jobs\":[", "]}"));
        List<String> created = given().contentType("application/json").body(body)
                .post("/api/jobs/batch").then().statusCode(202).extract().path("jobs.id");
        assertThat(created).hasSize(5);

        List<String> seen = new ArrayList<>();
        String after = null;
        do {
            var request = given().queryParam("state", "scheduled").queryParam("kind", "sleep").queryParam("limit", 2);
            if (after != null) request.queryParam("after", after);
            Response page = request.get("/api/jobs");
            page.then().statusCode(200);
            List<String> ids = page.path("items.id");
            assertThat(ids.size()).isLessThanOrEqualTo(2);
            seen.addAll(ids);
            after = page.path("next");
        } while (after != null);

        List<String> ours = seen.stream().filter(created::contains).toList();
        assertThat(ours).containsExactlyElementsOf(created.reversed());
        assertThat(seen).doesNotHaveDuplicates();
    }

    @Test
    void aFinishedJobCannotBeCancelled() throws SQLException {
        String id = given().contentType("application/json").body("{\"kind\":\"noop\"}")
                .post("/api/jobs").then().statusCode(202).extract().path("id");
        // a job some worker finished
        update("update longhaul.job set state = 'SUCCEEDED', finished_at = now(), to_publish = false where id = '" + id + "'");
        given().post("/api/jobs/" + id + "/cancel").then().statusCode(409)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("state"));
    }

    @Test
    void aFailedJobIsRetriedFromScratchWithItsOutputRemovedAndItsHistoryKept() throws SQLException {
        String id = given().contentType("application/json").body("{\"kind\":\"noop\",\"maxAttempts\":2}")
                .post("/api/jobs").then().statusCode(202).extract().path("id");
        // a job that used its attempts and left a partial file behind
        update("update longhaul.job set state = 'FAILED', attempt = 2, error = 'boom', finished_at = now(), "
                + "to_publish = false, checkpoint = '{\"lastKey\":[\"7\"]}' where id = '" + id + "'");
        update("insert into longhaul.job_event (job_id, at, type, attempt, detail) values ('" + id + "', now(), 'failed', 2, 'boom')");
        update("insert into longhaul.artifact (job_id, name, content_type, created_at) values ('" + id + "', 'part.csv', 'text/csv', now())");

        given().post("/api/jobs/" + id + "/retry").then().statusCode(202)
                .body("state", equalTo("QUEUED")).body("attempt", equalTo(0)).body("artifacts.size()", equalTo(0));
        assertThat(queryLong("select count(*) from longhaul.job where id = '" + id + "' and checkpoint is null and error is null")).isEqualTo(1);
        given().get("/api/jobs/" + id + "/events").then().statusCode(200)
                .body("type", org.hamcrest.Matchers.contains("failed", "retried"))
                .body("[0].detail", equalTo("boom"));
        // only a failed or cancelled job can be retried
        given().post("/api/jobs/" + id + "/retry").then().statusCode(409).contentType("application/problem+json");
        given().post("/api/jobs/0190f000-0000-7000-8000-000000000000/retry").then().statusCode(404);
    }

    @Test
    void workersAreListedWithTheJobsTheyRun() throws SQLException {
        String id = given().contentType("application/json").body("{\"kind\":\"noop\"}")
                .post("/api/jobs").then().statusCode(202).extract().path("id");
        update("insert into longhaul.worker (id, host, pid, started_at, last_seen, concurrency, running) "
                + "values ('test-host:42', 'test-host', 42, now(), now(), 8, 1) on conflict (id) do nothing");
        update("update longhaul.job set state = 'RUNNING', attempt = 1, started_at = now(), lease_owner = 'test-host:42', "
                + "lease_token = gen_random_uuid(), lease_expires_at = now() + interval '1 minute', to_publish = false where id = '" + id + "'");
        given().get("/api/workers").then().statusCode(200)
                .body("find { it.id == 'test-host:42' }.host", equalTo("test-host"))
                .body("find { it.id == 'test-host:42' }.concurrency", equalTo(8))
                .body("find { it.id == 'test-host:42' }.runningJobs", org.hamcrest.Matchers.hasItem(id));
    }

    @Test
    void theDatabaseRefusesAnUnknownState() {
        String id = given().contentType("application/json").body("{\"kind\":\"noop\"}")
                .post("/api/jobs").then().statusCode(202).extract().path("id");
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                update("update longhaul.job set state = 'PAUSED' where id = '" + id + "'"))
                .hasMessageContaining("job_state_known");
    }

    long queryLong(String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    void update(String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate(sql);
        }
    }
}
