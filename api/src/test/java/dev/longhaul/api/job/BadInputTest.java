package dev.longhaul.api.job;

import static dev.longhaul.api.TestKeys.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every class of bad input gets a 4xx problem+json naming the offending field, leaks no class name,
 * and writes no job.
 */
@QuarkusTest
class BadInputTest {
    @Inject
    AgroalDataSource db;

    /** {@code n} conditions {@code id in [1..1000]}: 1,000 values each. */
    static String inLists(int n) {
        String values = java.util.stream.IntStream.rangeClosed(1, 1000).mapToObj(Integer::toString)
                .collect(java.util.stream.Collectors.joining(","));
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> "{\"field\":\"id\",\"op\":\"in\",\"value\":[" + values + "]}")
                .collect(java.util.stream.Collectors.joining(","));
    }

    static Stream<Arguments> badSubmits() {
        return Stream.of(
                Arguments.of("malformed JSON", "{\"kind\": ", 400, "body"),
                Arguments.of("not an object", "[1,2]", 400, "body"),
                Arguments.of("empty body", "", 400, "body"),
                Arguments.of("missing kind", "{\"params\":{}}", 400, "kind"),
                Arguments.of("unknown kind", "{\"kind\":\"teleport\"}", 400, "kind"),
                Arguments.of("unknown top-level field", "{\"kind\":\"noop\",\"colour\":\"red\"}", 400, "colour"),
                Arguments.of("params fail validation", "{\"kind\":\"sleep\",\"params\":{\"seconds\":86401}}", 400, "params.seconds"),
                Arguments.of("params missing a field", "{\"kind\":\"sleep\",\"params\":{}}", 400, "params.seconds"),
                Arguments.of("params of the wrong type", "{\"kind\":\"sleep\",\"params\":{\"seconds\":\"soon\"}}", 400, "params.seconds"),
                Arguments.of("params with an unknown field", "{\"kind\":\"noop\",\"params\":{\"x\":1}}", 400, "params.x"),
                Arguments.of("params not an object", "{\"kind\":\"noop\",\"params\":7}", 400, "params"),
                Arguments.of("unknown lane", "{\"kind\":\"noop\",\"queue\":\"fast\"}", 400, "queue"),
                Arguments.of("priority out of range", "{\"kind\":\"noop\",\"priority\":42}", 400, "priority"),
                Arguments.of("maxAttempts out of range", "{\"kind\":\"noop\",\"maxAttempts\":0}", 400, "maxAttempts"),
                Arguments.of("runAt not a timestamp", "{\"kind\":\"noop\",\"runAt\":\"tomorrow\"}", 400, "runAt"),
                Arguments.of("unknown dataset", "{\"kind\":\"export\",\"params\":{\"dataset\":\"invoices\",\"columns\":[\"id\"]}}", 400, "params.dataset"),
                Arguments.of("unknown column", "{\"kind\":\"export\",\"params\":{\"dataset\":\"orders\",\"columns\":[\"id\",\"secret\"]}}", 400, "params.columns[1]"),
                Arguments.of("no columns", "{\"kind\":\"export\",\"params\":{\"dataset\":\"orders\",\"columns\":[]}}", 400, "params.columns"),
                Arguments.of("unknown filter field", "{\"kind\":\"export\",\"params\":{\"dataset\":\"orders\",\"columns\":[\"id\"],\"filter\":[{\"field\":\"colour\",\"op\":\"=\",\"value\":1}]}}", 400, "params.filter[0].field"),
                Arguments.of("unknown operator", "{\"kind\":\"export\",\"params\":{\"dataset\":\"orders\",\"columns\":[\"id\"],\"filter\":[{\"field\":\"status\",\"op\":\"like\",\"value\":\"p%\"}]}}", 400, "params.filter[0].op"),
                Arguments.of("filter value of the wrong type", "{\"kind\":\"export\",\"params\":{\"dataset\":\"orders\",\"columns\":[\"id\"],\"filter\":[{\"field\":\"total_cents\",\"op\":\">\",\"value\":\"lots\"}]}}", 400, "params.filter[0].value"),
                Arguments.of("between without two values", "{\"kind\":\"export\",\"params\":{\"dataset\":\"orders\",\"columns\":[\"id\"],\"filter\":[{\"field\":\"id\",\"op\":\"between\",\"value\":[1]}]}}", 400, "params.filter[0].value"),
                Arguments.of("bad timestamp in a filter", "{\"kind\":\"export\",\"params\":{\"dataset\":\"orders\",\"columns\":[\"id\"],\"filter\":[{\"field\":\"created_at\",\"op\":\"<\",\"value\":\"yesterday\"}]}}", 400, "params.filter[0].value"),
                Arguments.of("unknown export format", "{\"kind\":\"export\",\"params\":{\"dataset\":\"orders\",\"columns\":[\"id\"],\"format\":\"xlsx\"}}", 400, "params.format"),
                Arguments.of("unknown report", "{\"kind\":\"report\",\"params\":{\"report\":\"weather\",\"from\":\"2026-01-01\",\"to\":\"2026-02-01\"}}", 400, "params.report"),
                Arguments.of("report period backwards", "{\"kind\":\"report\",\"params\":{\"report\":\"sales-daily\",\"from\":\"2026-02-01\",\"to\":\"2026-01-01\"}}", 400, "params.to"),
                Arguments.of("seed of zero customers", "{\"kind\":\"seed\",\"params\":{\"customers\":0}}", 400, "params.customers"),
                Arguments.of("SQL in a filter field", "{\"kind\":\"export\",\"params\":{\"dataset\":\"orders\",\"columns\":[\"id\"],\"filter\":[{\"field\":\"status; drop table shop.orders; --\",\"op\":\"=\",\"value\":\"paid\"}]}}", 400, "params.filter[0].field"),
                Arguments.of("SQL in an operator", "{\"kind\":\"export\",\"params\":{\"dataset\":\"orders\",\"columns\":[\"id\"],\"filter\":[{\"field\":\"id\",\"op\":\"= 1 or 1=1 --\",\"value\":1}]}}", 400, "params.filter[0].op"),
                Arguments.of("SQL in a typed value", "{\"kind\":\"export\",\"params\":{\"dataset\":\"orders\",\"columns\":[\"id\"],\"filter\":[{\"field\":\"id\",\"op\":\">\",\"value\":\"0) or (1=1\"}]}}", 400, "params.filter[0].value"),
                Arguments.of("SQL in a column", "{\"kind\":\"export\",\"params\":{\"dataset\":\"orders\",\"columns\":[\"id, (select password from pg_shadow)\"]}}", 400, "params.columns[0]"),
                Arguments.of("SQL as a dataset", "{\"kind\":\"export\",\"params\":{\"dataset\":\"shop.orders o; --\",\"columns\":[\"id\"]}}", 400, "params.dataset"),
                Arguments.of("bulk update without set", "{\"kind\":\"bulk-update\",\"params\":{\"dataset\":\"orders\"}}", 400, "params.set"),
                Arguments.of("bulk update of an unknown column", "{\"kind\":\"bulk-update\",\"params\":{\"dataset\":\"orders\",\"set\":{\"colour\":\"red\"}}}", 400, "params.set.colour"),
                Arguments.of("bulk update of a column not settable", "{\"kind\":\"bulk-update\",\"params\":{\"dataset\":\"orders\",\"set\":{\"customer_email\":\"x@example.com\"}}}", 400, "params.set.customer_email"),
                Arguments.of("bulk update of the key", "{\"kind\":\"bulk-update\",\"params\":{\"dataset\":\"orders\",\"set\":{\"id\":1}}}", 400, "params.set.id"),
                Arguments.of("bulk update value of the wrong type", "{\"kind\":\"bulk-update\",\"params\":{\"dataset\":\"orders\",\"set\":{\"total_cents\":\"free\"}}}", 400, "params.set.total_cents"),
                Arguments.of("bulk update to null", "{\"kind\":\"bulk-update\",\"params\":{\"dataset\":\"orders\",\"set\":{\"status\":null}}}", 400, "params.set.status"),
                Arguments.of("bulk update with SQL as a value", "{\"kind\":\"bulk-update\",\"params\":{\"dataset\":\"orders\",\"set\":{\"total_cents\":\"0; drop table shop.orders\"}}}", 400, "params.set.total_cents"),
                Arguments.of("bulk update at zero rows per second", "{\"kind\":\"bulk-update\",\"params\":{\"dataset\":\"orders\",\"set\":{\"note\":\"x\"},\"maxRowsPerSecond\":0}}", 400, "params.maxRowsPerSecond"),
                Arguments.of("email template naming an unknown field", "{\"kind\":\"email\",\"params\":{\"segment\":{\"dataset\":\"customers\"},\"template\":{\"subject\":\"Hi {nmae}\",\"body\":\"Hello\"},\"ratePerSecond\":10}}", 400, "params.template.subject"),
                Arguments.of("email template that does not parse", "{\"kind\":\"email\",\"params\":{\"segment\":{\"dataset\":\"customers\"},\"template\":{\"subject\":\"Hi\",\"body\":\"{#if name}unclosed\"},\"ratePerSecond\":10}}", 400, "params.template.body"),
                Arguments.of("email without a rate", "{\"kind\":\"email\",\"params\":{\"segment\":{\"dataset\":\"customers\"},\"template\":{\"subject\":\"Hi {name}\",\"body\":\"Hello\"}}}", 400, "params.ratePerSecond"),
                Arguments.of("email to a column that does not exist", "{\"kind\":\"email\",\"params\":{\"segment\":{\"dataset\":\"customers\"},\"template\":{\"subject\":\"Hi {name}\",\"body\":\"Hello\"},\"ratePerSecond\":10,\"to\":\"phone\"}}", 400, "params.to"),
                Arguments.of("email to a segment of an unknown dataset", "{\"kind\":\"email\",\"params\":{\"segment\":{\"dataset\":\"leads\"},\"template\":{\"subject\":\"Hi {name}\",\"body\":\"Hello\"},\"ratePerSecond\":10}}", 400, "params.segment.dataset"),
                Arguments.of("a NUL in a filter value", "{\"kind\":\"export\",\"params\":{\"dataset\":\"orders\",\"columns\":[\"id\"],\"filter\":[{\"field\":\"status\",\"op\":\"=\",\"value\":\"pa\\u0000id\"}]}}", 400, "params.filter[0].value"),
                Arguments.of("a NUL in the kind", "{\"kind\":\"no\\u0000op\"}", 400, "kind"),
                Arguments.of("a NUL in an email subject", "{\"kind\":\"email\",\"params\":{\"segment\":{\"dataset\":\"customers\"},\"template\":{\"subject\":\"Hi\\u0000\",\"body\":\"Hello\"},\"ratePerSecond\":10}}", 400, "params.template.subject"),
                Arguments.of("runAt in the year 300000", "{\"kind\":\"noop\",\"runAt\":\"+300000-01-01T00:00:00Z\"}", 400, "runAt"),
                Arguments.of("runAt in the year 10000", "{\"kind\":\"noop\",\"runAt\":\"+10000-01-01T00:00:00Z\"}", 400, "runAt"),
                Arguments.of("a filter date in the year 100000", "{\"kind\":\"export\",\"params\":{\"dataset\":\"orders\",\"columns\":[\"id\"],\"filter\":[{\"field\":\"created_at\",\"op\":\"<\",\"value\":\"+100000-01-01T00:00:00Z\"}]}}", 400, "params.filter[0].value"),
                Arguments.of("isNull that is not a boolean", "{\"kind\":\"export\",\"params\":{\"dataset\":\"orders\",\"columns\":[\"id\"],\"filter\":[{\"field\":\"note\",\"op\":\"isNull\",\"value\":\"maybe\"}]}}", 400, "params.filter[0].value"),
                Arguments.of("more filter values than a statement can bind", "{\"kind\":\"export\",\"params\":{\"dataset\":\"orders\",\"columns\":[\"id\"],\"filter\":[" + inLists(11) + "]}}", 400, "params.filter"),
                Arguments.of("a loop in an email body", "{\"kind\":\"email\",\"params\":{\"segment\":{\"dataset\":\"customers\"},\"template\":{\"subject\":\"Hi\",\"body\":\"{#for i in 2147483647}x{/for}\"},\"ratePerSecond\":10}}", 400, "params.template.body"),
                Arguments.of("nested loops in an email body", "{\"kind\":\"email\",\"params\":{\"segment\":{\"dataset\":\"customers\"},\"template\":{\"subject\":\"Hi\",\"body\":\"{#for i in 100000}{#for j in 100000}x{/for}{/for}\"},\"ratePerSecond\":10}}", 400, "params.template.body"),
                Arguments.of("eval in an email body", "{\"kind\":\"email\",\"params\":{\"segment\":{\"dataset\":\"customers\"},\"template\":{\"subject\":\"Hi\",\"body\":\"{#eval name /}\"},\"ratePerSecond\":10}}", 400, "params.template.body"),
                Arguments.of("include in an email body", "{\"kind\":\"email\",\"params\":{\"segment\":{\"dataset\":\"customers\"},\"template\":{\"subject\":\"Hi\",\"body\":\"{#include foo /}\"},\"ratePerSecond\":10}}", 400, "params.template.body"),
                Arguments.of("a property of a value in an email body", "{\"kind\":\"email\",\"params\":{\"segment\":{\"dataset\":\"customers\"},\"template\":{\"subject\":\"Hi\",\"body\":\"{name.foo}\"},\"ratePerSecond\":10}}", 400, "params.template.body"),
                Arguments.of("let in an email body", "{\"kind\":\"email\",\"params\":{\"segment\":{\"dataset\":\"customers\"},\"template\":{\"subject\":\"Hi\",\"body\":\"{#let x=name}{x}{/let}\"},\"ratePerSecond\":10}}", 400, "params.template.body"),
                Arguments.of("neutralizeFormulas on a JSON Lines export", "{\"kind\":\"export\",\"params\":{\"dataset\":\"orders\",\"columns\":[\"id\"],\"format\":\"jsonl\",\"neutralizeFormulas\":true}}", 400, "params.neutralizeFormulas"),
                Arguments.of("a timeout of zero", "{\"kind\":\"noop\",\"timeoutSeconds\":0}", 400, "timeoutSeconds"),
                Arguments.of("a timeout over a week", "{\"kind\":\"noop\",\"timeoutSeconds\":604801}", 400, "timeoutSeconds"),
                Arguments.of("body over 1 MiB", "{\"kind\":\"noop\",\"params\":{\"pad\":\"" + "x".repeat(1_100_000) + "\"}}", 413, "body"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSubmits")
    void aBadSubmitIsRefusedAndWritesNothing(String name, String body, int status, String field) throws SQLException {
        long before = jobCount();
        Response response = given().contentType("application/json").body(body).post("/api/jobs");
        assertProblem(response, status, field);
        assertThat(jobCount()).isEqualTo(before);
    }

    @Test
    void aBatchOverTheLimitIsRefusedAndWritesNothing() throws SQLException {
        long before = jobCount();
        String body = IntStream.range(0, 1001).mapToObj(i -> "{\"kind\":\"noop\"}")
                .collect(Collectors.joining(",", "{\"jobs\":[", "]}"));
        assertProblem(given().contentType("application/json").body(body).post("/api/jobs/batch"), 400, "jobs");
        assertThat(jobCount()).isEqualTo(before);
    }

    @Test
    void oneBadJobRefusesTheWholeBatch() throws SQLException {
        long before = jobCount();
        Response response = given().contentType("application/json")
                .body("{\"jobs\":[{\"kind\":\"noop\"},{\"kind\":\"sleep\",\"params\":{\"seconds\":-1}},{\"kind\":\"noop\"}]}")
                .post("/api/jobs/batch");
        assertProblem(response, 400, "jobs[1].params.seconds");
        assertThat(jobCount()).isEqualTo(before);
    }

    @Test
    void aNulInAQueryValueIsA400NamingTheParameter() {
        assertProblem(given().urlEncodingEnabled(false).get("/api/jobs?kind=no%00op"), 400, "kind");
        assertProblem(given().urlEncodingEnabled(false).get("/api/jobs?limit=5&after=%00"), 400, "after");
    }

    @Test
    void anUnknownJobIs404() {
        assertProblem(given().get("/api/jobs/" + java.util.UUID.randomUUID()), 404, "id");
        assertProblem(given().get("/api/jobs/not-a-uuid"), 404, "id");
        assertProblem(given().post("/api/jobs/" + java.util.UUID.randomUUID() + "/cancel"), 404, "id");
    }

    @Test
    void badListParametersAreNamed() {
        assertProblem(given().queryParam("state", "sleeping").get("/api/jobs"), 400, "state");
        assertProblem(given().queryParam("limit", "0").get("/api/jobs"), 400, "limit");
        assertProblem(given().queryParam("after", "page-2").get("/api/jobs"), 400, "after");
    }

    @Test
    void aWrongContentTypeIs415ProblemJson() throws SQLException {
        long before = jobCount();
        Response response = given().contentType("text/plain").body("kind=noop").post("/api/jobs");
        response.then().statusCode(415).contentType("application/problem+json");
        assertThat(jobCount()).isEqualTo(before);
    }

    private static void assertProblem(Response response, int status, String field) {
        response.then().statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status))
                .body("errors.field", org.hamcrest.Matchers.hasItem(field));
        String text = response.asString();
        assertThat(text).doesNotContain("Exception").doesNotContain("dev.longhaul").doesNotContain("\tat ");
    }

    private long jobCount() throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select count(*) from longhaul.job")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
