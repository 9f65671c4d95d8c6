package dev.longhaul.worker.kinds.export;

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
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A CSV export with neutralizeFormulas: cells a spreadsheet would run are written as text. */
@QuarkusTest
class ExportFormulasTest {
    @Inject
    JobStore store;
    @Inject
    JobPublisher publisher;
    @Inject
    ArtifactStore artifacts;
    @Inject
    AgroalDataSource db;
    @Inject
    ObjectMapper mapper;
    @Inject
    Clock clock;

    @Test
    void cellsThatStartAFormulaGetAnApostropheAndTheRestStayAsTheyAre() throws Exception {
        sql(db, "delete from shop.customers where id > 7000000 and id <= 7000010");
        sql(db, """
                insert into shop.customers (id, email, name, country, created_at, status) values
                (7000001, 'f1@example.com', '=HYPERLINK("http://evil.example","x")', 'DE', now(), 'active'),
                (7000002, 'f2@example.com', '+1+1', 'DE', now(), 'active'),
                (7000003, 'f3@example.com', '-2', 'DE', now(), 'active'),
                (7000004, 'f4@example.com', '@SUM(A1)', 'DE', now(), 'active'),
                (7000005, 'f5@example.com', 'Plain Name', 'DE', now(), 'active')""");
        String csv = export(true);
        assertThat(csv.lines().toList()).containsExactly("id,name",
                "7000001,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"",
                "7000002,'+1+1", "7000003,'-2", "7000004,'@SUM(A1)", "7000005,Plain Name");
        // without the option, the data is written as it is
        assertThat(export(false).lines()).contains("7000002,+1+1", "7000005,Plain Name");
    }

    private String export(boolean neutralize) throws Exception {
        String params = """
                {"dataset":"customers","columns":["id","name"],"format":"csv","neutralizeFormulas":%s,
                 "filter":[{"field":"id","op":"between","value":[7000001,7000010]}]}""".formatted(neutralize);
        Job job = Job.submit(new JobSpec("export", mapper.readTree(params), "bulk", 0, null, 1, null, null), clock);
        QuarkusTransaction.requiringNew().run(() -> store.insert(job));
        publisher.publish(List.of(new JobRef(job.id(), "bulk")));
        await().atMost(Duration.ofSeconds(60)).until(() -> find(job).state().isFinished());
        assertThat(find(job).state()).as(find(job).error()).isEqualTo(JobState.SUCCEEDED);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        artifacts.copyTo(artifacts.find(job.id(), "customers.csv").orElseThrow().id(), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private Job find(Job job) {
        return QuarkusTransaction.requiringNew().call(() -> store.find(job.id()).orElseThrow());
    }
}
