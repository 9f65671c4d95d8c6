package dev.longhaul.worker.kinds;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.longhaul.core.kind.KindSpec;
import dev.longhaul.core.kind.builtin.SleepKind;
import dev.longhaul.worker.run.Chunks;
import dev.longhaul.worker.run.JobContext;
import dev.longhaul.worker.run.JobHandler;
import dev.longhaul.worker.run.Outcome;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code sleep}: waits until {@code startedAt + seconds}. It behaves like a long chunked job: it
 * wakes up every {@link #TICK} to honour a cancel request, and at the slice deadline it returns a
 * checkpoint (the instant it waits for), so a day-long sleep never holds a delivery for long.
 */
@Singleton
public class SleepHandler implements JobHandler<SleepKind.Params> {
    static final Duration TICK = Duration.ofMillis(200);
    static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);

    @Inject
    SleepKind spec;
    @Inject
    Chunks chunks;

    @Override
    public KindSpec<SleepKind.Params> spec() {
        return spec;
    }

    @Override
    public Outcome run(JobContext<SleepKind.Params> context) throws InterruptedException, SQLException {
        Instant until = context.checkpoint() != null && context.checkpoint().hasNonNull("until")
                ? Instant.parse(context.checkpoint().get("until").asText())
                : context.startedAt().plusNanos((long) (context.params().seconds() * 1e9));
        long total = Math.max(1, Math.round(context.params().seconds()));
        var checkpoint = JsonNodeFactory.instance.objectNode().put("until", until.toString());
        Instant reported = Instant.MIN;
        while (true) {
            Instant now = context.clock().instant();
            if (!now.isBefore(reported.plus(PROGRESS_EVERY))) {
                // seconds slept of the whole, like rows of a table
                long done = Math.min(total, Math.max(0, total - Duration.between(now, until).toSeconds()));
                if (!chunks.progress(context, checkpoint, done, total, "seconds")) return new Outcome.Continue(checkpoint);
                reported = now;
            }
            if (!now.isBefore(until)) {
                return new Outcome.Done(JsonNodeFactory.instance.objectNode().put("slept", context.params().seconds()));
            }
            if (context.cancelRequested()) {
                return new Outcome.Cancelled();
            }
            if (context.sliceOver()) {
                return new Outcome.Continue(checkpoint);
            }
            Duration left = Duration.between(now, until);
            Thread.sleep(left.compareTo(TICK) < 0 ? left : TICK);
        }
    }
}
