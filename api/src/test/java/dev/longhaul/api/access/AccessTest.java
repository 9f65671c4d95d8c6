package dev.longhaul.api.access;

import static dev.longhaul.api.TestKeys.anonymous;
import static dev.longhaul.api.TestKeys.as;
import static dev.longhaul.api.TestKeys.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Keys, roles and tenants across the routes: two tenants, a read-only key and a submit-only key
 * made by the admin; another tenant's job, artifact, upload and schedule are 404s; missing roles
 * are 403s naming the role; a revoked key is refused within two seconds; the audit log has the
 * key creations and the cancel; no secret is stored or logged.
 */
@QuarkusTest
class AccessTest {
    private static final String FUTURE = "2099-01-01T00:00:00Z";

    @Inject
    DataSource dataSource;

    private final List<String> secrets = new ArrayList<>();
    private String tenantA;
    private String tenantB;
    private Key a;
    private Key b;
    private Key readOnly;
    private Key submitOnly;

    private record Key(String id, String secret) {
    }

    @BeforeEach
    void keys() {
        // tenants of their own per test, so tests never see each other's rows
        String run = UUID.randomUUID().toString().substring(0, 8);
        tenantA = "a-" + run;
        tenantB = "b-" + run;
        a = key(tenantA, "read", "submit", "operate");
        b = key(tenantB, "read", "submit", "operate");
        readOnly = key(tenantA, "read");
        submitOnly = key(tenantA, "submit");
    }

    @Test
    void anotherTenantsJobArtifactAndCancelAre404sAndItsListsHideThem() throws Exception {
        String job = submit(a, "{\"kind\":\"noop\",\"runAt\":\"" + FUTURE + "\"}");
        artifact(job, "out.csv");

        as(a.secret()).get("/api/jobs/" + job).then().statusCode(200)
                .body("tenant", equalTo(tenantA)).body("submittedBy", equalTo(a.id()));
        // served inert: never sniffed, no script, nothing loaded from elsewhere
        as(a.secret()).get("/api/jobs/" + job + "/artifacts/out.csv").then().statusCode(200)
                .header("X-Content-Type-Options", "nosniff")
                .header("Content-Security-Policy", org.hamcrest.Matchers.containsString("default-src 'none'"));
        for (String path : List.of("/api/jobs/" + job, "/api/jobs/" + job + "/events", "/api/jobs/" + job + "/artifacts/out.csv")) {
            as(b.secret()).get(path).then().statusCode(404);
        }
        as(b.secret()).post("/api/jobs/" + job + "/cancel").then().statusCode(404);
        as(b.secret()).post("/api/jobs/" + job + "/retry").then().statusCode(404);
        assertThat(ids(as(b.secret()).get("/api/jobs?limit=500"))).doesNotContain(job);
        assertThat(ids(as(a.secret()).get("/api/jobs?limit=500"))).contains(job);
        // an admin sees every tenant, and can narrow to one
        assertThat(ids(given().get("/api/jobs?limit=500&tenant=" + tenantA))).contains(job);
        assertThat(ids(given().get("/api/jobs?limit=500&tenant=" + tenantB))).doesNotContain(job);

        as(a.secret()).post("/api/jobs/" + job + "/cancel").then().statusCode(200).body("state", equalTo("CANCELLED"));
        // the audit log has the key creations and the cancel, newest first, without secrets
        // rows are written just after their responses
        await().atMost(Duration.ofSeconds(5)).until(() -> JsonPath.from(given().get("/api/audit?limit=200").asString())
                .getList("items.findAll { it.action == 'POST /api/jobs/{id}/cancel' && it.outcome == 200 }.target").contains(job));
        String audit = given().get("/api/audit?limit=200").asString();
        JsonPath entries = JsonPath.from(audit);
        assertThat(entries.getList("items.findAll { it.action == 'POST /api/keys' }.target")).contains(a.id(), b.id());
        assertThat(entries.getList("items.findAll { it.action == 'POST /api/jobs/{id}/cancel' && it.outcome == 200 }.target"))
                .contains(job);
        assertThat(entries.getList("items.findAll { it.action == 'POST /api/jobs/{id}/cancel' && it.outcome == 404 }.tenant"))
                .contains(tenantB);
        secrets.forEach(secret -> assertThat(audit).doesNotContain(secret));
    }

    @Test
    void theSameIdempotencyKeyInTwoTenantsMakesTwoJobs() {
        String body = "{\"kind\":\"noop\",\"runAt\":\"" + FUTURE + "\"}";
        String first = as(a.secret()).header("Idempotency-Key", "nightly-" + tenantA).contentType("application/json")
                .body(body).post("/api/jobs").then().statusCode(202).extract().path("id");
        String second = as(b.secret()).header("Idempotency-Key", "nightly-" + tenantA).contentType("application/json")
                .body(body).post("/api/jobs").then().statusCode(202).extract().path("id");
        assertThat(second).isNotEqualTo(first);
        // within one tenant the key still replays
        as(a.secret()).header("Idempotency-Key", "nightly-" + tenantA).contentType("application/json").body(body)
                .post("/api/jobs").then().statusCode(202).body("id", equalTo(first));
    }

    @Test
    void missingRolesAre403sNamingTheRole() {
        refused(as(readOnly.secret()).contentType("application/json").body("{\"kind\":\"noop\"}").post("/api/jobs"), "submit");
        refused(as(submitOnly.secret()).contentType("application/json").body("{\"kind\":\"seed\",\"params\":{}}").post("/api/jobs"),
                "admin");
        refused(as(submitOnly.secret()).contentType("application/json")
                .body("{\"jobs\":[{\"kind\":\"noop\"},{\"kind\":\"purge\"}]}").post("/api/jobs/batch"), "admin");
        refused(as(a.secret()).get("/api/keys"), "admin");
        refused(as(a.secret()).get("/api/audit"), "admin");
        refused(as(a.secret()).get("/api/workers"), "admin");
        refused(as(submitOnly.secret()).get("/api/jobs"), "read");
        refused(as(readOnly.secret()).contentType("application/json").body(schedule("x")).post("/api/schedules"), "operate");
        // a read key reads
        as(readOnly.secret()).get("/api/jobs?limit=1").then().statusCode(200);
    }

    @Test
    void allowListsNarrowWhatAKeySubmits() {
        Key narrow = key(tenantA, List.of("submit"), List.of("noop", "export"), List.of("customers"));
        as(narrow.secret()).contentType("application/json").body("{\"kind\":\"noop\",\"runAt\":\"" + FUTURE + "\"}")
                .post("/api/jobs").then().statusCode(202);
        Response sleep = as(narrow.secret()).contentType("application/json").body("{\"kind\":\"sleep\",\"params\":{\"seconds\":1}}")
                .post("/api/jobs");
        sleep.then().statusCode(403).contentType("application/problem+json");
        assertThat(sleep.jsonPath().getString("detail")).contains("sleep");
        Response orders = as(narrow.secret()).contentType("application/json")
                .body("{\"kind\":\"export\",\"params\":{\"dataset\":\"orders\",\"columns\":[\"id\"]}}").post("/api/jobs");
        orders.then().statusCode(403);
        assertThat(orders.jsonPath().getString("detail")).contains("orders");
    }

    @Test
    void anotherTenantsUploadIsUnknownToItsKeysAndItsImports() {
        String upload = as(a.secret()).contentType("text/csv").body("email,name,country\nx@example.com,X,DE\n")
                .queryParam("name", "a.csv").post("/api/uploads").then().statusCode(201).extract().path("id");
        as(a.secret()).get("/api/uploads/" + upload).then().statusCode(200);
        as(b.secret()).get("/api/uploads/" + upload).then().statusCode(404);
        String importing = "{\"kind\":\"import\",\"params\":{\"dataset\":\"customers\",\"upload\":\"" + upload + "\",\"mode\":\"upsert\"}}";
        Response refused = as(b.secret()).contentType("application/json").body(importing).post("/api/jobs");
        refused.then().statusCode(400).body("errors[0].field", equalTo("params.upload"));
        as(a.secret()).contentType("application/json").body(importing).post("/api/jobs").then().statusCode(202);
    }

    @Test
    void schedulesBelongToTheirTenantAndTheirNamesAreUniquePerTenant() {
        String id = as(a.secret()).contentType("application/json").body(schedule("nightly")).post("/api/schedules")
                .then().statusCode(201).extract().path("id");
        as(b.secret()).get("/api/schedules/" + id).then().statusCode(404);
        as(b.secret()).contentType("application/json").body(schedule("nightly")).put("/api/schedules/" + id).then().statusCode(404);
        as(b.secret()).post("/api/schedules/" + id + "/trigger").then().statusCode(404);
        as(b.secret()).delete("/api/schedules/" + id).then().statusCode(404);
        assertThat(as(b.secret()).get("/api/schedules").jsonPath().getList("items.id")).doesNotContain(id);
        // the same name in another tenant is another schedule
        as(b.secret()).contentType("application/json").body(schedule("nightly")).post("/api/schedules").then().statusCode(201);
        // a manual run is the schedule's tenant's job
        String job = as(a.secret()).post("/api/schedules/" + id + "/trigger").then().statusCode(202).extract().path("id");
        as(a.secret()).get("/api/jobs/" + job).then().statusCode(200).body("tenant", equalTo(tenantA));
        as(a.secret()).delete("/api/schedules/" + id).then().statusCode(204);
    }

    @Test
    void aRevokedKeyIsRefusedWithinTwoSeconds() {
        as(readOnly.secret()).get("/api/jobs?limit=1").then().statusCode(200);
        given().delete("/api/keys/" + readOnly.id()).then().statusCode(204);
        await().atMost(Duration.ofSeconds(2)).until(() -> as(readOnly.secret()).get("/api/jobs?limit=1").statusCode() == 401);
        JsonPath listed = given().get("/api/keys").jsonPath();
        assertThat(listed.getString("find { it.id == '" + readOnly.id() + "' }.revokedAt")).isNotNull();
        given().delete("/api/keys/" + readOnly.id()).then().statusCode(404);
    }

    @Test
    void noKeyOrABadKeyIs401AndHealthStaysOpen() {
        anonymous().get("/api/jobs").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer realm=\"longhaul\"");
        as("lh_nothing_" + "x".repeat(43)).get("/api/jobs").then().statusCode(401);
        anonymous().header("Authorization", "Basic YWRtaW46YWRtaW4=").get("/api/jobs").then().statusCode(401);
        // health, metrics and the OpenAPI document are on the management interface, not here
        int management = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        anonymous().get("http://localhost:" + management + "/q/health/ready").then().statusCode(200);
        anonymous().get("/q/health/ready").then().statusCode(404);
        anonymous().get("/q/metrics").then().statusCode(404);
        anonymous().get("/q/openapi").then().statusCode(404);
    }

    @Test
    void badKeyRequestsNameTheField() {
        given().contentType("application/json").body("{\"name\":\"x\",\"tenant\":\"Not A Tenant\",\"roles\":[\"read\"]}")
                .post("/api/keys").then().statusCode(400).body("errors[0].field", equalTo("tenant"));
        given().contentType("application/json").body("{\"name\":\"x\",\"tenant\":\"t\",\"roles\":[\"root\"]}")
                .post("/api/keys").then().statusCode(400).body("errors[0].field", equalTo("roles"));
        given().contentType("application/json").body("{\"name\":\"x\",\"tenant\":\"t\",\"roles\":[]}")
                .post("/api/keys").then().statusCode(400).body("errors[0].field", equalTo("roles"));
    }

    @Test
    void noSecretIsStoredListedOrLogged() throws Exception {
        String listed = given().get("/api/keys").asString();
        String dump = dumpLonghaulSchema();
        String log = Files.readString(Path.of("target/api-test.log"), StandardCharsets.UTF_8);
        assertThat(secrets).isNotEmpty();
        for (String secret : secrets) {
            assertThat(listed).doesNotContain(secret);
            assertThat(dump).doesNotContain(secret);
            assertThat(log).doesNotContain(secret);
        }
        assertThat(dump).doesNotContain(dev.longhaul.api.TestKeys.ADMIN);
        assertThat(log).doesNotContain(dev.longhaul.api.TestKeys.ADMIN);
        // what is stored is a digest, and the listed prefix is the key's public start
        assertThat(listed).contains(a.secret().substring(0, 11));
    }

    private Key key(String tenant, String... roles) {
        return key(tenant, List.of(roles), null, null);
    }

    private Key key(String tenant, List<String> roles, List<String> kinds, List<String> datasets) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("name", "key of " + tenant, "tenant", tenant, "roles", roles));
        if (kinds != null) body.put("kinds", kinds);
        if (datasets != null) body.put("datasets", datasets);
        Response created = given().contentType("application/json").body(body).post("/api/keys");
        created.then().statusCode(201).body("tenant", equalTo(tenant));
        String secret = created.path("key");
        assertThat(secret).startsWith("lh_").hasSizeGreaterThanOrEqualTo(3 + 8 + 1 + 43);
        secrets.add(secret);
        return new Key(created.path("id"), secret);
    }

    private String submit(Key key, String body) {
        return as(key.secret()).contentType("application/json").body(body).post("/api/jobs").then().statusCode(202)
                .extract().path("id");
    }

    private static List<String> ids(Response page) {
        page.then().statusCode(200);
        return page.jsonPath().getList("items.id");
    }

    private static void refused(Response response, String role) {
        response.then().statusCode(403).contentType("application/problem+json");
        assertThat(response.jsonPath().getString("detail")).contains("'" + role + "'");
    }

    private static String schedule(String name) {
        return "{\"name\":\"" + name + "\",\"cron\":\"0 0 3 * * ?\",\"timezone\":\"UTC\",\"job\":{\"kind\":\"noop\"},"
                + "\"misfire\":\"skip\",\"overlap\":\"skip\",\"enabled\":false}";
    }

    private void artifact(String job, String name) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                insert into longhaul.artifact (job_id, name, content_type, size, sha256, complete, created_at)
                values (?, ?, 'text/csv', 0, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', true, now())""")) {
            s.setObject(1, UUID.fromString(job));
            s.setString(2, name);
            s.executeUpdate();
        }
    }

    /** Every row of every table of the longhaul schema, as text: what a data-only dump holds. */
    private String dumpLonghaulSchema() throws SQLException {
        StringBuilder dump = new StringBuilder();
        try (Connection c = dataSource.getConnection()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = c.createStatement().executeQuery(
                    "select table_name from information_schema.tables where table_schema = 'longhaul' and table_type = 'BASE TABLE'")) {
                while (rs.next()) tables.add(rs.getString(1));
            }
            for (String table : tables) {
                try (ResultSet rs = c.createStatement().executeQuery("select t::text from longhaul.\"" + table + "\" t")) {
                    while (rs.next()) dump.append(rs.getString(1)).append('\n');
                }
            }
        }
        return dump.toString();
    }
}
