package dev.longhaul.core.job;

/** A verb was applied to a job in a state it may not start from. */
public class IllegalTransitionException extends RuntimeException {
    private final Transition transition;
    private final JobState state;

    public IllegalTransitionException(Transition transition, JobState state) {
        super("cannot " + transition.name().toLowerCase() + " a job that is " + state);
        this.transition = transition;
        this.state = state;
    }

    public Transition transition() {
        return transition;
    }

    public JobState state() {
        return state;
    }
}
