package dev.longhaul.worker.run;

import dev.longhaul.core.dispatch.Batcher;
import dev.longhaul.core.job.Job;
import dev.longhaul.core.job.JobQueries;
import dev.longhaul.core.job.LaneClaims;
import dev.longhaul.core.job.LaneControls;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Claims the jobs of many deliveries in one statement per lane: each delivery's thread asks for a
 * job and waits while the claims that arrived together are made at once, one commit for all.
 * <ul>
 * <li>In a lane without controls where one tenant waits and every waiting job has the same
 * priority, each delivery claims its own job. A delivery whose job cannot be claimed (a duplicate,
 * or a job another delivery's claim took) claims the lane's next job instead.</li>
 * <li>Otherwise a delivery is a wake-up for its lane: the claim takes the lane's best waiting jobs
 * (by priority, in turn across the tenants that wait, then by age), within the lane's pause,
 * concurrency and rate controls ({@link LaneClaims}). Each claim still consumes one message for one
 * job, so every waiting job keeps a message or is woken by
 * {@link dev.longhaul.core.dispatch.LaneWaker} when a controlled lane has room.</li>
 * </ul>
 * Either way a delivery claims a job while the lane has claimable work and its controls allow.
 */
@ApplicationScoped
public class Claimer {
    @Inject
    JobQueries queries;
    @Inject
    LaneClaims lanes;
    @Inject
    LaneControls controls;
    @Inject
    Leases leases;
    @Inject
    WorkerConfig config;

    /** A delivery: the job its message names, in its lane. */
    record Hint(UUID id, String lane) {
    }

    /** What a delivery's claim got: a job, or none, and if none whether the lane's controls held it back. */
    record Claim(Optional<Job> job, boolean heldBack) {
        static final Claim NONE = new Claim(Optional.empty(), false);
        static final Claim HELD_BACK = new Claim(Optional.empty(), true);

        static Claim of(Job job) {
            return job == null ? NONE : new Claim(Optional.of(job), false);
        }
    }

    /** How long a held-back delivery waits for a job of its lane to end on this worker before it is acked. */
    static final Duration HELD_BACK_WAIT = Duration.ofSeconds(1);

    private Batcher<Hint, Claim> batcher;
    private final LocalEnds local = new LocalEnds();
    /** Per lane, deliveries its controls held back that no wake-up has answered yet. */
    private final Map<String, AtomicInteger> heldBack = new ConcurrentHashMap<>();
    /** Per lane, the tenant the last fair claim served first: the next one starts after it. */
    private final Map<String, String> lastServed = new ConcurrentHashMap<>();

    @PostConstruct
    void start() {
        batcher = new Batcher<>("longhaul-claimer", 500, this::claimAll);
    }

    /**
     * Claims a job for the delivery under a new lease token; empty when none may start. Blocks until
     * done. A claim the lane's limit held back while jobs of the lane run on this worker waits (up
     * to {@link #HELD_BACK_WAIT}) for one of them to end, and claims again, until {@code stop}; a
     * claimed job's slice must end with {@link #ended}.
     */
    public Optional<Job> claim(UUID jobId, String lane, BooleanSupplier stop) {
        while (true) {
            long mark = local.mark(lane);
            Claim claim = Retries.join(batcher.offer(new Hint(jobId, lane)));
            if (claim.job().isPresent()) {
                local.started(lane);
                return claim.job();
            }
            if (!claim.heldBack()) return Optional.empty();
            if (stop.getAsBoolean() || controls.of(lane).paused() || !local.awaitEnd(lane, mark, HELD_BACK_WAIT)) {
                // acked without a claim: a job ending here, or the sweeper's pass, wakes the lane for it
                heldBack.computeIfAbsent(lane, l -> new AtomicInteger()).incrementAndGet();
                return Optional.empty();
            }
        }
    }

    /** Claims a job for the delivery; see {@link #claim(UUID, String, BooleanSupplier)}. */
    public Optional<Job> claim(UUID jobId, String lane) {
        return claim(jobId, lane, () -> false);
    }

    /** The slice of a job this worker claimed in the lane ended, its outcome recorded: its room is free. */
    void ended(String lane) {
        local.ended(lane);
    }

    private List<Claim> claimAll(List<Hint> hints) {
        Map<String, List<Integer>> byLane = new LinkedHashMap<>();
        for (int i = 0; i < hints.size(); i++) byLane.computeIfAbsent(hints.get(i).lane(), l -> new ArrayList<>()).add(i);
        List<Claim> results = new ArrayList<>(hints.size());
        for (int i = 0; i < hints.size(); i++) results.add(Claim.NONE);
        byLane.forEach((lane, indexes) -> {
            List<Hint> mine = indexes.stream().map(hints::get).toList();
            List<Claim> claimed = Retries.onConflict(() -> claimInLane(lane, mine));
            for (int k = 0; k < indexes.size(); k++) results.set(indexes.get(k), claimed.get(k));
        });
        return results;
    }

    private List<Claim> claimInLane(String lane, List<Hint> hints) throws SQLException {
        // a controlled lane always chooses, and fairly: with one tenant waiting that costs two index
        // probes, less than a look first
        if (controls.of(lane).active()) return chosen(lane, hints.size(), true);
        LaneClaims.Look look = lanes.look(lane);
        if (look.topPriority() > 0 || look.severalTenants()) return chosen(lane, hints.size(), look.severalTenants());
        List<Claim> results = claimEach(hints);
        int missed = (int) results.stream().filter(c -> c.job().isEmpty()).count();
        if (missed == 0 || !look.waiting()) return results;
        // a delivery whose job could not be claimed (a duplicate, or a job a chooser claim took
        // for another delivery) claims the lane's next job instead: every delivery claims something
        // while claimable work waits, so no waiting job is left without a message
        var next = chosen(lane, missed, false).iterator();
        for (int i = 0; i < results.size() && next.hasNext(); i++) {
            if (results.get(i).job().isEmpty()) results.set(i, next.next());
        }
        return results;
    }

    /** Claims up to {@code wanted} of the lane's next jobs, in turn across tenants when {@code fair}; one result per delivery. */
    private List<Claim> chosen(String lane, int wanted, boolean fair) throws SQLException {
        LaneClaims.Claimed claimed = lanes.next(lane, wanted, fair, lastServed.get(lane), leases.workerId(), config.lease());
        if (fair) served(lane, claimed.jobs());
        List<Claim> results = new ArrayList<>(wanted);
        for (Job job : claimed.jobs()) results.add(Claim.of(job));
        while (results.size() < wanted - claimed.heldBack()) results.add(Claim.NONE);
        while (results.size() < wanted) results.add(Claim.HELD_BACK);
        return results;
    }

    /**
     * Moves the lane's turn to the first tenant served: the next fair claim starts with the tenant
     * before it in name order (claims walk the tenants backwards, and around), so with one job
     * claimed at a time the waiting tenants take turns.
     */
    private void served(String lane, List<Job> jobs) {
        String after = lastServed.getOrDefault(lane, "");
        jobs.stream().map(Job::tenant)
                .min(Comparator.comparing((String t) -> t.compareTo(after) >= 0).thenComparing(Comparator.reverseOrder()))
                .ifPresent(first -> lastServed.put(lane, first));
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

    private List<Claim> claimEach(List<Hint> hints) throws SQLException {
        Map<UUID, Job> claimed = queries.claim(new LinkedHashSet<>(hints.stream().map(Hint::id).toList()),
                leases.workerId(), config.lease());
        Set<UUID> handedOut = new HashSet<>();
        List<Claim> results = new ArrayList<>(hints.size());
        for (Hint hint : hints) {
            // only the first delivery of a job in this batch owns the claim
            results.add(handedOut.add(hint.id()) ? Claim.of(claimed.get(hint.id())) : Claim.NONE);
        }
        return results;
    }

    @PreDestroy
    void stop() {
        batcher.close();
    }
}
