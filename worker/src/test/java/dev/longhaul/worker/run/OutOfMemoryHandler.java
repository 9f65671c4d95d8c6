package dev.longhaul.worker.run;

import dev.longhaul.core.kind.Kind;
import dev.longhaul.core.kind.KindSpec;
import dev.longhaul.core.message.Lanes;
import jakarta.enterprise.context.ApplicationScoped;

/** A kind for the tests only: every attempt dies of an {@link OutOfMemoryError}, as a runaway job would. */
@ApplicationScoped
public class OutOfMemoryHandler implements JobHandler<OutOfMemoryHandler.Params> {
    public static final String KIND = "test-out-of-memory";

    public record Params() {
    }

    private static final KindSpec<Params> SPEC = new Kind<>(KIND, Params.class, Lanes.DEFAULT, 5) {
    };

    @Override
    public KindSpec<Params> spec() {
        return SPEC;
    }

    @Override
    public Outcome run(JobContext<Params> context) {
        throw new OutOfMemoryError("Java heap space (thrown on purpose by a test)");
    }
}
