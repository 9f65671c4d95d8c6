package dev.longhaul.api.upload;

import static dev.longhaul.api.TestKeys.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Uploads are stored whole and described by size and sha256, or refused with a problem and
 * nothing kept. The test profile caps an upload at 256 KiB and stores it in parts of 16 KiB, so
 * that a part is still being written while the next is read and checked.
 */
@QuarkusTest
class UploadApiTest {
    /** longhaul.uploads.part-bytes in the test profile. */
    private static final int PART = 16 * 1024;

    @Inject
    AgroalDataSource db;

    @Test
    void aCsvIsStoredAndDescribedBySizeAndSha256() throws Exception {
        StringBuilder csv = new StringBuilder("email,name,country\n");
        for (int i = 0; i < 2000; i++) csv.append("u").append(i).append("@example.com,Ünal ").append(i).append(",DE\n");
        byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);

        Response created = given().contentType("text/csv").body(bytes).queryParam("name", "customers.csv").post("/api/uploads");
        created.then().statusCode(201).body("size", equalTo(bytes.length)).body("name", equalTo("customers.csv"))
                .body("sha256", equalTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))));
        String id = created.path("id");
        assertThat(created.header("Location")).endsWith("/api/uploads/" + id);
        given().get("/api/uploads/" + id).then().statusCode(200).body("size", equalTo(bytes.length));
        // in order, whole, in parts of 16 KiB written while the next ones arrived
        assertThat(count("longhaul.upload_part where upload_id = '" + id + "'")).isEqualTo((bytes.length + PART - 1) / PART);
        assertThat(stored(id)).isEqualTo(bytes);
    }

    @Test
    void anUploadOverTheLimitIsRefusedAndNothingIsKept() throws Exception {
        long before = count("longhaul.upload");
        long parts = count("longhaul.upload_part");
        // 16 parts are stored before the 17th passes the limit
        byte[] big = "a,b\n".repeat(70_000).getBytes(StandardCharsets.UTF_8); // 280,000 bytes
        refused(given().contentType("text/csv").body(big).post("/api/uploads"), 413, "body");
        assertThat(count("longhaul.upload")).isEqualTo(before);
        assertThat(count("longhaul.upload_part")).isEqualTo(parts);
    }

    @Test
    void aBinaryFileSentAsCsvIsRefused() throws Exception {
        long before = count("longhaul.upload");
        long parts = count("longhaul.upload_part");
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        Response response = given().contentType("text/csv").body(png).post("/api/uploads");
        refused(response, 415, "body");
        assertThat(response.asString()).contains("not CSV text");
        byte[] latin1 = "name\nM\u00fcller\n".getBytes(StandardCharsets.ISO_8859_1);
        refused(given().contentType("text/csv").body(latin1).post("/api/uploads"), 415, "body");
        // a NUL in the fourth part: three parts are stored by then, and none is kept
        byte[] late = ("a,b\n".repeat(3 * PART / 4) + "a,\0\n").getBytes(StandardCharsets.UTF_8);
        Response lateNul = given().contentType("text/csv").body(late).post("/api/uploads");
        refused(lateNul, 415, "body");
        assertThat(lateNul.asString()).contains("byte " + (3 * PART + 2) + " is NUL");
        assertThat(count("longhaul.upload")).isEqualTo(before);
        assertThat(count("longhaul.upload_part")).isEqualTo(parts);
    }

    @Test
    void anythingButCsvAndEmptyBodiesAreRefused() {
        refused(given().contentType("application/octet-stream").body(new byte[] {1, 2, 3}).post("/api/uploads"), 415, "Content-Type");
        refused(given().contentType("application/json").body("{\"rows\":[]}").post("/api/uploads"), 415, "Content-Type");
        refused(given().contentType("text/csv").body(new byte[0]).post("/api/uploads"), 400, "body");
        refused(given().contentType("text/csv").queryParam("name", "../../etc/passwd").body("a\n").post("/api/uploads"), 400, "name");
    }

    @Test
    void anImportOfAnUploadThatDoesNotExistIsRefused() {
        Response response = given().contentType("application/json").body("""
                {"kind":"import","params":{"dataset":"customers","upload":"0190f000-0000-7000-8000-000000000000","mode":"upsert"}}""")
                .post("/api/jobs");
        refused(response, 400, "params.upload");
        refused(given().contentType("application/json").body("""
                {"kind":"import","params":{"dataset":"customers","upload":"0190f000-0000-7000-8000-000000000000","mode":"merge"}}""")
                .post("/api/jobs"), 400, "params.mode");
        refused(given().contentType("application/json").body("""
                {"kind":"import","params":{"dataset":"customers","upload":"0190f000-0000-7000-8000-000000000000","mode":"upsert","key":"name"}}""")
                .post("/api/jobs"), 400, "params.key");
    }

    private static void refused(Response response, int status, String field) {
        response.then().statusCode(status).contentType("application/problem+json").body("status", equalTo(status))
                .body("errors.field", hasItem(field));
        assertThat(response.asString()).doesNotContain("Exception").doesNotContain("dev.longhaul");
    }

    /** The upload's parts, concatenated in order. */
    private byte[] stored(String id) throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "select string_agg(data, ''::bytea order by seq) from longhaul.upload_part where upload_id = '" + id + "'")) {
            rs.next();
            return rs.getBytes(1);
        }
    }

    private long count(String from) throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select count(*) from " + from)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
