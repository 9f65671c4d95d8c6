package dev.longhaul.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole path with the packaged apps as real processes: HTTP submit, a committed row, a
 * RabbitMQ delivery, a worker that claims and runs the job, and its state back in PostgreSQL.
 * The api reaches RabbitMQ through a proxy the test can cut.
 */
class LifecycleE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static TcpProxy brokerProxy;
    private static App api;
    private static App worker;

    @BeforeAll
    static void start() throws Exception {
        brokerProxy = new TcpProxy(5672);
        api = App.start("api", Map.of(
                "RABBITMQ_PORT", String.valueOf(brokerProxy.port()),
                "LONGHAUL_DISPATCH_REPUBLISH_GRACE", "1s",
                "LONGHAUL_DISPATCH_REPUBLISH_EVERY", "1s",
                "LONGHAUL_DISPATCH_CONFIRM_TIMEOUT", "3s"));
        worker = App.start("worker");
    }

    @AfterAll
    static void stop() throws Exception {
        if (worker != null) worker.close();
        if (api != null) api.close();
        if (brokerProxy != null) brokerProxy.close();
    }

    @Test
    void aJobSubmittedOverHttpSucceedsThroughARealWorker() throws Exception {
        HttpResponse<String> response = post("/api/jobs", "{\"kind\":\"noop\"}");
        assertThat(response.statusCode()).isEqualTo(202);
        String id = JSON.readTree(response.body()).get("id").asText();
        assertThat(response.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/api/jobs/" + id));

        await().atMost(Duration.ofSeconds(10)).until(() -> "SUCCEEDED".equals(get("/api/jobs/" + id).get("state").asText()));
        JsonNode job = get("/api/jobs/" + id);
        assertThat(job.get("attempt").asInt()).isEqualTo(1);
        assertThat(job.get("startedAt").isNull()).isFalse();
        assertThat(job.get("finishedAt").isNull()).isFalse();
    }

    @Test
    void aBatchOfAThousandJobsDrains() throws Exception {
        String body = IntStream.range(0, 1000).mapToObj(i -> "{\"kind\":\"noop\"}")
                .collect(Collectors.joining(",", "{\"jobs\":[", "]}"));
        HttpResponse<String> response = post("/api/jobs/batch", body);
        assertThat(response.statusCode()).isEqualTo(202);
        List<UUID> ids = new ArrayList<>();
        JSON.readTree(response.body()).get("jobs").forEach(j -> ids.add(UUID.fromString(j.get("id").asText())));
        assertThat(ids).hasSize(1000).doesNotHaveDuplicates();

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> count("state = 'SUCCEEDED' and id = any(?)", ids) == 1000);
        assertThat(count("attempt = 1 and id = any(?)", ids)).isEqualTo(1000);
    }

    @Test
    void aJobSubmittedWhileRabbitMqIsUnreachableIsAcceptedAndRunsOnceItIsBack() throws Exception {
        brokerProxy.cut();
        String id;
        try {
            HttpResponse<String> response = post("/api/jobs", "{\"kind\":\"noop\"}");
            assertThat(response.statusCode()).isEqualTo(202);
            id = JSON.readTree(response.body()).get("id").asText();
            // durable, and still marked to publish: nothing reached the broker
            assertThat(count("id = ?::uuid and to_publish", id)).isEqualTo(1);
        } finally {
            brokerProxy.restore();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> "SUCCEEDED".equals(get("/api/jobs/" + id).get("state").asText()));
        assertThat(get("/api/jobs/" + id).get("attempt").asInt()).isEqualTo(1);
        assertThat(count("id = ?::uuid and not to_publish", id)).isEqualTo(1);
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(api.request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode get(String path) throws Exception {
        var response = HTTP.send(api.request(path).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static long count(String where, Object parameter) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + App.DATABASE,
                "longhaul", "longhaul");
                PreparedStatement s = c.prepareStatement("select count(*) from longhaul.job where " + where)) {
            if (parameter instanceof List<?> list) {
                s.setArray(1, c.createArrayOf("uuid", list.toArray()));
            } else {
                s.setString(1, String.valueOf(parameter));
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
