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
            "LONGHAUL_WORKER_HEARTBEAT", "1s",
            // no slice ends on its own here: a job leaves its worker only as each test makes it
            "LONGHAUL_WORKER_SLICE", "120s");
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
            // long enough to be still running once a second worker has started, even on a busy machine
            String id = jobs.submit("{\"kind\":\"sleep\",\"params\":{\"seconds\":40}}");
            await().atMost(Duration.ofSeconds(30)).until(() -> "RUNNING".equals(jobs.get(id).get("state").asText()));
            second = App.start("worker", WORKER_ENV);
            // both report in, and the first one holds the job; the concurrency is the sum of the lanes'
            // (default 64, bulk and email 8 each)
            long firstPid = first.pid();
            long secondPid = second.pid();
            await().atMost(Duration.ofSeconds(25)).until(() -> workers().stream().anyMatch(w -> w.get("pid").asLong() == secondPid)
                    && workers().stream().anyMatch(w -> w.get("pid").asLong() == firstPid
                            && w.get("runningJobs").toString().contains(id) && w.get("concurrency").asInt() == 64 + 8 + 8));

            Duration exit = first.terminate(Duration.ofSeconds(20));
            // a worker that stops leaves the registry
            assertThat(workers()).noneMatch(w -> w.get("pid").asLong() == firstPid);
            // it handed the job back at once rather than waiting for it or for its lease
            assertThat(exit).isLessThan(Duration.ofSeconds(10));
            assertThat(jobs.get(id).get("state").asText()).isIn("QUEUED", "RUNNING", "SUCCEEDED");

            JsonNode job = jobs.awaitSuccess(id, Duration.ofSeconds(90));
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
    void aWorkerKilledBetweenItsCommitAndItsAckLeavesTheJobDoneOnce() throws Exception {
        // the worker reaches RabbitMQ through a proxy: cut it, and its ack can never leave
        try (TcpProxy broker = new TcpProxy(5672)) {
            var env = new java.util.HashMap<>(WORKER_ENV);
            env.put("RABBITMQ_PORT", String.valueOf(broker.port()));
            App first = App.start("worker", env);
            App second = null;
            try {
                String id = jobs.submit("{\"kind\":\"sleep\",\"params\":{\"seconds\":2}}");
                await().atMost(Duration.ofSeconds(30)).until(() -> "RUNNING".equals(jobs.get(id).get("state").asText()));
                broker.cut();
                // the job commits its success in PostgreSQL; the ack is stuck behind the cut
                await().atMost(Duration.ofSeconds(30)).until(() -> "SUCCEEDED".equals(jobs.get(id).get("state").asText()));
                first.kill();

                // RabbitMQ gives the unacked delivery to another worker, which finds the job done
                second = App.start("worker", WORKER_ENV);
                App other = second;
                await().atMost(Duration.ofSeconds(60)).until(() -> droppedDeliveries(other) >= 1);
                JsonNode job = jobs.get(id);
                assertThat(job.get("state").asText()).isEqualTo("SUCCEEDED");
                assertThat(job.get("attempt").asInt()).isEqualTo(1);
                assertThat(events(id)).extracting(e -> e[0]).containsExactly("claimed", "succeeded");
            } finally {
                if (second != null) second.close();
                if (first.alive()) first.kill();
            }
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

    /** The worker's count of deliveries it dropped because PostgreSQL said the job was not its to run. */
    private static double droppedDeliveries(App worker) throws Exception {
        var response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(worker.managementUrl("/q/metrics"))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return response.body().lines()
                .filter(l -> l.startsWith("longhaul_worker_deliveries_total") && l.contains("result=\"dropped\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
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

    /** GET /api/workers. */
    private static List<JsonNode> workers() throws Exception {
        var response = java.net.http.HttpClient.newHttpClient().send(
                api.request("/api/workers").build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        List<JsonNode> list = new ArrayList<>();
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).forEach(list::add);
        return list;
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
