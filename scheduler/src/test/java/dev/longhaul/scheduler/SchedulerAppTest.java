package dev.longhaul.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.longhaul.core.job.Job;
import dev.longhaul.core.job.JobSpec;
import dev.longhaul.core.job.JobState;
import dev.longhaul.core.job.JobStore;
import dev.longhaul.core.job.JobIds;
import dev.longhaul.scheduler.heartbeat.Heartbeat;
import dev.longhaul.scheduler.schedule.Slots;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.quartz.CronTrigger;
import org.quartz.Scheduler;
import org.quartz.TriggerKey;

/** The scheduler app on real PostgreSQL and RabbitMQ (longhaul_test_scheduler). */
@QuarkusTest
class SchedulerAppTest {
    @Inject
    Scheduler quartz;
    @Inject
    Heartbeat heartbeat;
    @Inject
    EntityManager em;
    @Inject
    JobStore store;
    @Inject
    ObjectMapper mapper;
    @Inject
    Clock clock;
    @Inject
    Slots slots;

    @Test
    void quartzRunsClusteredOnTheFlywayTablesAndFires() throws Exception {
        assertThat(quartz.getMetaData().isJobStoreClustered()).isTrue();
        assertThat(quartz.getMetaData().isJobStoreSupportsPersistence()).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() -> heartbeat.last() != null);
        Number instances = QuarkusTransaction.requiringNew().call(() -> (Number) em.createNativeQuery(
                "select count(*) from longhaul.qrtz_scheduler_state where instance_name = ?1")
                .setParameter(1, quartz.getSchedulerInstanceId()).getSingleResult());
        assertThat(instances.intValue()).isEqualTo(1);
    }

    @Test
    void aScheduleQuartzRefusesIsMarkedAndTheOthersStillFire() throws Exception {
        // the api refuses a cron that never fires again; one already stored must not stop the rest
        UUID bad = scheduleOf("bad-" + UUID.randomUUID(), "0 0 0 1 1 ? 2020", "UTC");
        UUID good = scheduleOf("every-second-" + UUID.randomUUID(), "* * * * * ?", "UTC");
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> count("longhaul.schedule_run where schedule_id = ?1", good) > 0);
            await().atMost(Duration.ofSeconds(10)).until(() -> error(bad) != null);
            assertThat(error(bad)).contains("cannot run this schedule");
            assertThat(error(good)).isNull();
        } finally {
            disable(good);
            delete(good);
            delete(bad);
        }
    }

    @Test
    void anOffsetTimeZoneFiresAtThatOffsetNotAtGmt() throws Exception {
        UUID id = scheduleOf("offset-" + UUID.randomUUID(), "0 0 2 1-5 3 ?", "+02:00");
        try {
            TriggerKey key = TriggerKey.triggerKey(id.toString(), "longhaul-schedules");
            await().atMost(Duration.ofSeconds(20)).until(() -> quartz.getTrigger(key) != null);
            CronTrigger trigger = (CronTrigger) quartz.getTrigger(key);
            assertThat(trigger.getTimeZone().getRawOffset()).isEqualTo(2 * 3600 * 1000);
        } finally {
            delete(id);
        }
    }

    /** A schedule stored as it is, past the api's checks: as an older release may have left it. */
    private UUID scheduleOf(String name, String cron, String timezone) {
        UUID id = JobIds.next(clock);
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                insert into longhaul.schedule (id, name, cron, timezone, job_kind, job_params, misfire, overlap, enabled,
                    created_at, updated_at, version)
                values (?1, ?2, ?3, ?4, 'noop', '{}'::jsonb, 'skip', 'allow', true, now(), now(), 1)""")
                .setParameter(1, id).setParameter(2, name).setParameter(3, cron).setParameter(4, timezone).executeUpdate());
        return id;
    }

    private String error(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> (String) em.createNativeQuery(
                "select error from longhaul.schedule where id = ?1").setParameter(1, id).getSingleResult());
    }

    private void disable(UUID id) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "update longhaul.schedule set enabled = false, version = version + 1 where id = ?1").setParameter(1, id).executeUpdate());
    }

    @Test
    void aDueScheduledJobIsPromotedAndPublished() throws Exception {
        // runAt a moment from now: submitted as SCHEDULED, then due
        var spec = new JobSpec("noop", mapper.createObjectNode(), "default", 0,
                clock.instant().plusMillis(300), 1, null, null);
        Job job = Job.submit(spec, clock);
        assertThat(job.state()).isEqualTo(JobState.SCHEDULED);
        QuarkusTransaction.requiringNew().run(() -> store.insert(job));
        UUID id = job.id();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Job now = QuarkusTransaction.requiringNew().call(() -> store.find(id).orElseThrow());
            return now.state() == JobState.QUEUED && !now.toPublish();
        });
    }

    @Test
    void aRunningJobWhoseLeaseExpiredIsRequeuedWithItsCheckpointAndTheRescueRecorded() throws Exception {
        var spec = new JobSpec("sleep", mapper.readTree("{\"seconds\":1}"), "default", 0, null, 3, null, null);
        Job job = Job.submit(spec, clock);
        QuarkusTransaction.requiringNew().run(() -> store.insert(job));
        UUID id = job.id();
        // a worker claimed it, checkpointed, and died: its lease ran out a minute ago
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                update longhaul.job set state = 'RUNNING', attempt = 1, lease_token = gen_random_uuid(),
                    lease_owner = 'dead-worker', lease_expires_at = now() - interval '1 minute',
                    to_publish = false, checkpoint = '{"until":"2000-01-01T00:00:00Z"}'
                where id = ?1""").setParameter(1, id).executeUpdate());

        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Job now = QuarkusTransaction.requiringNew().call(() -> store.find(id).orElseThrow());
            return now.state() == JobState.QUEUED && !now.toPublish();
        });
        Job rescued = QuarkusTransaction.requiringNew().call(() -> store.find(id).orElseThrow());
        assertThat(rescued.leaseToken()).isNull();
        assertThat(rescued.checkpoint().get("until").asText()).isEqualTo("2000-01-01T00:00:00Z");
        Object detail = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "select detail from longhaul.job_event where job_id = ?1 and type = 'rescued'")
                .setParameter(1, id).getSingleResult());
        assertThat(String.valueOf(detail)).contains("dead-worker");
    }

    @Test
    void aJobWhoseLeaseExpiredOnItsLastAttemptFailsWithTheReason() throws Exception {
        var spec = new JobSpec("sleep", mapper.readTree("{\"seconds\":1}"), "default", 0, null, 2, null, null);
        Job job = Job.submit(spec, clock);
        QuarkusTransaction.requiringNew().run(() -> store.insert(job));
        UUID id = job.id();
        // its worker died on attempt 2 of 2: a job that keeps killing its workers must not loop
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                update longhaul.job set state = 'RUNNING', attempt = 2, lease_token = gen_random_uuid(),
                    lease_owner = 'dead-again', lease_expires_at = now() - interval '1 minute', to_publish = false
                where id = ?1""").setParameter(1, id).executeUpdate());

        await().atMost(Duration.ofSeconds(20)).until(() ->
                QuarkusTransaction.requiringNew().call(() -> store.find(id).orElseThrow()).state() == JobState.FAILED);
        Job failed = QuarkusTransaction.requiringNew().call(() -> store.find(id).orElseThrow());
        assertThat(failed.error()).contains("dead-again", "last attempt");
        assertThat(failed.finishedAt()).isNotNull();
        assertThat(failed.toPublish()).isFalse();
    }

    @Test
    void aQueuedJobWhosePublishWasNeverConfirmedIsSentAgain() throws Exception {
        Job job = Job.submit(new JobSpec("noop", mapper.createObjectNode(), "default", 0, null, 1, null, null), clock);
        QuarkusTransaction.requiringNew().run(() -> store.insert(job));
        UUID id = job.id();
        // the api committed it and died before RabbitMQ confirmed the message
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                update longhaul.job set to_publish = true, enqueued_at = now() - interval '1 minute' where id = ?1""")
                .setParameter(1, id).executeUpdate());

        await().atMost(Duration.ofSeconds(20)).until(() ->
                !QuarkusTransaction.requiringNew().call(() -> store.find(id).orElseThrow()).toPublish());
        Job sent = QuarkusTransaction.requiringNew().call(() -> store.find(id).orElseThrow());
        assertThat(sent.state()).isEqualTo(JobState.QUEUED);
        assertThat(sent.enqueuedAt()).isAfter(clock.instant().minusSeconds(30));
    }

    @Test
    void theDefaultSchedulesAreSeededOnFirstStart() {
        List<?> rows = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "select name, cron, timezone, job_kind, job_params::text from longhaul.schedule order by name").getResultList());
        assertThat(rows).extracting(r -> ((Object[]) r)[0]).contains("daily-purge", "nightly-sales-report");
        Object[] nightly = rows.stream().map(r -> (Object[]) r).filter(r -> r[0].equals("nightly-sales-report")).findFirst().orElseThrow();
        assertThat(nightly[1]).isEqualTo("0 0 2 * * ?");
        assertThat(nightly[2]).isEqualTo("UTC");
        assertThat(nightly[3]).isEqualTo("report");
        assertThat((String) nightly[4]).contains("\"period\": \"previous-day\"").contains("sales-daily");
    }

    @Test
    void aMisfireCatchUpIsNamedByTheLatestMissedSlotAndMarkedWhileOnTimeFiresAreNot() {
        UUID id = schedule("fireOnce", "allow", "2026-02-01T00:00:00Z");
        try {
            assertThat(slots.fire(id, Instant.parse("2026-03-01T02:00:00Z"))).isEqualTo(Slots.Outcome.CREATED);
            // the scheduler was down for three days; Quartz fires the catch-up "now", mid-morning
            Instant now = Instant.parse("2026-03-04T09:13:27.418Z");
            assertThat(slots.fire(id, now)).isEqualTo(Slots.Outcome.CREATED);
            // a second fire for the same slot, from another instance, makes nothing
            assertThat(slots.fire(id, now.plusMillis(5))).isEqualTo(Slots.Outcome.DUPLICATE);
            assertThat(runs(id)).containsExactly(
                    List.of("2026-03-01T02:00:00Z", "created", false, true),
                    List.of("2026-03-02T02:00:00Z", "skipped-misfire", false, false),
                    List.of("2026-03-03T02:00:00Z", "skipped-misfire", false, false),
                    List.of("2026-03-04T02:00:00Z", "created", true, true));
        } finally {
            delete(id);
        }
    }

    @Test
    void anOnTimeFireAfterMissedSlotsMakesTheCatchUpThatNoMisfireFireMade() {
        UUID skipOverlaps = schedule("fireOnce", "skip", "2026-02-01T00:00:00Z");
        UUID allowOverlaps = schedule("fireOnce", "allow", "2026-02-01T00:00:00Z");
        UUID skipMisfires = schedule("skip", "allow", "2026-02-01T00:00:00Z");
        // changed on the 3rd at noon: the slots before are owed nothing
        UUID changed = schedule("fireOnce", "allow", "2026-03-03T12:00:00Z");
        // the first slot's job is still running when the next slot fires
        UUID stillRunning = schedule("fireOnce", "skip", "2026-02-01T00:00:00Z");
        List<UUID> all = List.of(skipOverlaps, allowOverlaps, skipMisfires, changed, stillRunning);
        try {
            for (UUID id : all) {
                assertThat(slots.fire(id, Instant.parse("2026-03-01T02:00:00Z"))).isEqualTo(Slots.Outcome.CREATED);
                if (!id.equals(stillRunning)) {
                    QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                            "update longhaul.job set state = 'SUCCEEDED', finished_at = now() where schedule_id = ?1")
                            .setParameter(1, id).executeUpdate());
                }
                // no catch-up fire came after the downtime: the next slot fires on time
                slots.fire(id, Instant.parse("2026-03-04T02:00:00Z"));
                // one run per slot: the same fire from a second instance, and Quartz's catch-up
                // arriving late after all, both find their slot taken
                assertThat(slots.fire(id, Instant.parse("2026-03-04T02:00:00Z"))).isEqualTo(Slots.Outcome.DUPLICATE);
                assertThat(slots.fire(id, Instant.parse("2026-03-04T02:00:00.250Z"))).isEqualTo(Slots.Outcome.DUPLICATE);
            }
            var first = List.<Object>of("2026-03-01T02:00:00Z", "created", false, true);
            var skipped = List.<Object>of("2026-03-02T02:00:00Z", "skipped-misfire", false, false);
            // as if the catch-up had fired just before: with overlap skip, the slot waits for it
            assertThat(runs(skipOverlaps)).containsExactly(first, skipped,
                    List.of("2026-03-03T02:00:00Z", "created", true, true),
                    List.of("2026-03-04T02:00:00Z", "skipped-overlap", false, false));
            assertThat(runs(allowOverlaps)).containsExactly(first, skipped,
                    List.of("2026-03-03T02:00:00Z", "created", true, true),
                    List.of("2026-03-04T02:00:00Z", "created", false, true));
            for (UUID id : List.of(skipMisfires, changed)) {
                assertThat(runs(id)).containsExactly(first, skipped,
                        List.of("2026-03-03T02:00:00Z", "skipped-misfire", false, false),
                        List.of("2026-03-04T02:00:00Z", "created", false, true));
            }
            assertThat(runs(stillRunning)).containsExactly(first, skipped,
                    List.of("2026-03-03T02:00:00Z", "skipped-overlap", true, false),
                    List.of("2026-03-04T02:00:00Z", "skipped-overlap", false, false));
            for (UUID id : all) {
                assertThat(count("(select scheduled_for from longhaul.job where schedule_id = ?1 "
                        + "group by scheduled_for having count(*) > 1) d", id)).as("slots with two jobs").isZero();
            }
        } finally {
            all.forEach(this::delete);
        }
    }

    @Test
    void aRunFiredByHandNeitherTakesNorSkipsASlot() {
        UUID id = schedule("fireOnce", "allow", "2026-02-01T00:00:00Z");
        try {
            assertThat(slots.fire(id, Instant.parse("2026-03-01T02:00:00Z"))).isEqualTo(Slots.Outcome.CREATED);
            // fired by hand just after the next slot's time, before that slot's fire arrived
            QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                    insert into longhaul.schedule_run (schedule_id, scheduled_for, outcome, at, manual)
                    values (?1, cast('2026-03-02T02:00:00.300Z' as timestamptz), 'created', now(), true)""")
                    .setParameter(1, id).executeUpdate());
            assertThat(slots.fire(id, Instant.parse("2026-03-02T02:00:00Z"))).isEqualTo(Slots.Outcome.CREATED);
            assertThat(runs(id)).containsExactly(
                    List.of("2026-03-01T02:00:00Z", "created", false, true),
                    List.of("2026-03-02T02:00:00Z", "created", false, true),
                    List.of("2026-03-02T02:00:00.300Z", "created", false, false));
        } finally {
            delete(id);
        }
    }

    /**
     * A schedule at 02:00 on the 1st to the 5th of March, last changed at {@code updatedAt}: its
     * trigger fires next in March 2027, so no real fire comes during a test.
     */
    private UUID schedule(String misfire, String overlap, String updatedAt) {
        UUID id = JobIds.next(clock);
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                insert into longhaul.schedule (id, name, cron, timezone, job_kind, job_params, misfire, overlap, enabled,
                    created_at, updated_at, version)
                values (?1, ?2, '0 0 2 1-5 3 ?', 'UTC', 'noop', '{}'::jsonb, ?3, ?4, true, cast(?5 as timestamptz),
                    cast(?5 as timestamptz), 1)""")
                .setParameter(1, id).setParameter(2, "slots-" + id).setParameter(3, misfire).setParameter(4, overlap)
                .setParameter(5, updatedAt).executeUpdate());
        return id;
    }

    /** Each run as (slot, outcome, catch-up, has a job). */
    private List<List<Object>> runs(UUID id) {
        List<?> rows = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery("""
                select scheduled_for, outcome, catch_up, job_id is not null from longhaul.schedule_run
                where schedule_id = ?1 order by scheduled_for""").setParameter(1, id).getResultList());
        return rows.stream().map(r -> (Object[]) r)
                .map(r -> List.<Object>of(instant(r[0]).toString(), r[1], r[2], r[3])).toList();
    }

    private long count(String from, UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery("select count(*) from " + from)
                .setParameter(1, id).getSingleResult()).longValue());
    }

    private void delete(UUID id) {
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("delete from longhaul.job where schedule_id = ?1").setParameter(1, id).executeUpdate();
            em.createNativeQuery("delete from longhaul.schedule where id = ?1").setParameter(1, id).executeUpdate();
        });
    }

    private static Instant instant(Object value) {
        return value instanceof java.sql.Timestamp t ? t.toInstant() : value instanceof java.time.OffsetDateTime o ? o.toInstant() : (Instant) value;
    }
}
