package dev.longhaul.worker.run;

import static dev.longhaul.worker.JobBuilder.aJob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.longhaul.core.job.Dependencies;
import dev.longhaul.core.job.JobState;
import dev.longhaul.core.job.Transition;
import dev.longhaul.worker.JobBuilder;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The settling of waiting jobs, guarded by the transition table like every other move: for a job
 * in each state whose dependency ended, a settle releases it (its dependency succeeded) or cancels
 * it (its dependency failed) only from {@code WAITING}, and leaves a job in any other state as it
 * was. It commits on its own connections, so these rows are committed and removed afterwards.
 */
@QuarkusTest
class DependenciesTest {
    @Inject
    Dependencies dependencies;
    @Inject
    AgroalDataSource db;

    private final List<UUID> made = new ArrayList<>();

    @AfterEach
    void removeJobs() throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "delete from longhaul.job where id = any(?)")) {
            s.setArray(1, c.createArrayOf("uuid", made.toArray()));
            s.executeUpdate();
        }
    }

    @ParameterizedTest
    @EnumSource(JobState.class)
    void aSucceededDependencyReleasesOnlyAWaitingJob(JobState from) throws Exception {
        try (Connection c = db.getConnection()) {
            JobBuilder.Row dependency = made(aJob().inState(JobState.SUCCEEDED).insert(c));
            JobBuilder.Row job = made(aJob().inState(from).insert(c));
            edge(c, job, dependency, true);
            String before = job.snapshot(c);

            int released = dependencies.settleWaitingFor(List.of(dependency.id())).size();

            if (Transition.RELEASE.allowedFrom(from)) {
                assertThat(released).isEqualTo(1);
                assertThat(job.state(c)).isEqualTo(Transition.RELEASE.to());
            } else {
                assertThat(released).isZero();
                assertThat(job.snapshot(c)).isEqualTo(before);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JobState.class)
    void aFailedDependencyCancelsOnlyAWaitingJob(JobState from) throws Exception {
        try (Connection c = db.getConnection()) {
            JobBuilder.Row dependency = made(aJob().inState(JobState.FAILED).insert(c));
            JobBuilder.Row job = made(aJob().inState(from).insert(c));
            edge(c, job, dependency, true);
            String before = job.snapshot(c);

            assertThat(dependencies.settleWaitingFor(List.of(dependency.id()))).isEmpty();

            if (Transition.fromEvery(Transition.CANCEL, Transition.RELEASE).contains(from)) {
                assertThat(job.state(c)).isEqualTo(Transition.CANCEL.to());
            } else {
                assertThat(job.snapshot(c)).isEqualTo(before);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = JobState.class, names = {"SUCCEEDED", "FAILED", "CANCELLED"})
    void aJobThatWaitsForItsDependenciesToEndIsReleasedWhateverTheirState(JobState ended) throws Exception {
        try (Connection c = db.getConnection()) {
            JobBuilder.Row dependency = made(aJob().inState(ended).insert(c));
            JobBuilder.Row still = made(aJob().inState(JobState.RUNNING).insert(c));
            JobBuilder.Row then = made(aJob().inState(JobState.WAITING).insert(c));
            edge(c, then, dependency, false);
            edge(c, then, still, false);

            assertThat(dependencies.settleWaitingFor(List.of(dependency.id()))).isEmpty();
            assertThat(then.state(c)).isEqualTo(JobState.WAITING);

            end(c, still);
            assertThat(dependencies.settleReady(1000)).extracting(Dependencies.Released::id).contains(then.id());
            assertThat(then.state(c)).isEqualTo(JobState.QUEUED);
            // settled once: nothing is left to release
            assertThat(dependencies.settle(List.of(then.id()))).isEmpty();
        }
    }

    private JobBuilder.Row made(JobBuilder.Row row) {
        made.add(row.id());
        return row;
    }

    private static void edge(Connection c, JobBuilder.Row job, JobBuilder.Row on, boolean mustSucceed) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "insert into longhaul.job_dependency (job_id, depends_on, must_succeed) values (?, ?, ?)")) {
            s.setObject(1, job.id());
            s.setObject(2, on.id());
            s.setBoolean(3, mustSucceed);
            s.executeUpdate();
        }
    }

    private static void end(Connection c, JobBuilder.Row job) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                update longhaul.job set state = 'SUCCEEDED', finished_at = now(), lease_token = null, lease_owner = null,
                    lease_expires_at = null where id = ?""")) {
            s.setObject(1, job.id());
            s.executeUpdate();
        }
    }
}
