package dev.longhaul.worker.kinds;

import dev.longhaul.core.kind.KindSpec;
import dev.longhaul.core.kind.builtin.NoopKind;
import dev.longhaul.worker.run.JobContext;
import dev.longhaul.worker.run.JobHandler;
import dev.longhaul.worker.run.Outcome;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/** {@code noop}: succeeds at once. The smallest possible handler. */
@Singleton
public class NoopHandler implements JobHandler<NoopKind.Params> {
    @Inject
    NoopKind spec;

    @Override
    public KindSpec<NoopKind.Params> spec() {
        return spec;
    }

    @Override
    public Outcome run(JobContext<NoopKind.Params> context) {
        return new Outcome.Done(null);
    }
}
