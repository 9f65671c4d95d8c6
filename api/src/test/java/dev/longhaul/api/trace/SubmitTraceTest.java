package dev.longhaul.api.trace;

import static dev.longhaul.api.TestKeys.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agroal.api.AgroalDataSource;
import io.opentelemetry.api.trace.SpanKind;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A submit's trace is kept with the job: the job's {@code traceId} is the HTTP request's, and the
 * stored traceparent names the request's span, which the worker's slice continues.
 */
@QuarkusTest
class SubmitTraceTest {
    @Inject
    CollectedSpans spans;
    @Inject
    AgroalDataSource db;

    @Test
    void aSubmittedJobCarriesItsRequestsTrace() throws Exception {
        var job = given().contentType("application/json").body("{\"kind\":\"noop\"}").post("/api/jobs")
                .then().statusCode(202).extract().jsonPath();
        String traceId = job.getString("traceId");
        assertThat(traceId).matches("[0-9a-f]{32}");
        given().get("/api/jobs/" + job.getString("id")).then().statusCode(200)
                .body("traceId", org.hamcrest.Matchers.equalTo(traceId));

        String parentSpan = storedParent(UUID.fromString(job.getString("id"))).split("-")[2];
        await("the request's span exported").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(spans.of(traceId)).anySatisfy(span -> {
                    assertThat(span.getKind()).isEqualTo(SpanKind.SERVER);
                    assertThat(span.getName()).contains("/api/jobs");
                    assertThat(span.getSpanId()).isEqualTo(parentSpan);
                }));
    }

    private String storedParent(UUID id) throws Exception {
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("select trace_parent from longhaul.job where id = ?")) {
            s.setObject(1, id);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
