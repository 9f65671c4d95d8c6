package dev.longhaul.api;

import static dev.longhaul.api.TestKeys.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile requests against every route, as an attacker or a careless client would send them: each
 * gets a 4xx problem+json (never a 500, never a stack trace or class name), naming the field when
 * there is one. Bad submits of each kind's params are in BadInputTest.
 */
@QuarkusTest
class HostileInputTest {
    private static final String NOBODY = "00000000-0000-7000-8000-000000000000";

    static Stream<Arguments> hostile() {
        return Stream.of(
                // jobs
                Arguments.of("GET", "/api/jobs?limit=0", null, null, 400, "limit"),
                Arguments.of("GET", "/api/jobs?limit=-5", null, null, 400, "limit"),
                Arguments.of("GET", "/api/jobs?limit=999999999999", null, null, 400, "limit"),
                Arguments.of("GET", "/api/jobs?limit=ten", null, null, 400, "limit"),
                Arguments.of("GET", "/api/jobs?state=DONE", null, null, 400, "state"),
                Arguments.of("GET", "/api/jobs?state='%20or%201=1--", null, null, 400, "state"),
                Arguments.of("GET", "/api/jobs?after=not-a-cursor", null, null, 400, "after"),
                Arguments.of("GET", "/api/jobs?scheduleId=1;drop", null, null, 400, "scheduleId"),
                Arguments.of("GET", "/api/jobs?tenant=Not%20A%20Tenant", null, null, 400, "tenant"),
                Arguments.of("GET", "/api/jobs/" + "9".repeat(500), null, null, 404, "id"),
                Arguments.of("GET", "/api/jobs/..%2F..%2Fetc%2Fpasswd", null, null, 404, null),
                Arguments.of("GET", "/api/jobs/" + NOBODY + "/events", null, null, 404, "id"),
                Arguments.of("GET", "/api/jobs/" + NOBODY + "/artifacts/..%2F..%2Fsecret", null, null, 404, null),
                Arguments.of("GET", "/api/jobs/" + NOBODY + "/artifacts/orders.csv", null, null, 404, "id"),
                Arguments.of("POST", "/api/jobs/" + NOBODY + "/cancel", null, null, 404, "id"),
                Arguments.of("POST", "/api/jobs/" + NOBODY + "/retry", null, null, 404, "id"),
                Arguments.of("POST", "/api/jobs", "text/plain", "kind=noop", 415, null),
                Arguments.of("POST", "/api/jobs", "application/json", "{\"kind\":\"noop\"}".repeat(100_000), 413, "body"),
                Arguments.of("POST", "/api/jobs", "application/json", "{\"kind\":{\"$ne\":null}}", 400, "kind"),
                Arguments.of("POST", "/api/jobs", "application/json", "{\"kind\":\"noop\",\"priority\":1e308}", 400, null),
                Arguments.of("POST", "/api/jobs", "application/json", "{\"kind\":\"noop\",\"maxAttempts\":\"NaN\"}", 400, "maxAttempts"),
                Arguments.of("POST", "/api/jobs", "application/json", "{\"kind\":\"noop\",\"runAt\":\"-999999999-01-01T00:00:00Z\"}", 400, "runAt"),
                Arguments.of("POST", "/api/jobs", "application/json", "{\"kind\":\"noop\",\"kind\":\"seed\"}", 400, "body"),
                Arguments.of("POST", "/api/jobs", "application/json", "[".repeat(5000) + "]".repeat(5000), 400, "body"),
                Arguments.of("POST", "/api/jobs", "application/json", "{\"kind\":\"noop\",\"concurrencyLimit\":2}", 400, "concurrencyLimit"),
                Arguments.of("POST", "/api/jobs", "application/json", "{\"kind\":\"noop\",\"concurrencyKey\":\"k\",\"concurrencyLimit\":0}", 400, "concurrencyLimit"),
                Arguments.of("POST", "/api/jobs", "application/json", "{\"kind\":\"noop\",\"concurrencyKey\":\"" + "k".repeat(201) + "\"}", 400, "concurrencyKey"),
                Arguments.of("POST", "/api/jobs", "application/json", "{\"kind\":\"noop\",\"concurrencyKey\":\"  \"}", 400, "concurrencyKey"),
                Arguments.of("POST", "/api/jobs/batch", "application/json", "{\"jobs\":[]}", 400, "jobs"),
                Arguments.of("POST", "/api/jobs/batch", "application/json", "{\"jobs\":null}", 400, "jobs"),
                Arguments.of("POST", "/api/jobs/batch", "application/json", "{\"jobs\":[null]}", 400, "jobs[0]"),
                Arguments.of("POST", "/api/jobs/batch", "application/json", "{\"jobs\":[{\"kind\":\"noop\"},{\"kind\":\"noop\",\"queue\":\"../../x\"}]}", 400, "jobs[1].queue"),
                // uploads
                Arguments.of("POST", "/api/uploads?name=../../etc/passwd", "text/csv", "a,b\n1,2\n", 400, "name"),
                Arguments.of("POST", "/api/uploads?name=x%00.csv", "text/csv", "a,b\n1,2\n", 400, "name"),
                Arguments.of("POST", "/api/uploads", "image/png", "a,b\n", 415, "Content-Type"),
                Arguments.of("POST", "/api/uploads", "text/csv", "", 400, "body"),
                Arguments.of("GET", "/api/uploads/not-a-uuid", null, null, 404, null),
                Arguments.of("GET", "/api/uploads/" + NOBODY, null, null, 404, null),
                // schedules
                Arguments.of("GET", "/api/schedules/not-a-uuid", null, null, 404, "id"),
                Arguments.of("GET", "/api/schedules/" + NOBODY, null, null, 404, "id"),
                Arguments.of("PUT", "/api/schedules/" + NOBODY, "application/json", "{\"name\":\"x\",\"cron\":\"0 0 2 * * ?\",\"timezone\":\"UTC\",\"job\":{\"kind\":\"noop\"}}", 404, "id"),
                Arguments.of("DELETE", "/api/schedules/" + NOBODY, null, null, 404, "id"),
                Arguments.of("POST", "/api/schedules/" + NOBODY + "/trigger", null, null, 404, "id"),
                Arguments.of("POST", "/api/schedules", "application/json", "{\"name\":\"" + "x".repeat(201) + "\",\"cron\":\"0 0 2 * * ?\",\"timezone\":\"UTC\",\"job\":{\"kind\":\"noop\"}}", 400, "name"),
                Arguments.of("POST", "/api/schedules", "application/json", "{\"name\":\"x\",\"cron\":\"0 0 2 * * ?\",\"timezone\":\"../../../etc/localtime\",\"job\":{\"kind\":\"noop\"}}", 400, "timezone"),
                Arguments.of("POST", "/api/schedules", "application/json", "{\"name\":\"x\",\"cron\":\"* * * * * ? *\",\"timezone\":\"UTC\",\"job\":{\"kind\":\"seed\",\"params\":{\"customers\":-1}}}", 400, "job.params.customers"),
                Arguments.of("POST", "/api/schedules", "text/plain", "name=x", 415, null),
                Arguments.of("GET", "/api/schedules?limit=0", null, null, 400, "limit"),
                Arguments.of("GET", "/api/schedules?limit=1001", null, null, 400, "limit"),
                Arguments.of("GET", "/api/schedules?after=%25%25%25", null, null, 400, "after"),
                Arguments.of("GET", "/api/schedules?after=b25seS1vbmUtcGFydA", null, null, 400, "after"),
                Arguments.of("GET", "/api/schedules?after=YQBiAGM", null, null, 400, "after"),
                Arguments.of("GET", "/api/schedules?after=YQBub3QtYS11dWlk", null, null, 400, "after"),
                // keys and audit
                Arguments.of("POST", "/api/keys", "application/json", "{\"name\":\"x\",\"tenant\":\"t\",\"roles\":[\"admin\",\"root\"]}", 400, "roles"),
                Arguments.of("POST", "/api/keys", "application/json", "{\"name\":\"\",\"tenant\":\"t\",\"roles\":[\"read\"]}", 400, "name"),
                Arguments.of("POST", "/api/keys", "application/json", "{\"name\":\"x\",\"tenant\":\"t\",\"roles\":[\"read\"],\"kinds\":[\"no such\"]}", 400, "kinds"),
                Arguments.of("POST", "/api/keys", "application/json", "{\"name\":\"x\",\"tenant\":\"t\",\"roles\":[\"read\"],\"datasets\":[]}", 400, "datasets"),
                Arguments.of("POST", "/api/keys", "application/json", "{\"name\":\"x\",\"tenant\":\"t\",\"roles\":\"read\"}", 400, "roles"),
                Arguments.of("DELETE", "/api/keys/not-a-uuid", null, null, 404, null),
                Arguments.of("DELETE", "/api/keys/" + NOBODY, null, null, 404, null),
                Arguments.of("GET", "/api/audit?limit=0", null, null, 400, "limit"),
                Arguments.of("GET", "/api/audit?after=abc", null, null, 400, "after"),
                Arguments.of("GET", "/api/audit?tenant=DROP%20TABLE", null, null, 400, "tenant"),
                Arguments.of("GET", "/api/audit?limit=1001", null, null, 400, "limit"),
                // methods and routes that do not exist
                Arguments.of("PATCH", "/api/jobs", "application/json", "{}", 405, null),
                Arguments.of("DELETE", "/api/jobs/" + NOBODY, null, null, 405, null),
                Arguments.of("GET", "/api/no-such-route", null, null, 404, null));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("hostile")
    void aHostileRequestGetsAProblemNeverA500(String method, String path, String contentType, String body, int status,
            String field) {
        var request = given().urlEncodingEnabled(false);
        if (contentType != null) request = request.contentType(contentType);
        if (body != null) request = request.body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Response response = request.request(method, path);
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        String text = response.asString();
        assertThat(text).doesNotContain("Exception", "at dev.", "at io.", "java.");
        if (field != null) assertThat(response.jsonPath().getList("errors.field")).contains(field);
    }
}
