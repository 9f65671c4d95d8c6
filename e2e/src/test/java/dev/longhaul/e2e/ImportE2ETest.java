package dev.longhaul.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Imports on real processes: a worker killed with {@code kill -9} in the middle of a range of lines. */
class ImportE2ETest {
    private static final int ROWS = 600_000;
    private static final Map<String, String> WORKER_ENV = Map.of("LONGHAUL_WORKER_LEASE", "3s", "LONGHAUL_WORKER_SLICE", "5s");

    private static App api;
    private static App worker;
    private static Jobs jobs;

    @BeforeAll
    static void start() throws Exception {
        api = App.start("api", Map.of("LONGHAUL_DISPATCH_REPUBLISH_EVERY", "1s"));
        worker = App.start("worker", WORKER_ENV, "128m");
        jobs = new Jobs(api);
    }

    @AfterAll
    static void stop() throws Exception {
        if (worker != null) worker.close();
        if (api != null) api.close();
    }

    @Test
    void anInsertKilledMidRangeResumesWithNoRowTwice() throws Exception {
        update("delete from shop.customers where email like 'e2ekill%@example.com'");
        ByteArrayOutputStream csv = new ByteArrayOutputStream();
        csv.writeBytes("email,name,country\n".getBytes(StandardCharsets.UTF_8));
        for (int n = 1; n <= ROWS; n++) {
            csv.writeBytes(("e2ekill" + n + "@example.com,Killed Customer " + n + ",DE\n").getBytes(StandardCharsets.UTF_8));
        }
        String upload = jobs.upload(csv.toByteArray());
        String id = jobs.submit("{\"kind\":\"import\",\"params\":{\"dataset\":\"customers\",\"upload\":\"" + upload
                + "\",\"mode\":\"insert\"}}");

        // past the first range, so that some lines are committed before the kill
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20))
                .until(() -> imported() > 0);
        // kill it in the middle of a range: frozen while its COPY into the target is open (rows
        // sent, nothing of the range committed); else let it run on
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
            worker.pause();
            if (copyOpen()) {
                worker.kill();
                return true;
            }
            worker.resume();
            return false;
        });
        long committedAtKill = imported();
        assertThat(committedAtKill).isPositive().isLessThan(ROWS);
        assertThat(jobs.get(id).get("state").asText()).isEqualTo("RUNNING");
        worker = App.start("worker", WORKER_ENV, "128m");

        JsonNode result = jobs.awaitSuccess(id, Duration.ofMinutes(3)).get("result");
        // a line that went in twice would have been refused the second time, as a key that exists
        assertThat(result.get("inserted").asLong()).isEqualTo(ROWS);
        assertThat(result.get("rejected").asLong()).isZero();
        assertThat(imported()).isEqualTo(ROWS);
        assertThat(count("select count(distinct name) from shop.customers where email like 'e2ekill%@example.com'")).isEqualTo(ROWS);
        List<String> events = Jobs.events(id);
        assertThat(events).contains("resumed").endsWith("succeeded");
        assertThat(events.stream().filter("claimed"::equals)).hasSize(1);
    }

    /** Whether a COPY into the customers table is running: an import's range, not yet committed. */
    private static boolean copyOpen() throws Exception {
        return count("select count(*) from pg_stat_activity where datname = current_database() and state = 'active' "
                + "and query like 'copy shop.customers %'") > 0;
    }

    private static long imported() throws Exception {
        return count("select count(*) from shop.customers where email like 'e2ekill%@example.com'");
    }

    private static long count(String query) throws Exception {
        try (Connection c = Jobs.db(); Statement s = c.createStatement(); var rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void update(String sql) throws Exception {
        try (Connection c = Jobs.db(); Statement s = c.createStatement()) {
            s.executeUpdate(sql);
        }
    }
}
