package dev.longhaul.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.longhaul.core.job.JobState;
import dev.longhaul.core.job.JobStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Messages are hints: a queued job whose message was confirmed and then lost (dead-lettered after
 * the delivery limit while PostgreSQL was down, as a 75 s outage did to 22 of 200 jobs) has its
 * marker cleared, so the unconfirmed-republish never sees it. It still runs: once it waited past
 * {@code stale-after} (2 s in the test profile) with its lane empty, it is published again.
 */
@QuarkusTest
class StrandedJobTest {
    @Inject
    EntityManager em;
    @Inject
    JobStore store;

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

    private JobState state(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> {
            em.clear();
            return store.find(id).orElseThrow().state();
        });
    }
}
