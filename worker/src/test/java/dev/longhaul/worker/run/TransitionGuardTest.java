package dev.longhaul.worker.run;

import static dev.longhaul.worker.JobBuilder.aJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.longhaul.core.chunk.Fence;
import dev.longhaul.core.job.JobMaintenance;
import dev.longhaul.core.job.JobQueries;
import dev.longhaul.core.job.JobState;
import dev.longhaul.core.job.JobStore;
import dev.longhaul.core.tenant.Scope;
import dev.longhaul.core.job.Transition;
import dev.longhaul.worker.JobBuilder;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The transition table is the guard at run time. For every statement that moves a job (or, like
 * the heartbeat, is guarded on its state) and for every state, a job is put in that state and the
 * statement runs once: it moves exactly that job when {@link Transition} allows the state, and
 * leaves the row exactly as it was when it does not.
 *
 * <p>Each case inserts its job and runs its statement in one transaction that is rolled back: the
 * sweeper and the consumers of this test app never see the job, so nothing races the case, and no
 * case sees another's job. Test jobs come first in every "oldest first" of the sweeper's
 * statements. Only a running job may hold a lease token ({@code job_lease_iff_running}), so an
 * owner's verb on any other state also fails its token fence: the state guard is then the second
 * lock of two, which this test still shows holds.
 */
@QuarkusTest
class TransitionGuardTest {
    private static final Duration LEASE = Duration.ofMinutes(1);
    /** Enough for the test job, which is the oldest, and anything it might share a pass with. */
    private static final int PASS = 10;

    @Inject
    JobStore store;
    @Inject
    JobQueries queries;
    @Inject
    JobMaintenance maintenance;
    @Inject
    AgroalDataSource db;
    @Inject
    Clock clock;

    /** One statement under test: what it starts from, where it leads, and how to run it once. */
    enum Verb {
        CLAIM(Transition.CLAIM, (t, c, job) -> one(t.store.claim(job.id(), UUID.randomUUID(), "guard-test", LEASE))),
        CLAIM_BATCH(Transition.CLAIM, (t, c, job) -> t.queries.claim(List.of(job.id()), "guard-test", LEASE).size()),
        CHECKPOINT(Transition.CHECKPOINT, (t, c, job) -> one(new Fence(job.id(), job.token(), LEASE, t.clock)
                .checkpoint(c, "{\"lastKey\":[\"1\"]}", 1, null, "rows", null))),
        HEARTBEAT(Transition.CHECKPOINT, (t, c, job) -> t.queries.renew(Map.of(job.id(), job.token()),
                t.clock.instant().plus(LEASE)).size()),
        WHILE_HELD(Transition.CHECKPOINT, (t, c, job) -> one(Fence.held(c, job.id(), job.token()))),
        REQUEUE(Transition.REQUEUE, (t, c, job) -> one(t.store.requeue(job.id(), job.token(), null))),
        SUCCEED(Transition.SUCCEED, (t, c, job) -> one(t.store.succeed(job.id(), job.token(), null))),
        SUCCEED_BATCH(Transition.SUCCEED, (t, c, job) -> t.queries.succeed(
                List.of(new JobQueries.Success(job.id(), job.token(), null)), "guard-test").size()),
        BACKOFF(Transition.BACKOFF, (t, c, job) -> one(t.store.backoff(job.id(), job.token(), "retryable",
                t.clock.instant().plus(LEASE)))),
        SNOOZE(Transition.BACKOFF, (t, c, job) -> one(t.store.snooze(job.id(), job.token(), t.clock.instant().plus(LEASE),
                null))),
        FAIL(Transition.FAIL, (t, c, job) -> one(t.store.fail(job.id(), job.token(), "discarded"))),
        /** A partitioned job's parent waits for its children. */
        PARK(Transition.PARK, (t, c, job) -> one(t.queries.park(c, job.id(), job.token(), null, "guard-test", null))),
        /** From outside: a job nobody owns ends at once, an owned one gets the flag its owner honours. */
        CANCEL(Transition.CANCEL.from(), from -> Transition.fromEvery(Transition.CANCEL, Transition.CHECKPOINT)
                .contains(from) ? from : Transition.CANCEL.to(), UnaryOperator.identity(), (t, c, job) -> {
                    t.store.cancel(job.id(), Scope.all());
                    return job.version(c);
                }),
        /** The owner honours a cancel request: only a state with an owner is cancelled this way. */
        CANCEL_BY_OWNER(Transition.fromEvery(Transition.CANCEL, Transition.CHECKPOINT), from -> Transition.CANCEL.to(),
                UnaryOperator.identity(), (t, c, job) -> one(t.store.cancelOwned(job.id(), job.token()))),
        RETRY(Transition.RETRY, (t, c, job) -> one(t.store.retry(job.id(), Scope.all()))),
        PROMOTE(Transition.PROMOTE, (t, c, job) -> mine(t.maintenance.promoteDue(PASS, (id, queue) -> id), job)),
        /** The sweeper takes back an expired lease; requeue, fail and cancel must all start from the state. */
        RESCUE(Transition.fromEvery(Transition.REQUEUE, Transition.FAIL, Transition.CANCEL), from -> Transition.REQUEUE.to(),
                JobBuilder::withExpiredLease,
                (t, c, job) -> mine(t.maintenance.rescueExpired(PASS).stream().map(JobMaintenance.Rescued::id).toList(), job)),
        /** Not a move: the sweeper re-sends a message only for a job a claim could take. */
        REPUBLISH(Transition.CLAIM.from(), from -> from, JobBuilder::markedToPublish,
                (t, c, job) -> mine(t.maintenance.takeUnconfirmed(Duration.ofSeconds(1), PASS, (id, queue) -> id), job));

        final Set<JobState> from;
        final Function<JobState, JobState> after;
        final UnaryOperator<JobBuilder> prepare;
        final Run run;

        Verb(Transition transition, Run run) {
            this(transition.from(), from -> transition.to(), UnaryOperator.identity(), run);
        }

        Verb(Set<JobState> from, Function<JobState, JobState> after, UnaryOperator<JobBuilder> prepare, Run run) {
            this.from = from;
            this.after = after;
            this.prepare = prepare;
            this.run = run;
        }
    }

    @FunctionalInterface
    interface Run {
        /** Runs the statement once on {@code job}; returns how many jobs it moved. */
        int on(TransitionGuardTest t, Connection c, JobBuilder.Row job) throws Exception;
    }

    static Stream<Arguments> everyVerbFromEveryState() {
        return Stream.of(Verb.values()).flatMap(verb -> Stream.of(JobState.values()).map(from -> Arguments.of(verb, from)));
    }

    @ParameterizedTest(name = "{0} from {1}")
    @MethodSource("everyVerbFromEveryState")
    void aStatementMovesAJobOnlyFromTheStatesTheTableAllows(Verb verb, JobState from) throws Exception {
        inRolledBackTransaction(c -> {
            JobBuilder.Row job = verb.prepare.apply(aJob().inState(from)).insert(c);
            String before = job.snapshot(c);

            int moved = verb.run.on(this, c, job);

            if (verb.from.contains(from)) {
                assertThat(moved).as("%s from %s", verb, from).isEqualTo(1);
                assertThat(job.state(c)).isEqualTo(verb.after.apply(from));
            } else {
                assertThat(moved).as("%s from %s", verb, from).isZero();
                assertThat(job.snapshot(c)).isEqualTo(before);
            }
        });
    }

    @Test
    void aCancelOfARunningJobLeavesItToItsOwnerWithTheFlag() throws Exception {
        inRolledBackTransaction(c -> {
            JobBuilder.Row job = aJob().inState(JobState.RUNNING).insert(c);
            assertThat(store.cancel(job.id(), Scope.all())).contains(JobState.RUNNING);
            assertThat(job.cancelRequested(c)).isTrue();
        });
    }

    @Test
    void aRescueEndsInTheVerbTheRowCallsFor() throws Exception {
        inRolledBackTransaction(c -> {
            JobBuilder.Row again = aJob().inState(JobState.RUNNING).withExpiredLease().insert(c);
            JobBuilder.Row spent = aJob().inState(JobState.RUNNING).withExpiredLease().onItsLastAttempt().insert(c);
            JobBuilder.Row unwanted = aJob().inState(JobState.RUNNING).withExpiredLease().withCancelRequested().insert(c);

            List<JobMaintenance.Rescued> rescued = maintenance.rescueExpired(PASS);

            assertThat(rescued).filteredOn(r -> Set.of(again.id(), spent.id(), unwanted.id()).contains(r.id()))
                    .extracting(JobMaintenance.Rescued::id, JobMaintenance.Rescued::state)
                    .containsExactlyInAnyOrder(
                            tuple(again.id(), Transition.REQUEUE.to()),
                            tuple(spent.id(), Transition.FAIL.to()),
                            tuple(unwanted.id(), Transition.CANCEL.to()));
            assertThat(again.state(c)).isEqualTo(JobState.QUEUED);
            assertThat(spent.state(c)).isEqualTo(JobState.FAILED);
            assertThat(unwanted.state(c)).isEqualTo(JobState.CANCELLED);
        });
    }

    @Test
    void aClaimTakesARunningJobOnceItsLeaseHasExpired() throws Exception {
        inRolledBackTransaction(c -> {
            JobBuilder.Row one = aJob().inState(JobState.RUNNING).withExpiredLease().insert(c);
            JobBuilder.Row batched = aJob().inState(JobState.RUNNING).withExpiredLease().insert(c);

            assertThat(store.claim(one.id(), UUID.randomUUID(), "guard-test", LEASE)).isTrue();
            assertThat(queries.claim(List.of(batched.id()), "guard-test", LEASE)).containsOnlyKeys(batched.id());
        });
    }

    @FunctionalInterface
    interface Case {
        void run(Connection c) throws Exception;
    }

    /** Runs {@code body} on the connection of a new transaction, which it then rolls back. */
    private void inRolledBackTransaction(Case body) throws Exception {
        QuarkusTransaction.begin();
        try (Connection c = db.getConnection()) {
            body.run(c);
        } finally {
            QuarkusTransaction.rollback();
        }
    }

    private static int one(boolean moved) {
        return moved ? 1 : 0;
    }

    private static int mine(Collection<UUID> ids, JobBuilder.Row job) {
        return (int) ids.stream().filter(job.id()::equals).count();
    }
}
