package dev.longhaul.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.longhaul.core.dispatch.JobPublisher;
import dev.longhaul.core.dispatch.JobRef;
import dev.longhaul.core.job.Job;
import dev.longhaul.core.job.JobSpec;
import dev.longhaul.core.job.JobState;
import dev.longhaul.core.job.JobStore;
import dev.longhaul.core.tenant.Scope;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The worker against real RabbitMQ and PostgreSQL (vhost and database longhaul_test_worker):
 * messages are only hints, PostgreSQL decides, and long jobs move in slices.
 */
@QuarkusTest
class DeliveryTest {
    @Inject
    JobStore store;
    @Inject
    JobPublisher publisher;
    @Inject
    EntityManager em;
    @Inject
    MeterRegistry meters;
    @Inject
    ObjectMapper mapper;
    @Inject
    Clock clock;

    @Test
    void aPublishedJobIsClaimedRunAndRecorded() {
        JobRef job = insert("noop", "{}");
        publisher.publish(List.of(job));
        await().atMost(Duration.ofSeconds(20)).until(() -> state(job) == JobState.SUCCEEDED);
        Job done = find(job);
        assertThat(done.attempt()).isEqualTo(1);
        assertThat(done.leaseToken()).isNull();
        assertThat(done.finishedAt()).isAfterOrEqualTo(done.startedAt());
        assertThat(events(job)).containsExactly("claimed", "succeeded");
    }

    @Test
    void theSameMessageDeliveredTwiceRunsOnce() {
        double droppedBefore = dropped();
        JobRef job = insert("sleep", "{\"seconds\":0.8}");
        // two deliveries of one job at once: one claims it, the other finds it owned under a live lease
        publisher.publish(List.of(job, job));
        await().atMost(Duration.ofSeconds(20)).until(() -> state(job) == JobState.SUCCEEDED);
        await().atMost(Duration.ofSeconds(20)).until(() -> dropped() >= droppedBefore + 1);
        // a late duplicate of a finished job is dropped too
        publisher.publish(List.of(job));
        await().atMost(Duration.ofSeconds(20)).until(() -> dropped() >= droppedBefore + 2);

        assertThat(events(job)).containsExactly("claimed", "succeeded");
        assertThat(find(job).attempt()).isEqualTo(1);
    }

    @Test
    void aLongJobMovesInSlicesAndKeepsItsAttempt() {
        // the test profile ends a slice after 1 s: a 2.5 s sleep needs at least three deliveries
        JobRef job = insert("sleep", "{\"seconds\":2.5}");
        publisher.publish(List.of(job));
        await().atMost(Duration.ofSeconds(30)).until(() -> state(job) == JobState.SUCCEEDED);
        List<String> events = events(job);
        assertThat(events.getFirst()).isEqualTo("claimed");
        assertThat(events).contains("requeued", "resumed").endsWith("succeeded");
        assertThat(events.stream().filter("claimed"::equals)).hasSize(1);
        assertThat(find(job).attempt()).isEqualTo(1);
    }

    @Test
    void aRunningJobHonoursACancelRequest() {
        JobRef job = insert("sleep", "{\"seconds\":600}");
        publisher.publish(List.of(job));
        await().atMost(Duration.ofSeconds(20)).until(() -> state(job) == JobState.RUNNING);
        assertThat(QuarkusTransaction.requiringNew().call(() -> store.cancel(job.id(), Scope.all()))).contains(JobState.RUNNING);
        await().atMost(Duration.ofSeconds(10)).until(() -> state(job) == JobState.CANCELLED);
        assertThat(events(job)).endsWith("cancelled");
    }

    @Test
    void aCancelRequestThatArrivesDuringASliceEndsTheJobInsteadOfRequeueingIt() {
        JobRef job = insert("noop", "{}");
        java.util.UUID token = java.util.UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> {
            assertThat(store.claim(job.id(), token, "test-worker", Duration.ofMinutes(1))).isTrue();
            // the request lands while the owner is between its last chunk and the end of the slice
            assertThat(store.cancel(job.id(), Scope.all())).contains(JobState.RUNNING);
        });
        boolean requeued = QuarkusTransaction.requiringNew().call(() ->
                store.requeue(job.id(), token, mapper.createObjectNode().put("at", 1)));
        assertThat(requeued).isFalse();
        Job after = find(job);
        assertThat(after.state()).isEqualTo(JobState.CANCELLED);
        assertThat(after.finishedAt()).isNotNull();
        assertThat(after.toPublish()).isFalse();
    }

    private JobRef insert(String kind, String params) {
        try {
            var spec = new JobSpec(kind, mapper.readTree(params), "default", 0, null, 3, null, null);
            Job job = Job.submit(spec, clock);
            QuarkusTransaction.requiringNew().run(() -> store.insert(job));
            return new JobRef(job.id(), job.queue());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Job find(JobRef job) {
        return QuarkusTransaction.requiringNew().call(() -> store.find(job.id()).orElseThrow());
    }

    private JobState state(JobRef job) {
        return find(job).state();
    }

    @SuppressWarnings("unchecked")
    private List<String> events(JobRef job) {
        return QuarkusTransaction.requiringNew().call(() -> (List<String>) em.createNativeQuery(
                "select type from longhaul.job_event where job_id = ?1 order by id")
                .setParameter(1, job.id()).getResultList());
    }

    private double dropped() {
        var counter = meters.find("longhaul.worker.deliveries").tag("result", "dropped").counter();
        return counter == null ? 0 : counter.count();
    }

}
