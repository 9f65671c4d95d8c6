package dev.longhaul.worker.kinds.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.longhaul.core.chunk.Fence;
import dev.longhaul.core.dispatch.JobPublisher;
import dev.longhaul.core.dispatch.JobRef;
import dev.longhaul.core.job.JobBulk;
import dev.longhaul.core.job.JobSearch;
import dev.longhaul.core.kind.KindSpec;
import dev.longhaul.core.kind.builtin.BulkJobsKind;
import dev.longhaul.core.tenant.Scope;
import dev.longhaul.worker.run.Chunks;
import dev.longhaul.worker.run.JobContext;
import dev.longhaul.worker.run.JobHandler;
import dev.longhaul.worker.run.Outcome;
import io.agroal.api.AgroalDataSource;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * {@code bulk-jobs}: walks the matching job ids up to {@code upTo} in key order, {@link #BATCH} at a
 * time. Each batch's moves and the checkpoint (the last id, the counts) commit in one transaction
 * fenced on the lease, so a resumed run starts after the last committed batch and never applies a
 * batch twice. Retried jobs are published after their batch commits.
 */
@Singleton
public class BulkJobsHandler implements JobHandler<BulkJobsKind.Params> {
    static final int BATCH = 500;

    @Inject
    BulkJobsKind spec;
    @Inject
    JobSearch search;
    @Inject
    JobPublisher publisher;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    Chunks chunks;
    @Inject
    ObjectMapper mapper;
    @Inject
    Clock clock;

    @Override
    public KindSpec<BulkJobsKind.Params> spec() {
        return spec;
    }

    @Override
    public Outcome run(JobContext<BulkJobsKind.Params> context) throws SQLException {
        BulkJobsKind.Params params = context.params();
        String tenant = params.filter().tenant();
        Scope scope = tenant == null ? Scope.all() : Scope.tenant(tenant);
        ObjectNode state = context.checkpoint() != null ? context.checkpoint().deepCopy() : start(scope, params);
        Fence fence = chunks.fence(context);
        Instant sliceStart = clock.instant();
        long doneAtSliceStart = state.get("walked").asLong();
        while (true) {
            if (context.cancelRequested()) return new Outcome.Cancelled();
            if (context.sliceOver()) return new Outcome.Continue(state);
            UUID after = state.hasNonNull("last") ? UUID.fromString(state.get("last").asText()) : null;
            List<JobBulk.Requeued> requeued;
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                List<UUID> ids = search.idsAfter(c, scope, params.filter(), after, params.upTo(), BATCH);
                if (ids.isEmpty()) {
                    c.rollback();
                    return new Outcome.Done(mapper.createObjectNode()
                            .put("action", params.action().name().toLowerCase(Locale.ROOT))
                            .put("matched", state.get("walked").asLong()).put("changed", state.get("changed").asLong()));
                }
                requeued = switch (params.action()) {
                    case CANCEL -> {
                        state.put("changed", state.get("changed").asLong() + JobBulk.cancel(c, ids, clock));
                        yield List.of();
                    }
                    case RETRY -> {
                        List<JobBulk.Requeued> moved = JobBulk.retry(c, ids, clock);
                        state.put("changed", state.get("changed").asLong() + moved.size());
                        yield moved;
                    }
                };
                state.put("last", ids.getLast().toString());
                long walked = state.get("walked").asLong() + ids.size();
                state.put("walked", walked);
                long total = Math.max(walked, state.get("total").asLong());
                double seconds = Math.max(1e-3, Duration.between(sliceStart, clock.instant()).toNanos() / 1e9);
                if (!fence.checkpoint(c, state.toString(), walked, total, "jobs",
                        (walked - doneAtSliceStart) / seconds)) {
                    c.rollback();
                    return fence.cancelledWhileOwned(c) ? new Outcome.Cancelled() : new Outcome.Continue(state);
                }
                c.commit();
            }
            if (!requeued.isEmpty()) {
                publisher.publishLater(requeued.stream().map(r -> new JobRef(r.id(), r.queue())).toList());
            }
        }
    }

    /** The first slice's state: the exact number of matching jobs is the total. */
    private ObjectNode start(Scope scope, BulkJobsKind.Params params) throws SQLException {
        long total = search.countUpTo(scope, params.filter(), params.upTo(), Long.MAX_VALUE);
        return mapper.createObjectNode().put("walked", 0L).put("changed", 0L).put("total", total);
    }
}
