package dev.longhaul.core.kind.builtin;

import dev.longhaul.core.kind.Kind;
import dev.longhaul.core.message.Lanes;
import jakarta.inject.Singleton;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;

/**
 * {@code fail}: a job that fails on purpose, to see retries, backoff, snoozes and alerts work in a
 * running system: it fails its first {@code attempts} attempts (all of them by default) with
 * {@code message}, and can first snooze once for {@code snoozeSeconds}.
 */
@Singleton
public class FailKind extends Kind<FailKind.Params> {
    public static final String NAME = "fail";

    public FailKind() {
        super(NAME, Params.class, Lanes.DEFAULT, 5);
    }

    public record Params(@Size(max = 500) String message, @Min(0) Integer attempts,
            @DecimalMin("0") @DecimalMax("3600") Double snoozeSeconds) {
        public String messageOrDefault() {
            return message == null ? "failing on purpose" : message;
        }

        /** Whether the given attempt fails. */
        public boolean fails(int attempt) {
            return attempts == null || attempt <= attempts;
        }
    }
}
