package dev.longhaul.worker.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.longhaul.core.dispatch.Batcher;
import dev.longhaul.core.dispatch.Settler;
import dev.longhaul.core.job.JobQueries;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Records successes in batches: the jobs that finished while the previous batch was being written
 * are marked {@code SUCCEEDED} in one statement, with their events, in one commit. Each job is
 * fenced on its own lease token, so a job whose lease was lost stays as its new owner left it, and
 * the others of its batch still succeed. Jobs that waited for the ones that succeeded are settled
 * (released, if these were their last) right after the batch.
 */
@ApplicationScoped
public class Completer {
    @Inject
    JobQueries queries;
    @Inject
    Leases leases;
    @Inject
    Settler settler;

    private Batcher<JobQueries.Success, Boolean> batcher;

    @PostConstruct
    void start() {
        batcher = new Batcher<>("longhaul-completer", 500, this::succeedAll);
    }

    /** Marks the job succeeded while {@code token} still owns it; false if the lease was lost. Blocks until done. */
    public boolean succeed(UUID jobId, UUID token, JsonNode result) {
        return Retries.join(batcher.offer(new JobQueries.Success(jobId, token, result)));
    }

    private List<Boolean> succeedAll(List<JobQueries.Success> successes) {
        JobQueries.Succeeded succeeded = Retries.onConflict(() -> queries.succeedAll(successes, leases.workerId()));
        if (!succeeded.awaited().isEmpty()) settler.settleWaitingFor(succeeded.awaited());
        return successes.stream().map(s -> succeeded.done().contains(s.id())).toList();
    }

    @PreDestroy
    void stop() {
        batcher.close();
    }
}
