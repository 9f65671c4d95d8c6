package dev.longhaul.worker.kinds.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.longhaul.core.artifact.ArtifactStore;
import dev.longhaul.core.artifact.FileDigest;
import dev.longhaul.core.chunk.Fence;
import dev.longhaul.core.job.Job;
import dev.longhaul.core.job.JobSpec;
import dev.longhaul.core.job.JobState;
import dev.longhaul.core.job.JobStore;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Invariant 4, broken on purpose: a worker presumed dead whose job was handed to another worker
 * tries every kind of write it has, and none of them lands.
 */
@QuarkusTest
class FencingTest {
    @Inject
    JobStore store;
    @Inject
    ArtifactStore artifacts;
    @Inject
    AgroalDataSource db;
    @Inject
    EntityManager em;
    @Inject
    ObjectMapper mapper;
    @Inject
    Clock clock;

    @Test
    void aPresumedDeadOwnerCanNoLongerWriteAnything() throws Exception {
        Job job = Job.submit(new JobSpec("noop", mapper.createObjectNode(), "default", 0, null, 3, null, null), clock);
        QuarkusTransaction.requiringNew().run(() -> store.insert(job));
        UUID stale = UUID.randomUUID();
        UUID fresh = UUID.randomUUID();

        // the first owner claims, then goes quiet until its lease has run out
        QuarkusTransaction.requiringNew().run(() -> {
            assertThat(store.claim(job.id(), stale, "worker-a", Duration.ofMinutes(1))).isTrue();
            em.createNativeQuery("update longhaul.job set lease_expires_at = now() - interval '1 second' where id = ?1")
                    .setParameter(1, job.id()).executeUpdate();
        });
        // a second worker takes the job over
        assertThat(QuarkusTransaction.requiringNew().call(() -> store.claim(job.id(), fresh, "worker-b", Duration.ofMinutes(1))))
                .isTrue();
        long artifact;
        try (Connection c = db.getConnection()) {
            artifact = artifacts.create(c, job.id(), "out.csv", "text/csv");
        }

        // the old owner wakes up: its chunk checkpoint is refused, so its chunk rolls back
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            Fence old = new Fence(job.id(), stale, Duration.ofMinutes(1), clock);
            assertThat(old.checkpoint(c, "{\"lastKey\":[\"99\"]}", 99, null, "rows", null)).isFalse();
            assertThat(old.cancelledWhileOwned(c)).isFalse();
            c.rollback();
        }
        // its streamed artifact parts are refused
        PartWriter parts = new PartWriter(db, job.id(), stale, artifact, 0, false, FileDigest.empty());
        parts.write("1,stale\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(parts::finish).hasMessageContaining("lease was lost");
        // and so are its transitions
        assertThat(QuarkusTransaction.requiringNew().call(() -> store.succeed(job.id(), stale, null))).isFalse();
        assertThat(QuarkusTransaction.requiringNew().call(() -> store.requeue(job.id(), stale, null))).isFalse();
        assertThat(QuarkusTransaction.requiringNew().call(() -> store.fail(job.id(), stale, "boom"))).isFalse();

        // nothing of it is visible; the new owner's writes go through
        Job now = QuarkusTransaction.requiringNew().call(() -> store.find(job.id()).orElseThrow());
        assertThat(now.state()).isEqualTo(JobState.RUNNING);
        assertThat(now.leaseToken()).isEqualTo(fresh);
        assertThat(now.checkpoint()).isNull();
        assertThat(parts(artifact)).isZero();
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            assertThat(new Fence(job.id(), fresh, Duration.ofMinutes(1), clock)
                    .checkpoint(c, "{\"lastKey\":[\"1\"]}", 1, null, "rows", null)).isTrue();
            c.commit();
        }
        assertThat(QuarkusTransaction.requiringNew().call(() -> store.succeed(job.id(), fresh, null))).isTrue();
    }

    @Test
    void aFailedChunkRemovesThePartsItStoredUnlessTheJobHasAnotherOwnerByThen() throws Exception {
        Job job = Job.submit(new JobSpec("noop", mapper.createObjectNode(), "default", 0, null, 3, null, null), clock);
        QuarkusTransaction.requiringNew().run(() -> store.insert(job));
        UUID first = UUID.randomUUID();
        assertThat(QuarkusTransaction.requiringNew().call(() -> store.claim(job.id(), first, "worker-a", Duration.ofMinutes(1))))
                .isTrue();
        long artifact;
        try (Connection c = db.getConnection()) {
            artifact = artifacts.create(c, job.id(), "out.csv", "text/csv");
        }
        byte[] twoParts = new byte[2 * PartWriter.PART_BYTES + 10];

        // a chunk that fails (a statement timeout, say) after two of its parts are stored: they go,
        // so that the chunk can run again from the same part number
        PartWriter failed = new PartWriter(db, job.id(), first, artifact, 0, false, FileDigest.empty());
        failed.write(twoParts);
        await().atMost(Duration.ofSeconds(30)).until(() -> parts(artifact) == 2);
        failed.abandon();
        assertThat(parts(artifact)).isZero();

        // the same, but the job has been taken over in between: the parts are the new owner's to clear
        PartWriter stale = new PartWriter(db, job.id(), first, artifact, 0, false, FileDigest.empty());
        stale.write(twoParts);
        await().atMost(Duration.ofSeconds(30)).until(() -> parts(artifact) == 2);
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "update longhaul.job set lease_expires_at = now() - interval '1 second' where id = ?1")
                .setParameter(1, job.id()).executeUpdate());
        assertThat(QuarkusTransaction.requiringNew().call(() -> store.claim(job.id(), UUID.randomUUID(), "worker-b",
                Duration.ofMinutes(1)))).isTrue();
        stale.abandon();
        assertThat(parts(artifact)).isEqualTo(2);
    }

    private long parts(long artifact) throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select count(*) from longhaul.artifact_part where artifact_id = " + artifact)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
