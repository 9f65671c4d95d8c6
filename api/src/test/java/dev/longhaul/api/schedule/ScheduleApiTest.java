package dev.longhaul.api.schedule;

import static dev.longhaul.api.TestKeys.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;

import io.restassured.response.Response;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The schedules API on a real database (longhaul_test_api). */
@QuarkusTest
class ScheduleApiTest {

    @Test
    void aScheduleIsCreatedReadChangedTriggeredAndDeleted() {
        String name = "nightly-" + UUID.randomUUID();
        Response created = given().contentType("application/json").body("""
                {"name":"%s","cron":"0 0 2 * * ?","timezone":"Europe/Paris",
                 "job":{"kind":"report","params":{"report":"sales-daily","period":"previous-day"}},
                 "misfire":"skip","overlap":"skip"}""".formatted(name)).post("/api/schedules");
        created.then().statusCode(201)
                .header("Location", matchesPattern(".*/api/schedules/[0-9a-f-]{36}$"))
                .body("name", equalTo(name))
                .body("misfire", equalTo("skip"))
                .body("enabled", equalTo(true))
                .body("nextFireTimes", hasSize(5));
        String id = created.path("id");
        // 02:00 in Paris is 01:00 or 00:00 UTC, depending on the season
        List<String> next = created.path("nextFireTimes");
        assertThat(next).allSatisfy(t -> assertThat(Instant.parse(t).toString()).matches(".*T0[01]:00:00Z"));

        given().contentType("application/json").body("""
                {"name":"%s","cron":"0 15 * * * ?","timezone":"UTC","job":{"kind":"noop"},"enabled":false}"""
                .formatted(name)).put("/api/schedules/" + id)
                .then().statusCode(200).body("cron", equalTo("0 15 * * * ?")).body("enabled", equalTo(false))
                .body("nextFireTimes", hasSize(0));

        String job = given().post("/api/schedules/" + id + "/trigger").then().statusCode(202)
                .body("kind", equalTo("noop")).body("scheduleId", equalTo(id)).extract().path("id");
        given().queryParam("scheduleId", id).get("/api/jobs").then().statusCode(200)
                .body("items.id", hasItem(job));
        given().get("/api/schedules/" + id).then().statusCode(200)
                .body("lastRun.outcome", equalTo("created")).body("lastRun.jobId", equalTo(job))
                .body("lastRun.catchUp", equalTo(false)).body("lastRun.manual", equalTo(true));
        given().get("/api/schedules").then().statusCode(200).body("items.id", hasItem(id));

        given().delete("/api/schedules/" + id).then().statusCode(204);
        given().get("/api/schedules/" + id).then().statusCode(404).contentType("application/problem+json");
    }

    static Stream<Arguments> badSchedules() {
        return Stream.of(
                Arguments.of("bad cron", "{\"name\":\"a\",\"cron\":\"every night\",\"timezone\":\"UTC\",\"job\":{\"kind\":\"noop\"}}", "cron"),
                Arguments.of("cron without seconds", "{\"name\":\"a\",\"cron\":\"0 2 * * *\",\"timezone\":\"UTC\",\"job\":{\"kind\":\"noop\"}}", "cron"),
                Arguments.of("a cron whose last fire is past", "{\"name\":\"a\",\"cron\":\"0 0 0 1 1 ? 2020\",\"timezone\":\"UTC\",\"job\":{\"kind\":\"noop\"}}", "cron"),
                Arguments.of("a cron longer than Quartz stores", "{\"name\":\"a\",\"cron\":\"0 0 2 * * ? " + "2030,".repeat(30) + "2031\",\"timezone\":\"UTC\",\"job\":{\"kind\":\"noop\"}}", "cron"),
                Arguments.of("bad timezone", "{\"name\":\"a\",\"cron\":\"0 0 2 * * ?\",\"timezone\":\"Mars/Olympus\",\"job\":{\"kind\":\"noop\"}}", "timezone"),
                Arguments.of("missing timezone", "{\"name\":\"a\",\"cron\":\"0 0 2 * * ?\",\"job\":{\"kind\":\"noop\"}}", "timezone"),
                Arguments.of("unknown job kind", "{\"name\":\"a\",\"cron\":\"0 0 2 * * ?\",\"timezone\":\"UTC\",\"job\":{\"kind\":\"teleport\"}}", "job.kind"),
                Arguments.of("bad job params", "{\"name\":\"a\",\"cron\":\"0 0 2 * * ?\",\"timezone\":\"UTC\",\"job\":{\"kind\":\"sleep\",\"params\":{\"seconds\":-5}}}", "job.params.seconds"),
                Arguments.of("runAt in a template", "{\"name\":\"a\",\"cron\":\"0 0 2 * * ?\",\"timezone\":\"UTC\",\"job\":{\"kind\":\"noop\",\"runAt\":\"2030-01-01T00:00:00Z\"}}", "job.runAt"),
                Arguments.of("no job", "{\"name\":\"a\",\"cron\":\"0 0 2 * * ?\",\"timezone\":\"UTC\"}", "job"),
                Arguments.of("bad misfire", "{\"name\":\"a\",\"cron\":\"0 0 2 * * ?\",\"timezone\":\"UTC\",\"job\":{\"kind\":\"noop\"},\"misfire\":\"retry\"}", "misfire"),
                Arguments.of("bad overlap", "{\"name\":\"a\",\"cron\":\"0 0 2 * * ?\",\"timezone\":\"UTC\",\"job\":{\"kind\":\"noop\"},\"overlap\":\"queue\"}", "overlap"),
                Arguments.of("no name", "{\"cron\":\"0 0 2 * * ?\",\"timezone\":\"UTC\",\"job\":{\"kind\":\"noop\"}}", "name"),
                Arguments.of("bad report period", "{\"name\":\"a\",\"cron\":\"0 0 2 * * ?\",\"timezone\":\"UTC\",\"job\":{\"kind\":\"report\",\"params\":{\"report\":\"sales-daily\",\"period\":\"yesterday\"}}}", "job.params.period"));
    }

    @Test
    void theListIsKeysetPagedByName() {
        String prefix = "paged-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(given().contentType("application/json").body("""
                    {"name":"%s%d","cron":"0 0 3 * * ?","timezone":"UTC","job":{"kind":"noop"}}""".formatted(prefix, i))
                    .post("/api/schedules").then().statusCode(201).extract().path("id"));
        }
        List<String> walked = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            var page = given().queryParam("limit", 2).queryParam("after", after == null ? "" : after)
                    .get("/api/schedules").then().statusCode(200).extract().jsonPath();
            assertThat(page.getList("items")).hasSizeLessThanOrEqualTo(2);
            walked.addAll(page.getList("items.id"));
            after = page.getString("next");
            pages++;
        } while (after != null);
        List<String> all = given().get("/api/schedules?limit=1000").then().statusCode(200).extract().path("items.id");
        assertThat(walked).doesNotHaveDuplicates().containsExactlyElementsOf(all);
        assertThat(walked.stream().filter(ids::contains).toList()).containsExactlyElementsOf(ids);
        assertThat(pages).isGreaterThanOrEqualTo(3);

        given().queryParam("after", "not a cursor").get("/api/schedules").then().statusCode(400)
                .body("errors.field", hasItem("after"));
        given().queryParam("limit", 1001).get("/api/schedules").then().statusCode(400)
                .body("errors.field", hasItem("limit"));
        ids.forEach(id -> given().delete("/api/schedules/" + id).then().statusCode(204));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSchedules")
    void aBadScheduleIsRefusedNamingTheField(String name, String body, String field) {
        int before = given().get("/api/schedules?limit=1000").then().statusCode(200).extract().path("items.size()");
        given().contentType("application/json").body(body).post("/api/schedules").then()
                .statusCode(400).contentType("application/problem+json").body("errors.field", hasItem(field));
        int after = given().get("/api/schedules?limit=1000").then().statusCode(200).extract().path("items.size()");
        assertThat(after).isEqualTo(before);
    }
}
