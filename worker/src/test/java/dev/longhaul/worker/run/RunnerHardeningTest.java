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
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What the runner does with what a handler cannot handle: an out-of-memory error ends the
 * attempt, is retried once, then fails the job; a kind this worker does not know waits for a
 * worker that knows it, using no attempt.
 */
@QuarkusTest
class RunnerHardeningTest {
    @Inject
    JobStore store;
    @Inject
    JobPublisher publisher;
    @Inject
    ObjectMapper mapper;
    @Inject
    Clock clock;

    @Test
    void anAttemptThatRunsOutOfMemoryIsRetriedOnceThenTheJobFails() {
        UUID id = publish(OutOfMemoryHandler.KIND, 5);
        await().atMost(Duration.ofSeconds(30)).until(() -> find(id).state() == JobState.FAILED);
        Job failed = find(id);
        assertThat(failed.attempt()).isEqualTo(2);
        assertThat(failed.error()).isEqualTo("OutOfMemoryError on attempt 2; not retried again");
        assertThat(events(id)).containsExactly("claimed", "retrying", "claimed", "failed");
    }

    @Test
    void aKindThisWorkerDoesNotKnowWaitsForOneThatDoesInsteadOfFailing() {
        UUID id = publish("kind-from-a-newer-release", 3);
        await().atMost(Duration.ofSeconds(20)).until(() -> events(id).contains("snoozed"));
        Job waiting = find(id);
        assertThat(waiting.state()).isEqualTo(JobState.SCHEDULED);
        assertThat(waiting.error()).isNull();
        assertThat(waiting.resume()).isTrue();
        assertThat(waiting.runAt()).isAfter(clock.instant().plus(JobRunner.UNKNOWN_KIND_WAIT).minusSeconds(10));
    }

    private UUID publish(String kind, int maxAttempts) {
        Job job = Job.submit(new JobSpec(kind, mapper.createObjectNode(), "default", 0, null, maxAttempts, null, null), clock);
        QuarkusTransaction.requiringNew().run(() -> store.insert(job));
        publisher.publish(List.of(new JobRef(job.id(), job.queue())));
        return job.id();
    }

    private Job find(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> store.find(id).orElseThrow());
    }

    private List<String> events(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> store.events(id).stream().map(JobStore.Event::type).toList());
    }
}
