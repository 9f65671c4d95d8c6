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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Retries with backoff (the test profile: base 200 ms, cap 5 s), the FAILED end with its history,
 * and snoozes, which use no attempt.
 */
@QuarkusTest
class RetryTest {
    @Inject
    JobStore store;
    @Inject
    JobPublisher publisher;
    @Inject
    ObjectMapper mapper;
    @Inject
    Clock clock;

    @Test
    void aJobThatAlwaysFailsRetriesWithGrowingDelaysAndEndsFailedWhileOthersFlow() throws Exception {
        UUID failing = submit("fail", "{\"message\":\"the remote said no\"}", 4);
        List<UUID> others = new ArrayList<>();
        for (int i = 0; i < 20; i++) others.add(submit("noop", "{}", 1));

        await().atMost(Duration.ofSeconds(30)).until(() -> others.stream().allMatch(id -> find(id).state() == JobState.SUCCEEDED));
        await().atMost(Duration.ofSeconds(30)).until(() -> find(failing).state() == JobState.FAILED);

        Job job = find(failing);
        assertThat(job.attempt()).isEqualTo(4);
        assertThat(job.error()).contains("the remote said no (attempt 4)");
        List<JobStore.Event> events = QuarkusTransaction.requiringNew().call(() -> store.events(failing));
        assertThat(events).extracting(JobStore.Event::type)
                .containsExactly("claimed", "retrying", "claimed", "retrying", "claimed", "retrying", "claimed", "failed");
        assertThat(events.stream().filter(e -> e.type().equals("retrying")).map(JobStore.Event::detail))
                .allMatch(d -> d.contains("the remote said no"));
        // each wait, from a failure to the next claim, is drawn from a range twice the last one's
        List<Duration> waits = new ArrayList<>();
        for (int i = 1; i + 1 < events.size(); i += 2) {
            waits.add(Duration.between(events.get(i).at(), events.get(i + 1).at()));
        }
        assertThat(waits).hasSize(3);
        // at least the lower end of each attempt's range (base 200 ms: 100-200, 200-400, 400-800 ms);
        // the promotion of a due retry adds up to a few hundred ms more, so the ranges are not compared
        assertThat(waits.get(0)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
        assertThat(waits.get(1)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertThat(waits.get(2)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    }

    @Test
    void aSnoozeWaitsAndUsesNoAttempt() throws Exception {
        Instant before = clock.instant();
        UUID id = submit("fail", "{\"attempts\":0,\"snoozeSeconds\":0.5}", 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> find(id).state() == JobState.SUCCEEDED);

        Job job = find(id);
        assertThat(job.attempt()).isEqualTo(1);
        assertThat(job.result().get("attempt").asInt()).isEqualTo(1);
        List<JobStore.Event> events = QuarkusTransaction.requiringNew().call(() -> store.events(id));
        assertThat(events).extracting(JobStore.Event::type).containsExactly("claimed", "snoozed", "resumed", "succeeded");
        assertThat(Duration.between(events.get(1).at(), events.get(2).at())).isGreaterThanOrEqualTo(Duration.ofMillis(450));
        assertThat(job.finishedAt()).isAfter(before.plusMillis(450));
    }

    @Test
    void anAttemptPastItsTimeoutFailsAtTheNextChunkAndTheJobEndsFailedAfterItsAttempts() throws Exception {
        UUID id = submit("sleep", "{\"seconds\":60}", 2, 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> find(id).state() == JobState.FAILED);

        Job job = find(id);
        assertThat(job.attempt()).isEqualTo(2);
        assertThat(job.error()).isEqualTo("attempt 2 ran longer than its timeout of 1 s");
        List<JobStore.Event> events = QuarkusTransaction.requiringNew().call(() -> store.events(id));
        // the sleep records its progress as it goes, so the second attempt resumes from that checkpoint
        assertThat(events).extracting(JobStore.Event::type).containsExactly("claimed", "retrying", "resumed", "failed");
        // each attempt ran about its second, not the sleep's minute
        assertThat(Duration.between(events.get(0).at(), events.get(1).at())).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
    }

    @Test
    void aSleepReportsTheSecondsItSleptAsProgress() throws Exception {
        UUID id = submit("sleep", "{\"seconds\":3}", 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> find(id).progressDone() >= 1 && find(id).state() == JobState.RUNNING);
        Job sleeping = find(id);
        assertThat(sleeping.progressTotal()).isEqualTo(3L);
        assertThat(sleeping.progressUnit()).isEqualTo("seconds");
        await().atMost(Duration.ofSeconds(10)).until(() -> find(id).state() == JobState.SUCCEEDED);
    }

    private UUID submit(String kind, String params, int maxAttempts) throws Exception {
        return submit(kind, params, maxAttempts, null);
    }

    private UUID submit(String kind, String params, int maxAttempts, Integer timeoutSeconds) throws Exception {
        Job job = Job.submit(new JobSpec(kind, mapper.readTree(params), "default", 0, null, maxAttempts, null, null,
                timeoutSeconds), clock);
        QuarkusTransaction.requiringNew().run(() -> store.insert(job));
        publisher.publish(List.of(new JobRef(job.id(), "default")));
        return job.id();
    }

    private Job find(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> store.find(id).orElseThrow());
    }
}
