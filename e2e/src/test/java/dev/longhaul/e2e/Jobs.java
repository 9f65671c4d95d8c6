package dev.longhaul.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;

/** A small client of a running api, and of the e2e database. */
final class Jobs {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final App api;

    Jobs(App api) {
        this.api = api;
    }

    /** Submits and returns the id; fails the test unless the api answered 202. */
    String submit(String body) throws Exception {
        var response = HTTP.send(api.request("/api/jobs")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return JSON.readTree(response.body()).get("id").asText();
    }

    /** Any request with a JSON body (or none), answered whatever its status. */
    HttpResponse<String> call(String method, String path, String body) throws Exception {
        var request = api.request(path).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A dashboard page's HTML, read with a session signed in with the admin key. */
    String page(String path) throws Exception {
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build();
        var signIn = browser.send(HttpRequest.newBuilder(java.net.URI.create(api.url("/ui/login")))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", api.url(""))
                .POST(HttpRequest.BodyPublishers.ofString("key=" + App.ADMIN_KEY)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(303);
        var page = browser.send(HttpRequest.newBuilder(java.net.URI.create(api.url(path))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).as(path).isEqualTo(200);
        return page.body();
    }

    /** Uploads {@code csv} for an import and returns the upload's id; fails the test unless the api answered 201. */
    String upload(byte[] csv) throws Exception {
        var response = HTTP.send(api.request("/api/uploads?name=import.csv")
                .header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofByteArray(csv)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return JSON.readTree(response.body()).get("id").asText();
    }

    /** A bodiless POST, e.g. a cancel. */
    HttpResponse<String> post(String path) throws Exception {
        return HTTP.send(api.request(path).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode get(String id) throws Exception {
        var response = HTTP.send(api.request("/api/jobs/" + id).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** Waits until the job has finished and returns it; fails on FAILED or CANCELLED. */
    JsonNode awaitSuccess(String id, Duration atMost) throws Exception {
        await("job " + id).atMost(atMost).pollInterval(Duration.ofMillis(200))
                .until(() -> get(id).get("state").asText().matches("SUCCEEDED|FAILED|CANCELLED"));
        JsonNode job = get(id);
        assertThat(job.get("state").asText()).as("job %s: %s", id, job.get("error")).isEqualTo("SUCCEEDED");
        return job;
    }

    byte[] download(String url) throws Exception {
        var response = HTTP.send(api.request(url).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** sha256 of a download, streamed: for files too large to hold in a test's memory. */
    String sha256(String url) throws Exception {
        var response = HTTP.send(api.request(url).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = response.body()) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) sha.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The types of a job's events, oldest first. */
    static java.util.List<String> events(String jobId) throws Exception {
        try (Connection c = db(); var s = c.prepareStatement("select type from longhaul.job_event where job_id = ?::uuid order by id")) {
            s.setString(1, jobId);
            try (var rs = s.executeQuery()) {
                java.util.List<String> types = new java.util.ArrayList<>();
                while (rs.next()) types.add(rs.getString(1));
                return types;
            }
        }
    }

    static Connection db() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + App.DATABASE, "longhaul", "longhaul");
    }

    /** What psql's \copy of {@code query} writes as CSV with a header: the physical reference. */
    static byte[] psqlCopy(String query) throws Exception {
        Process psql = new ProcessBuilder("psql", "-X", "-q", "-h", "127.0.0.1", "-U", "longhaul", "-d", App.DATABASE,
                "-c", "\\copy (" + query + ") to stdout with (format csv, header)")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = psql.getInputStream().readAllBytes();
        assertThat(psql.waitFor()).isZero();
        return out;
    }
}
