package dev.longhaul.api.upload;

import static dev.longhaul.api.TestKeys.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.longhaul.api.TestKeys;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Thirty clients sending uploads at about 1 KB/s (more than the connection pool's 20) hold no
 * database connection while they send: the rest of the API keeps answering quickly.
 */
@QuarkusTest
class SlowClientsTest {
    private static final int CLIENTS = 30;

    @TestHTTPResource("/")
    URL base;
    @Inject
    AgroalDataSource db;

    @Test
    void slowUploadsDoNotStarveTheApi() throws Exception {
        AtomicBoolean sending = new AtomicBoolean(true);
        List<Thread> uploads = new ArrayList<>();
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                Socket socket = new Socket(base.getHost(), base.getPort());
                sockets.add(socket);
                uploads.add(Thread.ofVirtual().start(() -> trickle(socket, sending)));
            }
            // every slow client is sending its first bytes by now
            given().get("/api/jobs?limit=1").then().statusCode(200);
            long[] latencies = new long[60];
            for (int i = 0; i < latencies.length; i++) {
                long start = System.nanoTime();
                int status = given().get("/api/jobs?limit=1").statusCode();
                latencies[i] = System.nanoTime() - start;
                assertThat(status).isEqualTo(200);
            }
            Arrays.sort(latencies);
            assertThat(latencies[latencies.length - 1] / 1_000_000).as("slowest GET in ms").isLessThan(1000);
        } finally {
            sending.set(false);
            for (Socket s : sockets) s.close();
            for (Thread t : uploads) t.join(5000);
        }
    }

    @Test
    void aClientThatStopsSendingItsBodyIsCutOffAndNothingIsKept() throws Exception {
        String name = "stalled-" + System.nanoTime() + ".csv";
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/uploads?name=" + name + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\n"
                    + "Authorization: Bearer " + TestKeys.ADMIN + "\r\nContent-Type: text/csv\r\n"
                    + "Content-Length: 1000000\r\n\r\nemail,name,country\n").getBytes(StandardCharsets.UTF_8));
            // 40 KB: two parts of 16 KiB are stored before the body stalls
            out.write("stalled@example.com,Stalled Client,DE\n".repeat(1000).getBytes(StandardCharsets.UTF_8));
            out.flush();
            // then silence: the read timeout (2 s in the tests) ends the request
            InputStream in = socket.getInputStream();
            socket.setSoTimeout(30_000);
            long start = System.nanoTime();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertThat(waited).as("ms until the server gave up on the body").isLessThan(20_000);
            if (!answer.isEmpty()) assertThat(answer).doesNotStartWith("HTTP/1.1 5").doesNotStartWith("HTTP/1.1 2");
        }
        // the parts stored before the stall are deleted as the request ends, which may be just
        // after the server closed the connection
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(kept(name)).as("uploads kept of the stalled client").isZero());
    }

    private long kept(String name) throws Exception {
        try (var c = db.getConnection();
                var s = c.prepareStatement("select count(*) from longhaul.upload where name = ?")) {
            s.setString(1, name);
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** A POST of a 1 MB CSV, sent 100 bytes every 100 ms until told to stop. */
    private void trickle(Socket socket, AtomicBoolean sending) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/uploads?name=slow.csv HTTP/1.1\r\nHost: " + base.getHost() + "\r\n"
                    + "Authorization: Bearer " + TestKeys.ADMIN + "\r\nContent-Type: text/csv\r\n"
                    + "Content-Length: 1000000\r\n\r\nemail,name,country\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            byte[] line = "slow@example.com,Slow Client,DE\n".repeat(3).substring(0, 100).getBytes(StandardCharsets.UTF_8);
            while (sending.get()) {
                out.write(line);
                out.flush();
                Thread.sleep(100); // the client's own pace, not a wait for the system under test
            }
        } catch (Exception e) {
            // the test closed the socket
        }
    }
}
