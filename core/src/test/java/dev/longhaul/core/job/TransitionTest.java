package dev.longhaul.core.job;

import static dev.longhaul.core.job.JobState.CANCELLED;
import static dev.longhaul.core.job.JobState.FAILED;
import static dev.longhaul.core.job.JobState.QUEUED;
import static dev.longhaul.core.job.JobState.RUNNING;
import static dev.longhaul.core.job.JobState.SCHEDULED;
import static dev.longhaul.core.job.JobState.SUCCEEDED;
import static dev.longhaul.core.job.JobState.WAITING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** One case per from-state: exactly the verbs DESIGN.md allows start from it, and no other. */
class TransitionTest {
    /** The state machine as docs/state-machine.md draws it, written out independently. */
    private static final Map<JobState, Set<Transition>> ALLOWED = Map.of(
            WAITING, EnumSet.of(Transition.RELEASE, Transition.CANCEL),
            SCHEDULED, EnumSet.of(Transition.PROMOTE, Transition.CANCEL),
            QUEUED, EnumSet.of(Transition.CLAIM, Transition.CANCEL),
            RUNNING, EnumSet.of(Transition.CHECKPOINT, Transition.REQUEUE, Transition.SUCCEED,
                    Transition.BACKOFF, Transition.FAIL, Transition.CANCEL, Transition.PARK),
            SUCCEEDED, EnumSet.noneOf(Transition.class),
            FAILED, EnumSet.of(Transition.RETRY),
            CANCELLED, EnumSet.of(Transition.RETRY));

    @ParameterizedTest
    @EnumSource(JobState.class)
    void onlyTheDocumentedVerbsStartFromEachState(JobState from) {
        Set<Transition> actual = Stream.of(Transition.values())
                .filter(t -> t.allowedFrom(from))
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(Transition.class)));
        assertThat(actual).isEqualTo(ALLOWED.get(from));
    }

    @ParameterizedTest
    @EnumSource(JobState.class)
    void aForbiddenVerbIsRefusedWithItsNameAndState(JobState from) {
        for (Transition t : Transition.values()) {
            if (ALLOWED.get(from).contains(t)) {
                t.check(from);
            } else {
                assertThatThrownBy(() -> t.check(from))
                        .isInstanceOf(IllegalTransitionException.class)
                        .hasMessageContaining(t.name().toLowerCase())
                        .hasMessageContaining(from.name());
            }
        }
    }

    @Test
    void theStatesSeveralVerbsShareAreThoseEachOfThemMayStartFrom() {
        // the rescue of an expired lease ends in any of three verbs; a cancel from outside flags an owned job
        assertThat(Transition.fromEvery(Transition.REQUEUE, Transition.FAIL, Transition.CANCEL)).containsExactly(RUNNING);
        assertThat(Transition.fromEvery(Transition.CANCEL, Transition.CHECKPOINT)).containsExactly(RUNNING);
        assertThat(Transition.fromEvery(Transition.CANCEL)).isEqualTo(Transition.CANCEL.from());
        assertThat(Transition.fromEvery(Transition.PROMOTE, Transition.RETRY)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(JobState.class)
    void everyStateIsEitherActiveOrFinished(JobState state) {
        assertThat(JobState.active().contains(state)).isNotEqualTo(JobState.finished().contains(state));
        assertThat(JobState.finished().contains(state)).isEqualTo(state.isFinished());
    }

    @ParameterizedTest
    @EnumSource(JobState.class)
    void finishedStatesLeadNowhereButRetry(JobState from) {
        Set<JobState> targets = Stream.of(Transition.values()).filter(t -> t.allowedFrom(from))
                .map(Transition::to).collect(Collectors.toSet());
        if (from.isFinished()) {
            assertThat(targets).isSubsetOf(Set.of(QUEUED));
        } else {
            assertThat(targets).isNotEmpty();
        }
    }
}
