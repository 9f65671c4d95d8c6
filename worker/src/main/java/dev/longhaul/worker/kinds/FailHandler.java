package dev.longhaul.worker.kinds;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.longhaul.core.kind.KindSpec;
import dev.longhaul.core.kind.builtin.FailKind;
import dev.longhaul.worker.run.JobContext;
import dev.longhaul.worker.run.JobHandler;
import dev.longhaul.worker.run.Outcome;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;

/** {@code fail}: snoozes once if asked, then fails its first attempts and succeeds after. */
@Singleton
public class FailHandler implements JobHandler<FailKind.Params> {
    @Inject
    FailKind spec;

    @Override
    public KindSpec<FailKind.Params> spec() {
        return spec;
    }

    @Override
    public Outcome run(JobContext<FailKind.Params> context) {
        FailKind.Params params = context.params();
        if (params.snoozeSeconds() != null && context.checkpoint() == null) {
            return new Outcome.Snooze(Duration.ofMillis((long) (params.snoozeSeconds() * 1000)),
                    JsonNodeFactory.instance.objectNode().put("snoozed", true));
        }
        if (params.fails(context.attempt())) {
            throw new IllegalStateException(params.messageOrDefault() + " (attempt " + context.attempt() + ")");
        }
        return new Outcome.Done(JsonNodeFactory.instance.objectNode().put("attempt", context.attempt()));
    }
}
