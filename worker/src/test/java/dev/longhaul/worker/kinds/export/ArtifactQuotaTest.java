package dev.longhaul.worker.kinds.export;

import static dev.longhaul.worker.TestSql.number;
import static dev.longhaul.worker.TestSql.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.longhaul.core.artifact.ArtifactStore;
import dev.longhaul.core.dispatch.JobPublisher;
import dev.longhaul.core.dispatch.JobRef;
import dev.longhaul.core.job.Job;
import dev.longhaul.core.job.JobSpec;
import dev.longhaul.core.job.JobState;
import dev.longhaul.core.job.JobStore;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A tenant's artifacts stay within its quota (the tests give tenant {@code tiny-quota} 2,000
 * bytes): an export that would pass it fails on its first attempt, says why, and keeps nothing;
 * another tenant's export of the same rows is untouched.
 */
@QuarkusTest
class ArtifactQuotaTest {
    private static final String PARAMS = """
            {"dataset":"customers","columns":["id","email","name"],"format":"csv",
             "filter":[{"field":"id","op":"between","value":[7100001,7100100]}]}""";

    @Inject
    JobStore store;
    @Inject
    JobPublisher publisher;
    @Inject
    ArtifactStore artifacts;
    @Inject
    ObjectMapper mapper;
    @Inject
    Clock clock;
    @Inject
    AgroalDataSource db;

    @Test
    void anExportPastTheTenantsQuotaFailsAtOnceAndKeepsNothing() throws Exception {
        // 100 customers: about 4,500 bytes of CSV
        sql(db, "delete from shop.customers where id between 7100001 and 7100100");
        sql(db, """
                insert into shop.customers (id, email, name, country, created_at, status)
                select 7100000 + g, 'quota' || g || '@example.com', 'Quota Customer ' || g, 'DE', now(), 'active'
                from generate_series(1, 100) g""");
        Job over = run("tiny-quota");
        assertThat(over.state()).isEqualTo(JobState.FAILED);
        assertThat(over.attempt()).isOne();
        assertThat(over.error()).contains("tenant 'tiny-quota'", "quota of 2000 bytes");
        // no finished file, and what is stored of the unfinished one stays under the quota
        assertThat(artifacts.list(List.of(over.id())).getOrDefault(over.id(), List.of()))
                .allSatisfy(a -> assertThat(a.complete()).isFalse());
        assertThat(number(db, "select coalesce(sum(length(p.data)), 0) from longhaul.artifact_part p "
                + "join longhaul.artifact a on a.id = p.artifact_id where a.job_id = '" + over.id() + "'"))
                .isLessThanOrEqualTo(2000);

        Job within = run("default");
        assertThat(within.state()).as(within.error()).isEqualTo(JobState.SUCCEEDED);
        assertThat(artifacts.find(within.id(), "customers.csv").orElseThrow().size()).isGreaterThan(2000);
    }

    private Job run(String tenant) throws Exception {
        Job job = Job.submit(new JobSpec("export", mapper.readTree(PARAMS), "bulk", 0, null, 3, null, null), tenant, null, clock);
        QuarkusTransaction.requiringNew().run(() -> store.insert(job));
        publisher.publish(List.of(new JobRef(job.id(), "bulk")));
        await().atMost(Duration.ofSeconds(60)).until(() -> find(job).state().isFinished());
        return find(job);
    }

    private Job find(Job job) {
        return QuarkusTransaction.requiringNew().call(() -> store.find(job.id()).orElseThrow());
    }
}
