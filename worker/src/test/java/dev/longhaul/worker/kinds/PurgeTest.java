package dev.longhaul.worker.kinds;

import static dev.longhaul.worker.TestSql.count;
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
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Retention: old artifacts and old finished jobs go; recent ones and unfinished ones stay. */
@QuarkusTest
class PurgeTest {
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

    @Test
    void purgeRemovesWhatIsPastRetentionAndNothingElse() throws Exception {
        UUID oldJob = insert("noop");
        UUID recentJob = insert("noop");
        UUID oldButQueued = insert("noop");
        UUID withOldArtifact = insert("noop");
        sql(db, "update longhaul.job set state = 'SUCCEEDED', finished_at = now() - interval '40 days', to_publish = false where id in ('"
                + oldJob + "', '" + withOldArtifact + "')");
        sql(db, "update longhaul.job set state = 'SUCCEEDED', finished_at = now() - interval '1 day', to_publish = false where id = '" + recentJob + "'");
        sql(db, "update longhaul.job set run_at = now() + interval '1 day', state = 'SCHEDULED', enqueued_at = null, to_publish = false, "
                + "created_at = now() - interval '90 days' where id = '" + oldButQueued + "'");
        sql(db, "update longhaul.job set finished_at = now() - interval '2 days' where id = '" + withOldArtifact + "'");
        sql(db, "insert into longhaul.artifact (job_id, name, content_type, created_at) values ('" + withOldArtifact
                + "', 'old.csv', 'text/csv', now() - interval '10 days'), ('" + recentJob + "', 'new.csv', 'text/csv', now())");

        // an upload past retention, and the staging table of an import that failed for good
        sql(db, "insert into longhaul.upload (id, name, content_type, created_at) values "
                + "(gen_random_uuid(), 'old.csv', 'text/csv', now() - interval '10 days')");
        UUID failedImport = insert("noop");
        sql(db, "update longhaul.job set state = 'FAILED', finished_at = now(), to_publish = false where id = '" + failedImport + "'");
        String staging = "import_staging_" + failedImport.toString().replace("-", "");
        sql(db, "create table longhaul." + staging + " (line bigint primary key, c0 text)");

        // a per-second schedule's runs: the old ones go, its latest stays; audit rows past a year go
        UUID schedule = UUID.randomUUID();
        sql(db, "insert into longhaul.schedule (id, name, cron, timezone, job_kind, misfire, overlap, enabled, created_at, updated_at) "
                + "values ('" + schedule + "', 'purge-" + schedule + "', '* * * * * ?', 'UTC', 'noop', 'skip', 'allow', false, now(), now())");
        sql(db, "insert into longhaul.schedule_run (schedule_id, scheduled_for, outcome, at) "
                + "select '" + schedule + "', now() - interval '60 days' + g * interval '1 second', 'skipped-misfire', "
                + "now() - interval '60 days' + g * interval '1 second' from generate_series(1, 2500) g");
        sql(db, "insert into longhaul.audit (at, action, outcome) values (now() - interval '400 days', 'POST /api/jobs', 202), "
                + "(now(), 'POST /api/jobs', 202)");

        UUID purge = insert("purge");
        publisher.publish(List.of(new JobRef(purge, "bulk")));
        await().atMost(Duration.ofSeconds(30)).until(() -> state(purge) == JobState.SUCCEEDED);

        assertThat(count(db, "longhaul.job where id = '" + oldJob + "'")).isZero();
        assertThat(count(db, "longhaul.job where id in ('" + recentJob + "', '" + oldButQueued + "', '" + withOldArtifact + "')")).isEqualTo(3);
        assertThat(count(db, "longhaul.artifact where name = 'old.csv'")).isZero();
        assertThat(count(db, "longhaul.artifact where name = 'new.csv' and job_id = '" + recentJob + "'")).isEqualTo(1);
        assertThat(count(db, "longhaul.upload where name = 'old.csv'")).isZero();
        assertThat(count(db, "pg_tables where schemaname = 'longhaul' and tablename = '" + staging + "'")).isZero();
        assertThat(count(db, "longhaul.schedule_run where schedule_id = '" + schedule + "'")).isEqualTo(1);
        assertThat(count(db, "longhaul.audit where at < now() - interval '365 days'")).isZero();
        assertThat(count(db, "longhaul.audit where at > now() - interval '1 day'")).isPositive();
        sql(db, "delete from longhaul.schedule where id = '" + schedule + "'");
        var result = QuarkusTransaction.requiringNew().call(() -> store.find(purge).orElseThrow().result());
        assertThat(result.get("scheduleRunsDeleted").asLong()).isEqualTo(2499);
        assertThat(result.get("jobsDeleted").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(result.get("artifactsDeleted").asLong()).isGreaterThanOrEqualTo(1);
    }

    private UUID insert(String kind) throws Exception {
        Job job = Job.submit(new JobSpec(kind, mapper.readTree("{}"), kind.equals("purge") ? "bulk" : "default", 0,
                null, 1, null, null), clock);
        QuarkusTransaction.requiringNew().run(() -> store.insert(job));
        return job.id();
    }

    private JobState state(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> store.find(id).orElseThrow().state());
    }
}
