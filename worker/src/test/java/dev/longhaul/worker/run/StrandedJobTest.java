package dev.longhaul.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import dev.longhaul.core.dispatch.Broker;
import dev.longhaul.core.job.JobState;
import dev.longhaul.core.job.JobStore;
import dev.longhaul.core.message.Lanes;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Messages are hints: a queued job whose message was confirmed and then lost (dead-lettered after
 * the delivery limit while PostgreSQL was down, as a 75 s outage did to 22 of 200 jobs) has its
 * marker cleared, so the unconfirmed-republish never sees it. It still runs: once it waited past
 * {@code stale-after} (2 s in the test profile) with its lane empty, it is published again. And
 * the dead-letter queue has an owner: the jobs of its messages that still wait run, the rest goes.
 */
@QuarkusTest
class StrandedJobTest {
    @Inject
    EntityManager em;
    @Inject
    JobStore store;
    @Inject
    Broker broker;

    @Test
    void aQueuedJobWhoseMessageWasLostIsPublishedAgainAndRuns() {
        UUID id = UUID.randomUUID();
        // confirmed long ago (no marker), and no message anywhere: what a dead-lettered job looks like
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                insert into longhaul.job (id, kind, queue, state, params, max_attempts, run_at, created_at, enqueued_at, to_publish)
                values (?1, 'noop', 'default', 'QUEUED', '{}'::jsonb, 3, now() - interval '10 minutes',
                        now() - interval '10 minutes', now() - interval '10 minutes', false)""")
                .setParameter(1, id).executeUpdate());

        await().atMost(Duration.ofSeconds(30)).until(() -> state(id) == JobState.SUCCEEDED);
        assertThat(QuarkusTransaction.requiringNew().call(() -> store.find(id).orElseThrow().attempt())).isEqualTo(1);
    }

    @Test
    void theDeadLetterQueueIsEmptiedAndItsWaitingJobsRunTheRestDropped() throws Exception {
        UUID id = UUID.randomUUID();
        // marked as sent just now, so only the dead-letter owner, not the stale-job pass, can find it
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                insert into longhaul.job (id, kind, queue, state, params, max_attempts, run_at, created_at, enqueued_at, to_publish)
                values (?1, 'noop', 'default', 'QUEUED', '{}'::jsonb, 3, now(), now(), now() + interval '1 hour', false)""")
                .setParameter(1, id).executeUpdate());
        try (Connection connection = broker.connect("stranded-job-test"); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            for (String body : List.of("{\"jobId\":\"" + id + "\"}", "not a job message", "{\"jobId\":\"" + UUID.randomUUID() + "\"}")) {
                channel.basicPublish("", Lanes.DEAD_LETTER_QUEUE, MessageProperties.PERSISTENT_BASIC, body.getBytes(StandardCharsets.UTF_8));
            }
            channel.waitForConfirmsOrDie(10_000);

            await().atMost(Duration.ofSeconds(30)).until(() -> state(id) == JobState.SUCCEEDED);
            await().atMost(Duration.ofSeconds(10)).until(() -> channel.messageCount(Lanes.DEAD_LETTER_QUEUE) == 0);
        }
    }

    private JobState state(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> {
            em.clear();
            return store.find(id).orElseThrow().state();
        });
    }
}
