package dev.longhaul.core.job;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;

/**
 * Where a job is in its life. The allowed moves between states are the {@link Transition}s; the
 * same set of names is enforced by a CHECK constraint on {@code longhaul.job.state}, and drawn in
 * {@code docs/state-machine.md}.
 */
public enum JobState {
    /**
     * Held by the jobs it depends on ({@code dependsOn}, a batch's {@code then}, a partitioned
     * job's children) until they have ended.
     */
    WAITING,
    /** Waiting for {@code runAt}, or for a retry backoff to end. */
    SCHEDULED,
    /** Due, and published (or about to be) to its lane. */
    QUEUED,
    /** Claimed by a worker under a lease. */
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    private static final Set<JobState> FINISHED = Set.copyOf(EnumSet.of(SUCCEEDED, FAILED, CANCELLED));
    private static final Set<JobState> ACTIVE = Set.copyOf(EnumSet.complementOf(EnumSet.copyOf(FINISHED)));

    /** True for the states a job never leaves without a manual retry. */
    public boolean isFinished() {
        return FINISHED.contains(this);
    }

    /** The states a job ends in: nothing but a manual {@link Transition#RETRY} starts from them. */
    public static Set<JobState> finished() {
        return FINISHED;
    }

    /** The states of a job that has not ended yet: waiting, queued or running. */
    public static Set<JobState> active() {
        return ACTIVE;
    }

    /** The names of {@code states}, sorted, to bind as a {@code text[]} ({@code state = any(?)}). */
    public static String[] names(Collection<JobState> states) {
        return states.stream().map(JobState::name).sorted().toArray(String[]::new);
    }
}
