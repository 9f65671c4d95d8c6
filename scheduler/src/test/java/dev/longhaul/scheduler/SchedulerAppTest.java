package dev.longhaul.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.longhaul.core.job.Job;
import dev.longhaul.core.job.JobSpec;
import dev.longhaul.core.job.JobState;
import dev.longhaul.core.job.JobStore;
import dev.longhaul.scheduler.heartbeat.Heartbeat;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.quartz.Scheduler;

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
}
