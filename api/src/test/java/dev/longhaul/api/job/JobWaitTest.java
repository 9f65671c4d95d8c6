package dev.longhaul.api.job;

import static dev.longhaul.api.TestKeys.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/jobs/{id}?wait=N} answers when the job ends, woken by the database's
 * notification, or after N seconds with the job as it stands. The api tests run no worker: a job
 * is ended here by an UPDATE of its row, as a worker's completion would.
 */
@QuarkusTest
class JobWaitTest {
    @Inject
    AgroalDataSource db;
    @Inject
    JobEnds ends;

    @Test
    void aWaitingRequestIsAnsweredWhenTheJobEnds() throws Exception {
        String id = submit();
        CompletableFuture<Response> waiting = waitFor(id, 30);

        end(id, "SUCCEEDED");
        // the waiter reads its job again every 5 s without a notification; this is well within that
        Response answer = await().atMost(Duration.ofSeconds(3)).until(() -> waiting.getNow(null), r -> r != null);
        answer.then().statusCode(200).body("id", equalTo(id)).body("state", equalTo("SUCCEEDED"));
        assertThat(ends.waiting()).isZero();
    }

    @Test
    void theWaitOutlivesALostListenConnection() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(ends::listening);
        sql("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() "
                + "and application_name = '" + JobEnds.APPLICATION_NAME + "'");
        await().atMost(Duration.ofSeconds(10)).until(() -> !ends.listening());
        await().atMost(Duration.ofSeconds(10)).until(ends::listening);

        String id = submit();
        CompletableFuture<Response> waiting = waitFor(id, 30);
        end(id, "CANCELLED");
        Response answer = await().atMost(Duration.ofSeconds(3)).until(() -> waiting.getNow(null), r -> r != null);
        answer.then().statusCode(200).body("state", equalTo("CANCELLED"));
    }

    @Test
    void aWaitEndsAfterItsSecondsWithTheJobAsItStands() throws Exception {
        String id = submit();
        long began = System.nanoTime();
        given().queryParam("wait", 1).get("/api/jobs/" + id).then().statusCode(200).body("state", equalTo("QUEUED"));
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(ends.waiting()).isZero();
    }

    @Test
    void anEndedJobIsAnsweredAtOnceAndABadWaitIsRefused() throws Exception {
        String id = submit();
        end(id, "FAILED");
        given().queryParam("wait", 60).get("/api/jobs/" + id).then().statusCode(200).body("state", equalTo("FAILED"));
        for (String bad : new String[] {"-1", "61", "soon", "1.5"}) {
            given().queryParam("wait", bad).get("/api/jobs/" + id).then().statusCode(400)
                    .contentType("application/problem+json").body("errors.field", hasItem("wait"));
        }
    }

    private String submit() {
        return given().contentType("application/json").body("{\"kind\":\"noop\"}").post("/api/jobs").then().statusCode(202)
                .extract().path("id");
    }

    /** A GET with {@code wait}, sent once the api holds it as a waiter. */
    private CompletableFuture<Response> waitFor(String id, int seconds) {
        int before = ends.waiting();
        CompletableFuture<Response> answer = CompletableFuture.supplyAsync(
                () -> given().queryParam("wait", seconds).get("/api/jobs/" + id));
        await().atMost(Duration.ofSeconds(10)).until(() -> ends.waiting() > before || answer.isDone());
        assertThat(answer).isNotDone();
        return answer;
    }

    private void end(String id, String state) throws Exception {
        sql("update longhaul.job set state = '" + state + "', finished_at = now() where id = '" + id + "'");
    }

    private void sql(String statement) throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
