package dev.longhaul.core.job;

import static dev.longhaul.core.job.JobState.CANCELLED;
import static dev.longhaul.core.job.JobState.FAILED;
import static dev.longhaul.core.job.JobState.QUEUED;
import static dev.longhaul.core.job.JobState.RUNNING;
import static dev.longhaul.core.job.JobState.SCHEDULED;
import static dev.longhaul.core.job.JobState.SUCCEEDED;
import static dev.longhaul.core.job.JobState.WAITING;

import java.util.EnumSet;
import java.util.Set;

/**
 * The transition table of the job state machine: every verb with the states it may start from and
 * the state it leads to. The table is also the guard at run time: every statement that moves a
 * job binds its {@code state IN (…)} from here, never from a literal, so a move that is not in this
 * table changes no row. Those statements all live in this package: {@link JobStore} (one job at a
 * time, in the caller's transaction), {@link JobQueries} (batches), {@link LeaseQueries} (what an
 * owner runs on a chunk's own connection) and {@link JobMaintenance} (the sweeper's and the
 * purge's). {@code docs/state-machine.md} draws the table.
 */
public enum Transition {
    /** A due {@code SCHEDULED} job becomes {@code QUEUED} and is published. */
    PROMOTE(QUEUED, SCHEDULED),
    /**
     * A {@code WAITING} job whose dependencies have all ended (and, where they must, succeeded)
     * is queued and published.
     */
    RELEASE(QUEUED, WAITING),
    /**
     * The owner parks its job until the jobs it made have ended: a partitioned job's parent,
     * once its children exist. Its next claim continues the same attempt.
     */
    PARK(WAITING, RUNNING),
    /**
     * A worker takes a queued job under a new lease token. A running job whose lease expired is
     * re-queued ({@link #REQUEUE}) and claimed in the same statement.
     */
    CLAIM(RUNNING, QUEUED),
    /** The owner commits progress; the job stays {@code RUNNING}. */
    CHECKPOINT(RUNNING, RUNNING),
    /** End of a slice, graceful shutdown, or the rescue of an expired lease: back to the queue, with the checkpoint. */
    REQUEUE(QUEUED, RUNNING),
    SUCCEED(SUCCEEDED, RUNNING),
    /** A retryable error with attempts left: wait for the backoff. */
    BACKOFF(SCHEDULED, RUNNING),
    /** A non-retryable error, or the last attempt failed (or its lease expired: the rescue). */
    FAIL(FAILED, RUNNING),
    /**
     * Cancelling a waiting job ends it; a running job is cancelled by its owner at the next chunk,
     * or by the rescue if its lease expired first. A job whose dependency failed or was cancelled
     * is cancelled too, with that reason.
     */
    CANCEL(CANCELLED, WAITING, SCHEDULED, QUEUED, RUNNING),
    /** A manual retry of a finished, unsuccessful job. */
    RETRY(QUEUED, FAILED, CANCELLED);

    private final JobState to;
    private final Set<JobState> from;

    Transition(JobState to, JobState first, JobState... rest) {
        this.to = to;
        this.from = EnumSet.of(first, rest);
    }

    public JobState to() {
        return to;
    }

    /** The states this verb may start from (an unmodifiable copy). */
    public Set<JobState> from() {
        return Set.copyOf(from);
    }

    public boolean allowedFrom(JobState state) {
        return from.contains(state);
    }

    /**
     * The states every one of the given verbs may start from. A statement that may end in any of
     * several verbs (the rescue of an expired lease: requeue, fail or cancel) guards on these.
     */
    public static Set<JobState> fromEvery(Transition first, Transition... rest) {
        Set<JobState> states = EnumSet.copyOf(first.from);
        for (Transition t : rest) states.retainAll(t.from);
        return Set.copyOf(states);
    }

    /** Throws {@link IllegalTransitionException} unless this verb may start from {@code state}. */
    public void check(JobState state) {
        if (!allowedFrom(state)) {
            throw new IllegalTransitionException(this, state);
        }
    }
}
