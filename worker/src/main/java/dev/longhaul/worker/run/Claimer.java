package dev.longhaul.worker.run;

import dev.longhaul.core.dispatch.Batcher;
import dev.longhaul.core.job.Job;
import dev.longhaul.core.job.JobQueries;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Claims the jobs of many deliveries in one statement: each delivery's thread asks for its job and
 * waits while the claims that arrived together are made in one guarded {@code UPDATE} (with their
 * events), one commit for all. A job delivered twice in one batch is claimed once; the second
 * delivery finds it not claimable, as it would one statement later.
 */
@ApplicationScoped
public class Claimer {
    @Inject
    JobQueries queries;
    @Inject
    Leases leases;
    @Inject
    WorkerConfig config;

    private Batcher<UUID, Optional<Job>> batcher;

    @PostConstruct
    void start() {
        batcher = new Batcher<>("longhaul-claimer", 500, this::claimAll);
    }

    /** Claims the job under a new lease token; empty when it is not claimable. Blocks until done. */
    public Optional<Job> claim(UUID jobId) {
        return Retries.join(batcher.offer(jobId));
    }

    private List<Optional<Job>> claimAll(List<UUID> ids) {
        Map<UUID, Job> claimed = Retries.onConflict(() -> queries.claim(new LinkedHashSet<>(ids), leases.workerId(), config.lease()));
        Set<UUID> handedOut = new HashSet<>();
        List<Optional<Job>> results = new ArrayList<>(ids.size());
        for (UUID id : ids) {
            // only the first delivery of a job in this batch owns the claim
            results.add(handedOut.add(id) ? Optional.ofNullable(claimed.get(id)) : Optional.empty());
        }
        return results;
    }

    @PreDestroy
    void stop() {
        batcher.close();
    }
}
