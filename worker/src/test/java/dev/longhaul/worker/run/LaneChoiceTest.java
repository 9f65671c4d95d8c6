package dev.longhaul.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.longhaul.core.job.Job;
import dev.longhaul.core.job.JobIds;
import dev.longhaul.core.job.JobQueries;
import dev.longhaul.core.job.LaneControls;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The claim chooses the job, every delivery claims one while claimable work waits, and a delivery
 * a lane's limit held back waits for the room a job of its worker leaves. The jobs
 * here have no message and are stamped as published in an hour, so neither the worker's consumers
 * nor the stale-job republish touch them: each claim is one the test makes, as a delivery would.
 */
@QuarkusTest
class LaneChoiceTest {

    @Inject
    Claimer claimer;
    @Inject
    EntityManager em;
    @Inject
    LaneControls controls;
    @Inject
    JobQueries queries;
    @Inject
    Leases leases;

    @Test
    void aDeliveryWhoseJobAChooserTookClaimsTheJobWhoseMessageWasSpent() {
        String lane = "email";
        String tenant = "spent-" + System.nanoTime();
        UUID urgent = insert(lane, tenant, 1);
        UUID plain = insert(lane, tenant, 0);

        // the plain job's delivery wakes a chooser (a priority waits), which takes the urgent job
        assertThat(claimer.claim(plain, lane).map(Job::id)).contains(urgent);
        // the urgent job's own delivery finds it taken; it claims the lane's next job (the plain
        // one, whose message was spent, unless an older one waits) instead of being dropped and
        // leaving the plain job to wait for the stale-job republish
        UUID next = nextWaiting(lane);
        assertThat(next).isNotNull();
        assertThat(claimer.claim(urgent, lane).map(Job::id)).contains(next);
        if (next.equals(plain)) assertThat(state(plain)).isEqualTo("RUNNING");
    }

    @Test
    void aDeliveryWhoseKeyIsFullClaimsAJobOfAnotherKeyPastAHeadOfFullKeys() {
        String lane = "bulk";
        String tenant = "keys-" + System.nanoTime();
        String full = tenant + "-full";
        List<UUID> blocked = new ArrayList<>();
        for (int i = 0; i < 4; i++) blocked.add(insert(lane, tenant, 0, full));
        UUID open = insert(lane, tenant, 0, tenant + "-open");
        assertThat(claimer.claim(blocked.get(0), lane).map(Job::id)).contains(blocked.get(0));

        // the next job's key is at its limit: its delivery takes the first job that may start,
        // behind three more of the full key, instead of being dropped
        Optional<Job> claimed = claimer.claim(blocked.get(1), lane);
        assertThat(claimed).isPresent();
        assertThat(claimed.get().concurrencyKey()).isNotEqualTo(full);
        if (claimed.get().tenant().equals(tenant)) assertThat(claimed.get().id()).isEqualTo(open);
        deleteWaiting(tenant);
    }

    @Test
    void aTenantWithOneJobIsServedWithinATurnOfATenantWithABacklog() {
        String lane = "bulk";
        String busy = "busy-" + System.nanoTime();
        String quiet = "quiet-" + System.nanoTime();
        List<UUID> backlog = new ArrayList<>();
        for (int i = 0; i < 50; i++) backlog.add(insert(lane, busy, 0));
        UUID lone = insert(lane, quiet, 0);
        int tenants = waitingTenants(lane);

        // each delivery names a backlog job; the claims take the waiting tenants in turn
        List<String> served = new ArrayList<>();
        for (int i = 0; i < tenants && !served.contains(quiet); i++) {
            Optional<Job> claimed = claimer.claim(backlog.get(i), lane);
            assertThat(claimed).as("claim %d", i).isPresent();
            served.add(claimed.get().tenant());
        }
        assertThat(served).as("tenants served, %d waiting", tenants).contains(quiet);
        assertThat(state(lone)).isEqualTo("RUNNING");
        // the backlog has no message: it goes
        deleteWaiting(busy);
    }

    private void deleteWaiting(String tenant) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "delete from longhaul.job where tenant = ?1 and state = 'QUEUED'").setParameter(1, tenant).executeUpdate());
    }

    @Test
    void aDeliveryTheLaneLimitHeldBackClaimsWhenAJobOfTheLaneEndsOnItsWorker() throws Exception {
        String lane = "email";
        String tenant = "held-" + System.nanoTime();
        UUID first = insert(lane, tenant, 0);
        // more waiting jobs than the deliveries the sweeper's wake-up of a full lane may send
        for (int i = 0; i < 4; i++) insert(lane, tenant, 0);
        // room for one more RUNNING job of the lane than runs now
        controls.set(new LaneControls.Control(lane, false, running(lane) + 1, null));
        try {
            Job running = claimer.claim(first, lane).orElseThrow();
            CompletableFuture<Optional<Job>> held = CompletableFuture.supplyAsync(() -> claimer.claim(first, lane));
            // the lane is full: the delivery is neither given a job nor dropped, it waits
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> !held.isDone());

            assertThat(queries.succeed(List.of(new JobQueries.Success(running.id(), running.leaseToken(), null)),
                    leases.workerId())).containsExactly(running.id());
            claimer.ended(lane);

            assertThat(held.get(10, TimeUnit.SECONDS)).as("the waiting delivery's claim once a job of the lane ended").isPresent();
        } finally {
            controls.set(LaneControls.Control.none(lane));
            deleteWaiting(tenant);
        }
    }

    private int running(String lane) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select count(*) from longhaul.job where queue = ?1 and state = 'RUNNING'")
                .setParameter(1, lane).getSingleResult()).intValue());
    }

    private UUID insert(String lane, String tenant, int priority) {
        return insert(lane, tenant, priority, null);
    }

    /** A waiting noop job without a message; with a concurrency key of limit 1 unless {@code key} is null. */
    private UUID insert(String lane, String tenant, int priority, String key) {
        UUID id = JobIds.next(Clock.systemUTC());
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                insert into longhaul.job (id, kind, queue, priority, state, params, max_attempts, run_at, created_at,
                    enqueued_at, to_publish, tenant, concurrency_key, concurrency_limit)
                values (?1, 'noop', ?2, ?3, 'QUEUED', '{}'::jsonb, 3, now(), now(), now() + interval '1 hour', false, ?4,
                    cast(?5 as text), case when cast(?5 as text) is null then null else 1 end)""")
                .setParameter(1, id).setParameter(2, lane).setParameter(3, priority).setParameter(4, tenant)
                .setParameter(5, key).executeUpdate());
        return id;
    }

    private int waitingTenants(String lane) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select count(distinct tenant) from longhaul.job where queue = ?1 and state = 'QUEUED'")
                .setParameter(1, lane).getSingleResult()).intValue());
    }

    /** The lane's next waiting job by priority, then age, as a claim would choose it in one tenant. */
    private UUID nextWaiting(String lane) {
        return QuarkusTransaction.requiringNew().call(() -> (UUID) em.createNativeQuery(
                "select id from longhaul.job where queue = ?1 and state = 'QUEUED' order by priority desc, id limit 1")
                .setParameter(1, lane).getResultStream().findFirst().orElse(null));
    }

    private String state(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> (String) em.createNativeQuery(
                "select state from longhaul.job where id = ?1").setParameter(1, id).getSingleResult());
    }
}
