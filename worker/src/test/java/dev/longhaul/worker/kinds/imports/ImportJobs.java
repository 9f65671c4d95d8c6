package dev.longhaul.worker.kinds.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.longhaul.core.artifact.UploadStore;
import dev.longhaul.core.dispatch.JobPublisher;
import dev.longhaul.core.dispatch.JobRef;
import dev.longhaul.core.job.Job;
import dev.longhaul.core.job.JobSpec;
import dev.longhaul.core.job.JobStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** Uploads and import jobs for the import tests, submitted as the api would and run by this worker. */
@ApplicationScoped
class ImportJobs {
    @Inject
    JobStore store;
    @Inject
    JobPublisher publisher;
    @Inject
    UploadStore uploads;
    @Inject
    ObjectMapper mapper;
    @Inject
    Clock clock;

    UUID upload(String csv) {
        return uploads.store(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), "test.csv", "text/csv",
                100_000_000, "default").id();
    }

    /** Runs an import to its end and returns the job, which must not have failed. */
    Job run(String dataset, UUID upload, String mode) throws Exception {
        Job job = submit(dataset, upload, mode, "");
        await().atMost(Duration.ofSeconds(60)).until(() -> find(job.id()).state().isFinished());
        Job done = find(job.id());
        assertThat(done.error()).isNull();
        return done;
    }

    /** {@code more}: further parameters, as JSON members each after a comma. */
    Job submit(String dataset, UUID upload, String mode, String more) throws Exception {
        Job job = Job.submit(new JobSpec("import", mapper.readTree("{\"dataset\":\"" + dataset + "\",\"upload\":\"" + upload
                + "\",\"mode\":\"" + mode + "\"" + more + "}"), "bulk", 0, null, 1, null, null), clock);
        QuarkusTransaction.requiringNew().run(() -> store.insert(job));
        publisher.publish(List.of(new JobRef(job.id(), "bulk")));
        return job;
    }

    Job find(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> store.find(id).orElseThrow());
    }
}
