package dev.longhaul.api.queue;

import static dev.longhaul.api.TestKeys.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The lanes' controls over HTTP: listed, paused and resumed, limited and cleared, and bad settings refused. */
@QuarkusTest
class QueueApiTest {

    @AfterEach
    void clear() {
        given().post("/api/queues/email/resume").then().statusCode(200);
        given().contentType("application/json").body("{\"concurrency\":null,\"ratePerSecond\":null}")
                .patch("/api/queues/email").then().statusCode(200);
    }

    @Test
    void theLanesAreListedWithTheirControls() {
        given().get("/api/queues").then().statusCode(200)
                .body("name", contains("default", "bulk", "email"))
                .body("find { it.name == 'email' }.paused", equalTo(false))
                .body("find { it.name == 'email' }.concurrency", nullValue());
    }

    @Test
    void aLaneIsPausedResumedLimitedAndCleared() {
        given().post("/api/queues/email/pause").then().statusCode(200).body("paused", equalTo(true));
        given().get("/api/queues").then().body("find { it.name == 'email' }.paused", equalTo(true));
        given().post("/api/queues/email/resume").then().statusCode(200).body("paused", equalTo(false));

        given().contentType("application/json").body("{\"concurrency\":3,\"ratePerSecond\":2.5}").patch("/api/queues/email")
                .then().statusCode(200).body("concurrency", equalTo(3)).body("ratePerSecond", equalTo(2.5f));
        // a field left out is kept; null clears
        given().contentType("application/json").body("{\"ratePerSecond\":null}").patch("/api/queues/email")
                .then().statusCode(200).body("concurrency", equalTo(3)).body("ratePerSecond", nullValue());
    }

    @Test
    void badSettingsAndUnknownLanesAreRefused() {
        refused("{\"concurrency\":0}", "concurrency");
        refused("{\"concurrency\":1.5}", "concurrency");
        refused("{\"concurrency\":\"3\"}", "concurrency");
        refused("{\"ratePerSecond\":-1}", "ratePerSecond");
        refused("{\"ratePerSecond\":1e300}", "ratePerSecond");
        refused("{\"limit\":3}", "limit");
        refused("[3]", "body");
        given().post("/api/queues/no-such-lane/pause").then().statusCode(404).contentType("application/problem+json")
                .body("errors.field", hasItem("name"));
        given().contentType("application/json").body("{\"concurrency\":3}").patch("/api/queues/nope").then().statusCode(404);
    }

    private static void refused(String body, String field) {
        given().contentType("application/json").body(body).patch("/api/queues/email").then().statusCode(400)
                .contentType("application/problem+json").body("errors.field", hasItem(field));
    }
}
