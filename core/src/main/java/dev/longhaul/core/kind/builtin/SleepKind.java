package dev.longhaul.core.kind.builtin;

import dev.longhaul.core.kind.Kind;
import dev.longhaul.core.message.Lanes;
import jakarta.inject.Singleton;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * {@code sleep}: waits {@code seconds}, in slices like any long job, then succeeds. For tests and
 * benchmarks of long-running work.
 */
@Singleton
public class SleepKind extends Kind<SleepKind.Params> {
    public static final String NAME = "sleep";

    public SleepKind() {
        super(NAME, Params.class, Lanes.DEFAULT, 5, Duration.ofHours(25));
    }

    /** @param seconds how long to wait, 0 to 86,400 (one day); may be fractional */
    public record Params(@NotNull @Min(0) @Max(86_400) Double seconds) {
    }
}
