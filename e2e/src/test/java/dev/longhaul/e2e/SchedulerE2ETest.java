package dev.longhaul.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Schedules on a Quartz cluster of real scheduler processes: exactly one job per slot with two
 * instances and one of them killed, misfire policies across a downtime, and the overlap policy.
 * No worker runs here, so the jobs stay queued: what is checked is what the schedulers create.
 */
class SchedulerE2ETest {
    private static final Map<String, String> SCHEDULER_ENV = Map.of(
            "LONGHAUL_SCHEDULER_MISFIRE_THRESHOLD", "1s",
            "LONGHAUL_SCHEDULER_RECONCILE_EVERY", "1s",
            "QUARKUS_QUARTZ_CLUSTER_CHECKIN_INTERVAL", "2000");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static App api;

    @BeforeAll
    static void start() throws Exception {
        api = App.start("api");
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) api.close();
    }

    @Test
    void twoInstancesMakeOneJobPerSlotThroughAKillAndApplyTheMisfirePolicyAfterDowntime() throws Exception {
        App a = App.start("scheduler", SCHEDULER_ENV);
        App b = App.start("scheduler", SCHEDULER_ENV);
        try {
            String everySlot = create("{\"name\":\"every-2s\",\"cron\":\"0/2 * * * * ?\",\"timezone\":\"UTC\","
                    + "\"job\":{\"kind\":\"noop\"},\"overlap\":\"allow\",\"misfire\":\"fireOnce\"}");
            String skipping = create("{\"name\":\"every-2s-skip\",\"cron\":\"1/2 * * * * ?\",\"timezone\":\"Europe/Paris\","
                    + "\"job\":{\"kind\":\"noop\"},\"overlap\":\"allow\",\"misfire\":\"skip\"}");

            await().atMost(Duration.ofSeconds(40)).until(() -> count("job where schedule_id = ?::uuid", everySlot) >= 5);
            b.kill();
            long atKill = count("job where schedule_id = ?::uuid", everySlot);
            // the survivor keeps firing: about 12 s more of slots
            await().atMost(Duration.ofSeconds(40)).until(() -> count("job where schedule_id = ?::uuid", everySlot) >= atKill + 6);

            // downtime: no scheduler at all for about four slots of each schedule
            a.kill();
            Instant down = Instant.now();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Instant.now().isAfter(down.plusSeconds(8)));
            Instant restart = Instant.now();
            a = App.start("scheduler", SCHEDULER_ENV);
            Instant up = Instant.now();
            await().atMost(Duration.ofSeconds(40)).until(() ->
                    count("schedule_run where schedule_id = ?::uuid and outcome = 'skipped-misfire'", skipping) >= 3
                            && count("job where schedule_id = ?::uuid and created_at > '" + up + "'", everySlot) >= 2);

            // at most one job per slot, for every slot, whatever fired it
            assertThat(count("(select scheduled_for from longhaul.job where schedule_id = ?::uuid "
                    + "group by scheduled_for having count(*) > 1) d", everySlot)).isZero();
            assertThat(count("job where schedule_id = ?::uuid", everySlot)).isGreaterThanOrEqualTo(11);
            // slots are cron slots: even seconds
            assertThat(count("job where schedule_id = ?::uuid and extract(second from scheduled_for)::int % 2 <> 0", everySlot)).isZero();
            // fireOnce: the slots missed while no scheduler ran are recorded as skipped, and one
            // catch-up job runs at restart, marked as one (it may come in a slot's own second, so how
            // late it ran cannot tell it apart), from Quartz's misfire fire or, were that lost, from
            // the next on-time fire
            String downtime = "scheduled_for > '" + down + "' and scheduled_for < '" + restart + "'";
            assertThat(count("schedule_run where schedule_id = ?::uuid and outcome = 'skipped-misfire' and " + downtime,
                    everySlot)).isGreaterThanOrEqualTo(3);
            assertThat(count("job where schedule_id = ?::uuid and " + downtime, everySlot)).isLessThanOrEqualTo(1);
            assertThat(count("schedule_run where schedule_id = ?::uuid and outcome = 'created' and catch_up and at > '"
                    + restart + "'", everySlot)).isEqualTo(1);
            // skip: no job for a slot in the downtime, and no catch-up
            assertThat(count("job where schedule_id = ?::uuid and " + downtime, skipping)).isZero();
            assertThat(count("schedule_run where schedule_id = ?::uuid and catch_up", skipping)).isZero();
            // every slot from the first to the last is accounted for, once: a job or a recorded skip
            assertThat(scalar("""
                    select (extract(epoch from max(scheduled_for) - min(scheduled_for)) / 2 + 1)::bigint - count(*)
                    from longhaul.schedule_run where schedule_id = ?::uuid""", everySlot)).isZero();
            // every slot that says created has its job
            assertThat(count("schedule_run r where r.schedule_id = ?::uuid and r.outcome = 'created' and not exists "
                    + "(select 1 from longhaul.job j where j.id = r.job_id)", everySlot)).isZero();

        } finally {
            deleteAll();
            a.close();
            b.close();
        }
    }

    @Test
    void anOverlappingSlotIsSkippedAndRecorded() throws Exception {
        App scheduler = App.start("scheduler", SCHEDULER_ENV);
        try {
            // no worker runs, so the first job stays queued: active, and every later slot overlaps it
            String id = create("{\"name\":\"overlap\",\"cron\":\"0/2 * * * * ?\",\"timezone\":\"UTC\","
                    + "\"job\":{\"kind\":\"sleep\",\"params\":{\"seconds\":1}},\"overlap\":\"skip\"}");
            await().atMost(Duration.ofSeconds(40)).until(() ->
                    count("schedule_run where schedule_id = ?::uuid and outcome = 'skipped-overlap'", id) >= 3);
            assertThat(count("job where schedule_id = ?::uuid", id)).isEqualTo(1);
        } finally {
            deleteAll();
            scheduler.close();
        }
    }

    private static String create(String body) throws Exception {
        var response = HTTP.send(api.request("/api/schedules")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return Jobs.JSON.readTree(response.body()).get("id").asText();
    }

    /** Each test leaves no schedule behind, so the other finds a quiet cluster. */
    private static void deleteAll() throws Exception {
        var list = HTTP.send(api.request("/api/schedules?limit=1000").build(),
                HttpResponse.BodyHandlers.ofString());
        for (var schedule : Jobs.JSON.readTree(list.body()).get("items")) {
            var response = HTTP.send(api.request("/api/schedules/" + schedule.get("id").asText())
                    .DELETE().build(), HttpResponse.BodyHandlers.discarding());
            assertThat(response.statusCode()).isEqualTo(204);
        }
    }

    private static long count(String from, String parameter) throws Exception {
        return scalar("select count(*) from " + (from.startsWith("(") ? from : "longhaul." + from), parameter);
    }

    private static long scalar(String sql, String parameter) throws Exception {
        try (Connection c = Jobs.db(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, parameter);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
