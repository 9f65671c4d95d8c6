package dev.longhaul.core.kind.builtin;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.longhaul.core.job.JobFilter;
import dev.longhaul.core.job.Transition;
import dev.longhaul.core.kind.Kind;
import dev.longhaul.core.message.Lanes;
import jakarta.inject.Singleton;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.UUID;

/**
 * {@code bulk-jobs}: cancels or retries every job that matches a filter, as a job of its own with
 * progress, walking the matching ids in key order in batches. It applies the same guarded moves as
 * a person's cancel and retry, so a job in a state the move does not start from is left as it is.
 * It needs the {@code operate} role, and acts within its tenant unless an admin made it.
 */
@Singleton
public class BulkJobsKind extends Kind<BulkJobsKind.Params> {
    public static final String NAME = "bulk-jobs";

    public BulkJobsKind() {
        super(NAME, Params.class, Lanes.DEFAULT, 5, Duration.ofHours(6));
    }

    /** What to do to each matching job. */
    public enum Action {
        @JsonProperty("cancel") CANCEL(Transition.CANCEL),
        @JsonProperty("retry") RETRY(Transition.RETRY);

        private final Transition transition;

        Action(Transition transition) {
            this.transition = transition;
        }

        public Transition transition() {
            return transition;
        }
    }

    /**
     * @param action cancel or retry
     * @param filter the jobs it applies to; {@code filter.tenant} null means every tenant (admin only)
     * @param upTo   the newest job it may touch, fixed when it was asked for: jobs made later are left alone
     */
    public record Params(@NotNull Action action, @NotNull JobFilter filter, @NotNull UUID upTo) {
    }
}
