package dev.longhaul.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.longhaul.core.job.Job;
import dev.longhaul.core.job.JobQueries;
import dev.longhaul.core.job.JobSpec;
import dev.longhaul.core.job.JobState;
import dev.longhaul.core.job.JobStore;
import dev.longhaul.core.tenant.Scope;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The batched statements of dispatch against the real database: a batch of successes in which one
 * job's lease was lost commits the others and none of that job; a batch of claims claims each job
 * once and leaves the jobs that cannot be claimed.
 */
@QuarkusTest
class BatchDispatchTest {
    private static final Duration LEASE = Duration.ofMinutes(1);

    @Inject
    JobQueries queries;
    @Inject
    JobStore store;
    @Inject
    EntityManager em;
    @Inject
    ObjectMapper mapper;
    @Inject
    Clock clock;

    @Test
    void aBatchThatLostOneJobsLeaseCommitsTheOthersAndNoneOfThatJob() throws Exception {
        List<Job> jobs = queuedNoops(3);
        Map<UUID, Job> claimed = queries.claim(ids(jobs), "test-worker", LEASE);
        assertThat(claimed).hasSize(3);
        Job kept1 = claimed.get(jobs.get(0).id());
        Job lost = claimed.get(jobs.get(1).id());
        Job kept2 = claimed.get(jobs.get(2).id());
        // the lease of the middle one was taken over by another worker (a rescue, then its claim)
        UUID takeover = UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "update longhaul.job set lease_token = ?1, lease_owner = 'other-worker' where id = ?2")
                .setParameter(1, takeover).setParameter(2, lost.id()).executeUpdate());

        Set<UUID> done = queries.succeed(List.of(
                new JobQueries.Success(kept1.id(), kept1.leaseToken(), mapper.createObjectNode().put("n", 1)),
                new JobQueries.Success(lost.id(), lost.leaseToken(), mapper.createObjectNode().put("n", 2)),
                new JobQueries.Success(kept2.id(), kept2.leaseToken(), null)), "test-worker");

        assertThat(done).containsExactlyInAnyOrder(kept1.id(), kept2.id());
        for (Job kept : List.of(kept1, kept2)) {
            Job after = find(kept.id());
            assertThat(after.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(after.leaseToken()).isNull();
            assertThat(after.finishedAt()).isNotNull();
            assertThat(events(kept.id())).containsExactly("claimed", "succeeded");
        }
        assertThat(find(kept1.id()).result().get("n").asInt()).isEqualTo(1);
        Job untouched = find(lost.id());
        assertThat(untouched.state()).isEqualTo(JobState.RUNNING);
        assertThat(untouched.leaseToken()).isEqualTo(takeover);
        assertThat(untouched.result()).isNull();
        assertThat(untouched.finishedAt()).isNull();
        assertThat(events(lost.id())).containsExactly("claimed");
    }

    @Test
    void aClaimBatchClaimsEachJobOnceAndLeavesTheUnclaimable() throws Exception {
        List<Job> jobs = queuedNoops(3);
        Job free = jobs.get(0);
        Job cancelled = jobs.get(1);
        Job owned = jobs.get(2);
        QuarkusTransaction.requiringNew().run(() -> store.cancel(cancelled.id(), Scope.all()));
        assertThat(queries.claim(List.of(owned.id()), "other-worker", LEASE)).containsOnlyKeys(owned.id());

        // the free job twice (a duplicate delivery in the same batch), a cancelled one, one owned under a live lease
        Map<UUID, Job> claimed = queries.claim(List.of(free.id(), free.id(), cancelled.id(), owned.id()), "test-worker", LEASE);

        assertThat(claimed).containsOnlyKeys(free.id());
        Job mine = claimed.get(free.id());
        assertThat(mine.state()).isEqualTo(JobState.RUNNING);
        assertThat(mine.attempt()).isEqualTo(1);
        assertThat(mine.leaseOwner()).isEqualTo("test-worker");
        assertThat(mine.leaseToken()).isNotNull().isEqualTo(find(free.id()).leaseToken());
        assertThat(events(free.id())).containsExactly("claimed");
        assertThat(find(cancelled.id()).state()).isEqualTo(JobState.CANCELLED);
        assertThat(find(owned.id()).leaseOwner()).isEqualTo("other-worker");
    }

    @Test
    void leasesAreRenewedOnlyWhileTheirTokenHoldsTheJob() throws Exception {
        List<Job> jobs = queuedNoops(2);
        Map<UUID, Job> claimed = queries.claim(ids(jobs), "test-worker", LEASE);
        Job held = claimed.get(jobs.get(0).id());
        Job lost = claimed.get(jobs.get(1).id());
        QuarkusTransaction.requiringNew().run(() -> store.cancel(held.id(), Scope.all()));

        var later = clock.instant().plus(Duration.ofMinutes(10));
        Map<UUID, Boolean> renewed = queries.renew(Map.of(held.id(), held.leaseToken(), lost.id(), UUID.randomUUID()), later);

        // the held one is renewed and reports the cancel request; the other token holds nothing
        assertThat(renewed).containsExactly(Map.entry(held.id(), true));
        assertThat(find(held.id()).leaseExpiresAt()).isAfter(clock.instant().plus(Duration.ofMinutes(5)));
        assertThat(find(lost.id()).leaseExpiresAt()).isBefore(clock.instant().plus(Duration.ofMinutes(5)));
    }

    /** New noop jobs, committed as the api commits them (QUEUED, due now). */
    private List<Job> queuedNoops(int n) throws Exception {
        List<Job> jobs = IntStream.range(0, n)
                .mapToObj(i -> Job.submit(new JobSpec("noop", mapper.createObjectNode(), "default", 0, null, 3, null, null), clock))
                .toList();
        queries.insert(jobs);
        return jobs;
    }

    private static List<UUID> ids(List<Job> jobs) {
        return jobs.stream().map(Job::id).toList();
    }

    private Job find(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> {
            em.clear();
            return store.find(id).orElseThrow();
        });
    }

    @SuppressWarnings("unchecked")
    private List<String> events(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> (List<String>) em.createNativeQuery(
                "select type from longhaul.job_event where job_id = ?1 order by id").setParameter(1, id).getResultList());
    }
}
