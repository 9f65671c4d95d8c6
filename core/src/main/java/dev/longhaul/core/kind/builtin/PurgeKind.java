package dev.longhaul.core.kind.builtin;

import dev.longhaul.core.kind.Kind;
import dev.longhaul.core.message.Lanes;
import jakarta.inject.Singleton;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * {@code purge}: retention. Deletes the artifacts older than {@code artifactDays}, and the finished
 * jobs (with their history and artifacts) that finished more than {@code jobDays} ago, in batches.
 */
@Singleton
public class PurgeKind extends Kind<PurgeKind.Params> {
    public static final String NAME = "purge";

    public PurgeKind() {
        super(NAME, Params.class, Lanes.BULK, 5);
    }

    /**
     * @param artifactDays artifacts and uploads, default 7
     * @param jobDays      finished jobs and the runs of schedules (each schedule keeps its latest), default 30
     * @param auditDays    audit rows, default 365
     */
    public record Params(@Min(0) @Max(36_500) Integer artifactDays, @Min(0) @Max(36_500) Integer jobDays,
            @Min(0) @Max(36_500) Integer auditDays) {
        public int auditDaysOrDefault() {
            return auditDays == null ? 365 : auditDays;
        }

        public int artifactDaysOrDefault() {
            return artifactDays == null ? 7 : artifactDays;
        }

        public int jobDaysOrDefault() {
            return jobDays == null ? 30 : jobDays;
        }
    }
}
