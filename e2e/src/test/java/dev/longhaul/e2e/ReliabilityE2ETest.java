package dev.longhaul.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Faults on purpose, with the packaged apps as real processes: a worker stopped, the broker restarted. */
class ReliabilityE2ETest {
    private static final Map<String, String> WORKER_ENV = Map.of(
            "LONGHAUL_WORKER_LEASE", "5s",
            "LONGHAUL_WORKER_HEARTBEAT", "1s");
    private static App api;
    private static Jobs jobs;

    @BeforeAll
    static void start() throws Exception {
        api = App.start("api", Map.of("LONGHAUL_DISPATCH_REPUBLISH_EVERY", "1s", "LONGHAUL_DISPATCH_REPUBLISH_GRACE", "2s"));
        jobs = new Jobs(api);
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) api.close();
    }

    @Test
    void aJobWhoseWorkerGetsSigtermFinishesOnAnotherStillOnAttemptOne() throws Exception {
        App first = App.start("worker", WORKER_ENV);
        App second = null;
        try {
            String id = jobs.submit("{\"kind\":\"sleep\",\"params\":{\"seconds\":6}}");
            await().atMost(Duration.ofSeconds(30)).until(() -> "RUNNING".equals(jobs.get(id).get("state").asText()));
            second = App.start("worker", WORKER_ENV);

            Duration exit = first.terminate(Duration.ofSeconds(20));
            // it handed the job back at once rather than waiting for it or for its lease
            assertThat(exit).isLessThan(Duration.ofSeconds(10));
            assertThat(jobs.get(id).get("state").asText()).isIn("QUEUED", "RUNNING", "SUCCEEDED");

            JsonNode job = jobs.awaitSuccess(id, Duration.ofSeconds(60));
            assertThat(job.get("attempt").asInt()).isEqualTo(1);
            List<String[]> events = events(id);
            assertThat(events).extracting(e -> e[0]).containsExactly("claimed", "requeued", "resumed", "succeeded");
            // resumed by the other worker
            assertThat(events.get(2)[1]).isNotEqualTo(events.get(0)[1]);
        } finally {
            if (second != null) second.close();
            if (first.alive()) first.kill();
        }
    }

    @Test
    void rabbitMqRestartedWhileTwoThousandJobsAreSubmittedLosesNoneAndRunsNoneTwice() throws Exception {
        App worker = App.start("worker", WORKER_ENV);
        try {
            int total = 2000;
            ConcurrentLinkedQueue<String> ids = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<String> refused = new ConcurrentLinkedQueue<>();
            AtomicInteger sent = new AtomicInteger();
            ExecutorService clients = Executors.newFixedThreadPool(4);
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                done.add(clients.submit(() -> {
                    while (sent.getAndIncrement() < total) {
                        try {
                            ids.add(jobs.submit("{\"kind\":\"noop\"}"));
                        } catch (Exception | AssertionError e) {
                            refused.add(String.valueOf(e.getMessage()));
                        }
                    }
                    return null;
                }));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> ids.size() >= 400);
            rabbitmqctl("stop_app");
            int duringOutage = ids.size();
            rabbitmqctl("start_app");
            for (Future<?> f : done) f.get();
            clients.shutdown();

            assertThat(refused).isEmpty();
            assertThat(ids).hasSize(total);
            assertThat(duringOutage).isLessThan(total);
            List<String> all = List.copyOf(ids);
            await().atMost(Duration.ofMinutes(3)).until(() -> count(all, "state = 'SUCCEEDED'") == total);
            assertThat(count(all, "attempt = 1")).isEqualTo(total);
            // each ran once: one claim and one success in every history
            assertThat(eventCount(all, "claimed")).isEqualTo(total);
            assertThat(eventCount(all, "succeeded")).isEqualTo(total);
            assertThat(jobs.get(all.getFirst()).get("state").asText()).isEqualTo("SUCCEEDED");
        } finally {
            worker.close();
        }
    }

    private static void rabbitmqctl(String command) throws Exception {
        Process p = new ProcessBuilder("rabbitmqctl", "-q", command).inheritIO().start();
        assertThat(p.waitFor()).as("rabbitmqctl " + command).isZero();
    }

    private static long count(List<String> ids, String where) throws Exception {
        try (Connection c = Jobs.db(); PreparedStatement s = c.prepareStatement(
                "select count(*) from longhaul.job where id = any(?::uuid[]) and " + where)) {
            s.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long eventCount(List<String> ids, String type) throws Exception {
        try (Connection c = Jobs.db(); PreparedStatement s = c.prepareStatement(
                "select count(*) from longhaul.job_event where job_id = any(?::uuid[]) and type = ?")) {
            s.setArray(1, c.createArrayOf("text", ids.toArray()));
            s.setString(2, type);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** [type, worker] of each event, oldest first. */
    private static List<String[]> events(String id) throws Exception {
        List<String[]> events = new ArrayList<>();
        try (Connection c = Jobs.db(); PreparedStatement s = c.prepareStatement(
                "select type, coalesce(worker, '') from longhaul.job_event where job_id = ?::uuid order by id")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) events.add(new String[] {rs.getString(1), rs.getString(2)});
            }
        }
        return events;
    }
}
