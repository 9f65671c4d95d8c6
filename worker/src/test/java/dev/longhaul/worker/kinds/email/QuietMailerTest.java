package dev.longhaul.worker.kinds.email;

import static dev.longhaul.worker.TestSql.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.longhaul.core.dispatch.JobPublisher;
import dev.longhaul.core.dispatch.JobRef;
import dev.longhaul.core.job.Job;
import dev.longhaul.core.job.JobSpec;
import dev.longhaul.core.job.JobState;
import dev.longhaul.core.job.JobStore;
import io.agroal.api.AgroalDataSource;
import io.quarkus.mailer.MockMailbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The default (mock) mailer, as bin/run uses it: a campaign sends every mail, and leaves neither
 * an address nor a body in the log, nor a message in memory.
 */
@QuarkusTest
class QuietMailerTest {
    private static final String MINE = "id > 6000000 and id <= 6000050";

    @Inject
    JobStore store;
    @Inject
    JobPublisher publisher;
    @Inject
    AgroalDataSource db;
    @Inject
    ObjectMapper mapper;
    @Inject
    Clock clock;
    @Inject
    MockMailbox mailbox;

    @Test
    void aCampaignUnderTheMockMailerLogsNoRecipientAndKeepsNoMessage() throws Exception {
        sql(db, "delete from longhaul.email_delivery where row_key in (select id::text from shop.customers where " + MINE + ")");
        sql(db, "delete from shop.customers where " + MINE);
        sql(db, """
                insert into shop.customers (id, email, name, country, created_at, status)
                select 6000000 + g, 'quiet' || g || '@example.com', 'Quiet' || g, 'IS', now(), 'active'
                from generate_series(1, 50) g""");
        String params = """
                {"segment":{"dataset":"customers","filter":[{"field":"id","op":">","value":6000000},{"field":"id","op":"<=","value":6000050}]},
                 "template":{"subject":"Hello {name}","body":"Dear {name}, secret-body-text"},"ratePerSecond":1000}""";
        Job job = Job.submit(new JobSpec("email", mapper.readTree(params), "email", 0, null, 1, null, null), clock);
        QuarkusTransaction.requiringNew().run(() -> store.insert(job));
        publisher.publish(List.of(new JobRef(job.id(), "email")));
        await().atMost(Duration.ofSeconds(60)).until(() -> find(job).state().isFinished());

        Job done = find(job);
        assertThat(done.state()).as(done.error()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.result().get("sent").asLong()).isEqualTo(50);
        assertThat(mailbox.getTotalMessagesSent()).isZero();
        String log = Files.readString(Path.of("target/worker-test.log"), StandardCharsets.UTF_8);
        assertThat(log).doesNotContain("@example.com", "secret-body-text", "Quiet1");
    }

    private Job find(Job job) {
        return QuarkusTransaction.requiringNew().call(() -> store.find(job.id()).orElseThrow());
    }
}
