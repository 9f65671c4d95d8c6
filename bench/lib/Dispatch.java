import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load side of bench/dispatch. One phase per call, each printing one line of key=value pairs
 * for the script to read:
 *
 * <pre>
 *   batch   API JDBC WARM       WARM noop jobs in batches of 1,000 to warm the api, then one batch of
 *                               1,000: its accept latency, then the time until RabbitMQ confirmed
 *                               all of them (no job left marked to publish); run with no worker
 *   settle  JDBC                waits until no job is unfinished (a worker drains what is queued)
 *   drain   API JDBC JOBS SIZE  JOBS noop jobs in batches of SIZE, then waits until all SUCCEEDED:
 *                               jobs/s from the first submit to the last finish
 *   singles API JOBS CLIENTS    JOBS single POST /api/jobs from CLIENTS concurrent keep-alive
 *                               clients: requests/s, p50/p99/max latency, errors
 * </pre>
 *
 * The environment variable LONGHAUL_KEY, when set, is sent as a bearer token; KEYS and KEY_LIMIT
 * give the batches' jobs concurrency keys.
 */
public class Dispatch {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static final String KEY = System.getenv("LONGHAUL_KEY");
    static final int WARMUP_PER_CLIENT = 150;
    /** KEYS=N gives the batches' jobs concurrency keys, job i the key k(i mod N), each with the limit KEY_LIMIT (1). */
    static final int KEYS = Integer.parseInt(System.getenv().getOrDefault("KEYS", "0"));
    static final int KEY_LIMIT = Integer.parseInt(System.getenv().getOrDefault("KEY_LIMIT", "1"));

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "batch" -> batch(args[1], args[2], Integer.parseInt(args[3]));
            case "settle" -> settle(args[1]);
            case "drain" -> drain(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "singles" -> singles(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("unknown phase " + args[0]);
        }
    }

    static HttpRequest post(String url, String body) {
        var b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (KEY != null && !KEY.isEmpty()) b.header("Authorization", "Bearer " + KEY);
        return b.build();
    }

    static String batchBody(int size) {
        StringBuilder s = new StringBuilder("{\"jobs\":[");
        for (int i = 0; i < size; i++) s.append(i == 0 ? "" : ",").append(KEYS > 0 ? keyed(i) : "{\"kind\":\"noop\"}");
        return s.append("]}").toString();
    }

    /** A noop job with the concurrency key {@code k<i mod KEYS>} and the limit KEY_LIMIT. */
    static String keyed(int i) {
        return "{\"kind\":\"noop\",\"concurrencyKey\":\"k" + (i % KEYS) + "\",\"concurrencyLimit\":" + KEY_LIMIT + "}";
    }

    static void submitBatch(String api, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(post(api + "/api/jobs/batch", body), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) throw new IllegalStateException("batch answered " + r.statusCode() + ": " + r.body());
    }

    static long scalar(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void batch(String api, String jdbc, int warm) throws Exception {
        String body = batchBody(1000);
        try (Connection c = DriverManager.getConnection(jdbc, "longhaul", "longhaul")) {
            for (int sent = 0; sent < warm; sent += 1000) submitBatch(api, body);
            while (scalar(c, "select count(*) from longhaul.job where to_publish") > 0) Thread.sleep(5);
            long t0 = System.nanoTime();
            submitBatch(api, body);
            long accepted = System.nanoTime();
            while (scalar(c, "select count(*) from longhaul.job where to_publish") > 0) Thread.sleep(5);
            long confirmed = System.nanoTime();
            System.out.printf("accept_ms=%.0f confirm_ms=%.0f%n", (accepted - t0) / 1e6, (confirmed - t0) / 1e6);
        }
    }

    static void settle(String jdbc) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, "longhaul", "longhaul")) {
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (scalar(c, "select count(*) from longhaul.job where state in ('SCHEDULED', 'QUEUED', 'RUNNING')") > 0) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("jobs not done within 10 minutes");
                Thread.sleep(50);
            }
        }
    }

    static void drain(String api, String jdbc, int jobs, int size) throws Exception {
        String body = batchBody(size);
        try (Connection c = DriverManager.getConnection(jdbc, "longhaul", "longhaul")) {
            long t0 = System.nanoTime();
            for (int sent = 0; sent < jobs; sent += size) submitBatch(api, body);
            long submitted = System.nanoTime();
            long deadline = t0 + Duration.ofMinutes(10).toNanos();
            // every job is in by now: wait until none is unfinished, with a query that reads only the
            // unfinished ones (job_state_id_idx), so the polling costs the database next to nothing
            while (scalar(c, "select count(*) from longhaul.job where state in ('SCHEDULED', 'QUEUED', 'RUNNING')") > 0) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("jobs not done within 10 minutes");
                Thread.sleep(10);
            }
            long done = System.nanoTime();
            long failed = scalar(c, "select count(*) from longhaul.job where kind = 'noop' and state <> 'SUCCEEDED'");
            if (failed > 0) throw new IllegalStateException(failed + " noop jobs did not succeed");
            System.out.printf("jobs=%d submit_s=%.2f drain_s=%.2f rate=%.0f%n", jobs, (submitted - t0) / 1e9,
                    (done - t0) / 1e9, jobs / ((done - t0) / 1e9));
        }
    }

    static void singles(String api, int jobs, int clients) throws Exception {
        long[] latencies = new long[jobs];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        URI uri = URI.create(api);
        byte[] body = "{\"kind\":\"noop\"}".getBytes(StandardCharsets.UTF_8);
        byte[] request = ("POST /api/jobs HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + (KEY != null && !KEY.isEmpty() ? "\r\nAuthorization: Bearer " + KEY : "")
                + "\r\n\r\n" + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        // each client is one kept-alive connection with a minimal HTTP/1.1 client of its own, so the
        // load costs the machine little next to what it measures; it warms both sides up first
        CountDownLatch warmed = new CountDownLatch(clients);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> all = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            all.add(pool.submit(() -> {
                try (Connection1 connection = new Connection1(uri.getHost(), uri.getPort())) {
                    for (int i = 0; i < WARMUP_PER_CLIENT; i++) connection.exchange(request);
                    warmed.countDown();
                    go.await();
                    int i;
                    while ((i = next.getAndIncrement()) < jobs) {
                        long s = System.nanoTime();
                        if (connection.exchange(request) != 202) errors.incrementAndGet();
                        latencies[i] = System.nanoTime() - s;
                    }
                }
                return null;
            }));
        }
        warmed.await();
        long t0 = System.nanoTime();
        go.countDown();
        for (Future<?> f : all) f.get();
        long elapsed = System.nanoTime() - t0;
        pool.shutdown();
        Arrays.sort(latencies);
        System.out.printf("requests=%d rate=%.0f p50_ms=%.1f p99_ms=%.1f max_ms=%.1f errors=%d%n", jobs,
                jobs / (elapsed / 1e9), latencies[jobs / 2] / 1e6, latencies[(int) (jobs * 0.99)] / 1e6,
                latencies[jobs - 1] / 1e6, errors.get());
    }

    /** One kept-alive HTTP/1.1 connection: sends a request, reads the status and skips the body. */
    static final class Connection1 implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;

        Connection1(String host, int port) throws Exception {
            socket = new Socket(host, port);
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 16384);
        }

        int exchange(byte[] request) throws Exception {
            out.write(request);
            out.flush();
            String status = line();
            int length = 0;
            for (String header; !(header = line()).isEmpty(); ) {
                if (header.regionMatches(true, 0, "content-length:", 0, 15)) length = Integer.parseInt(header.substring(15).trim());
            }
            in.skipNBytes(length);
            return Integer.parseInt(status.substring(9, 12));
        }

        private String line() throws Exception {
            StringBuilder s = new StringBuilder(64);
            for (int b; (b = in.read()) != '\n'; ) {
                if (b < 0) throw new java.io.EOFException("connection closed");
                if (b != '\r') s.append((char) b);
            }
            return s.toString();
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }
}
