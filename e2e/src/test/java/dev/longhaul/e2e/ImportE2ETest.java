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
        String id = importJob("e2ekill", "Killed Customer ", "insert");

        // past the first range, so that some lines are committed before the kill
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20))
                .until(() -> imported() > 0);
        // kill it in the middle of a range: while its COPY into the target is open (rows sent,
        // nothing of the range committed)
        killWorkerWhile("copy shop.customers %");
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

    @Test
    void anUpsertKilledWhileOneRangeMergesAndTheNextIsStagedAppliesEachRangeOnce() throws Exception {
        update("delete from shop.customers where email like 'e2eups%@example.com'");
        // the first half of the file's keys exist already, under old names
        update("insert into shop.customers (email, name, country) select 'e2eups' || g || '@example.com', 'Old ' || g, 'FR' "
                + "from generate_series(1, " + ROWS / 2 + ") g");
        String id = importJob("e2eups", "New ", "upsert");

        // past the first range, then killed while a range's merge runs (the next one staged
        // ahead on another connection): neither may leave anything behind
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20)).until(() -> renamed() > 0);
        killWorkerWhile("insert into shop.customers as t_ %");
        assertThat(renamed()).isPositive().isLessThan(ROWS);
        worker = App.start("worker", WORKER_ENV, "128m");

        JsonNode result = jobs.awaitSuccess(id, Duration.ofMinutes(3)).get("result");
        // a range applied twice would count its new rows again as updated
        assertThat(result.get("inserted").asLong()).isEqualTo(ROWS / 2);
        assertThat(result.get("updated").asLong()).isEqualTo(ROWS / 2);
        assertThat(result.get("rejected").asLong()).isZero();
        assertThat(renamed()).isEqualTo(ROWS);
        assertThat(count("select count(*) from shop.customers where email like 'e2eups%@example.com'")).isEqualTo(ROWS);
        assertThat(Jobs.events(id)).contains("resumed").endsWith("succeeded");
    }

    /**
     * Kills the worker with {@code kill -9} while a statement like {@code pattern} runs: the
     * worker is frozen, and killed if the statement runs, else let run on until it does.
     */
    private static void killWorkerWhile(String pattern) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
            worker.pause();
            if (count("select count(*) from pg_stat_activity where datname = current_database() and state = 'active' "
                    + "and query like '" + pattern + "'") > 0) {
                worker.kill();
                return true;
            }
            worker.resume();
            return false;
        });
    }

    /** The upserted customers that carry the file's name. */
    private static long renamed() throws Exception {
        return count("select count(*) from shop.customers where email like 'e2eups%@example.com' and name like 'New %'");
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

    /**
     * Uploads ROWS customers, {@code <prefix><n>@example.com} named {@code <name><n>}, and submits
     * their import in {@code mode}; returns the job's id.
     */
    private String importJob(String prefix, String name, String mode) throws Exception {
        ByteArrayOutputStream csv = new ByteArrayOutputStream();
        csv.writeBytes("email,name,country\n".getBytes(StandardCharsets.UTF_8));
        for (int n = 1; n <= ROWS; n++) {
            csv.writeBytes((prefix + n + "@example.com," + name + n + ",DE\n").getBytes(StandardCharsets.UTF_8));
        }
        String upload = jobs.upload(csv.toByteArray());
        return jobs.submit("{\"kind\":\"import\",\"params\":{\"dataset\":\"customers\",\"upload\":\"" + upload
                + "\",\"mode\":\"" + mode + "\"}}");
    }
}
