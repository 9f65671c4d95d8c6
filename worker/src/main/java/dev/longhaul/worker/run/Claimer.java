package dev.longhaul.worker.run;

import dev.longhaul.core.dispatch.Batcher;
import dev.longhaul.core.job.Job;
import dev.longhaul.core.job.JobQueries;
import dev.longhaul.core.job.LaneControls;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Claims the jobs of many deliveries in one statement per lane: each delivery's thread asks for a
 * job and waits while the claims that arrived together are made at once, one commit for all.
 * <ul>
 * <li>In a lane without controls where every waiting job has the same priority, each delivery
 * claims its own job. A job delivered twice in one batch is claimed once; the second delivery
 * finds it not claimable, as it would one statement later.</li>
 * <li>Otherwise a delivery is a wake-up for its lane: the claim takes the lane's best waiting jobs
 * (by priority, then age), within the lane's pause, concurrency and rate controls. Each claim
 * still consumes one message for one job, so every waiting job keeps a message or is woken by
 * {@link dev.longhaul.core.dispatch.LaneWaker} when a controlled lane has room.</li>
 * </ul>
 */
@ApplicationScoped
public class Claimer {
    @Inject
    JobQueries queries;
    @Inject
    LaneControls controls;
    @Inject
    Leases leases;
    @Inject
    WorkerConfig config;

    /** A delivery: the job its message names, in its lane. */
    record Hint(UUID id, String lane) {
    }

    private Batcher<Hint, Optional<Job>> batcher;
    /** Per lane, deliveries its controls held back that no wake-up has answered yet. */
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> heldBack = new java.util.concurrent.ConcurrentHashMap<>();

    @PostConstruct
    void start() {
        batcher = new Batcher<>("longhaul-claimer", 500, this::claimAll);
    }

    /** Claims a job for the delivery under a new lease token; empty when none may start. Blocks until done. */
    public Optional<Job> claim(UUID jobId, String lane) {
        return Retries.join(batcher.offer(new Hint(jobId, lane)));
    }

    private List<Optional<Job>> claimAll(List<Hint> hints) {
        Map<String, List<Integer>> byLane = new LinkedHashMap<>();
        for (int i = 0; i < hints.size(); i++) byLane.computeIfAbsent(hints.get(i).lane(), l -> new ArrayList<>()).add(i);
        List<Optional<Job>> results = new ArrayList<>(hints.size());
        for (int i = 0; i < hints.size(); i++) results.add(Optional.empty());
        byLane.forEach((lane, indexes) -> {
            List<Hint> mine = indexes.stream().map(hints::get).toList();
            List<Optional<Job>> claimed = Retries.onConflict(() -> claimInLane(lane, mine));
            for (int k = 0; k < indexes.size(); k++) results.set(indexes.get(k), claimed.get(k));
        });
        return results;
    }

    private List<Optional<Job>> claimInLane(String lane, List<Hint> hints) throws SQLException {
        if (!controls.of(lane).active() && queries.topWaitingPriority(lane) <= 0) return claimEach(hints);
        List<Optional<Job>> results = new ArrayList<>(hints.size());
        JobQueries.Claimed claimed = queries.claimNext(lane, hints.size(), leases.workerId(), config.lease());
        if (claimed.heldBack() > 0) heldBack.computeIfAbsent(lane, l -> new java.util.concurrent.atomic.AtomicInteger()).addAndGet(claimed.heldBack());
        for (Job job : claimed.jobs()) results.add(Optional.of(job));
        while (results.size() < hints.size()) results.add(Optional.empty());
        return results;
    }

    /**
     * Whether a job ending in the lane should wake a worker for the lane's next job: true while
     * deliveries this worker held back wait for an answer, one at a time. Held-back deliveries of
     * other workers are answered by their own job ends and by the sweeper's pass.
     */
    boolean takeHeldBack(String lane) {
        var count = heldBack.get(lane);
        return count != null && count.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    }

    private List<Optional<Job>> claimEach(List<Hint> hints) throws SQLException {
        Map<UUID, Job> claimed = queries.claim(new LinkedHashSet<>(hints.stream().map(Hint::id).toList()),
                leases.workerId(), config.lease());
        Set<UUID> handedOut = new HashSet<>();
        List<Optional<Job>> results = new ArrayList<>(hints.size());
        for (Hint hint : hints) {
            // only the first delivery of a job in this batch owns the claim
            results.add(handedOut.add(hint.id()) ? Optional.ofNullable(claimed.get(hint.id())) : Optional.empty());
        }
        return results;
    }

    @PreDestroy
    void stop() {
        batcher.close();
    }
}
