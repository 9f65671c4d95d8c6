package dev.longhaul.api.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.longhaul.api.access.Caller;
import dev.longhaul.api.access.Permits;
import dev.longhaul.core.artifact.ArtifactInfo;
import dev.longhaul.core.artifact.ArtifactStore;
import dev.longhaul.core.dispatch.JobPublisher;
import dev.longhaul.core.dispatch.JobRef;
import dev.longhaul.core.dispatch.Settler;
import dev.longhaul.core.job.Job;
import dev.longhaul.core.job.JobSpec;
import dev.longhaul.core.job.JobState;
import dev.longhaul.core.job.JobQueries;
import dev.longhaul.core.job.JobStore;
import dev.longhaul.core.job.IllegalTransitionException;
import dev.longhaul.core.job.Transition;
import dev.longhaul.core.kind.FieldError;
import dev.longhaul.core.kind.InvalidRequestException;
import dev.longhaul.core.kind.KindSpec;
import dev.longhaul.core.kind.Kinds;
import dev.longhaul.core.message.Lanes;
import dev.longhaul.core.tenant.Scope;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Accepting jobs: validate everything first, insert in one transaction, publish after commit.
 * A returned job is durable (its row committed); its message may still be on its way, and the
 * republisher covers the case where it never arrives.
 */
@ApplicationScoped
public class JobService {
    private static final int MAX_IDEMPOTENCY_KEY = 200;
    private static final String UNIQUE_VIOLATION = "23505";

    @Inject
    Kinds kinds;
    @Inject
    JobStore store;
    @Inject
    JobQueries queries;
    @Inject
    JobPublisher publisher;
    @Inject
    ObjectMapper mapper;
    @Inject
    Clock clock;
    @Inject
    ApiConfig config;
    @Inject
    ArtifactStore artifacts;
    @Inject
    Caller caller;
    @Inject
    Permits permits;
    @Inject
    Settler settler;
    @Inject
    JobEnds ends;

    /** The most jobs one job may depend on. */
    static final int MAX_DEPENDENCIES = 100;

    /** The outcome of a submit: the job, and whether it was an idempotent replay. */
    public record Submitted(Job job, boolean replayed) {
    }

    public Submitted submit(SubmitRequest request, String idempotencyKey) {
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY)) {
            throw new InvalidRequestException("Idempotency-Key", "must be 1 to " + MAX_IDEMPOTENCY_KEY + " characters");
        }
        JobSpec spec = validate(request, idempotencyKey, "");
        if (idempotencyKey != null) {
            Optional<Submitted> replay = replay(idempotencyKey, spec.requestHash());
            if (replay.isPresent()) return replay.get();
        }
        List<FieldError> unknown = unknownDependencies(spec.dependsOn(), knownJobs(spec.dependsOn()), "dependsOn");
        if (!unknown.isEmpty()) throw new InvalidRequestException(unknown);
        Job job = Job.submit(spec, caller.tenant(), caller.keyId(), clock);
        try {
            queries.insert(List.of(job), edges(job.id(), spec.dependsOn(), true));
        } catch (SQLException e) {
            // two requests raced with the same key: the unique constraint let one through
            if (idempotencyKey != null && UNIQUE_VIOLATION.equals(e.getSQLState())) {
                Optional<Submitted> replay = replay(idempotencyKey, spec.requestHash());
                if (replay.isPresent()) return replay.get();
            }
            throw new IllegalStateException("inserting the job: " + e.getMessage(), e);
        }
        if (job.toPublish()) {
            publisher.publishLater(List.of(new JobRef(job.id(), job.queue(), job.traceParent())));
        }
        if (job.state() == JobState.WAITING) {
            // its dependencies may have ended already, or one of them failed
            settler.settle(List.of(job.id()));
            return new Submitted(get(job.id().toString()), false);
        }
        return new Submitted(job, false);
    }

    private static List<JobQueries.Edge> edges(UUID job, List<UUID> dependsOn, boolean mustSucceed) {
        return dependsOn.stream().map(d -> new JobQueries.Edge(job, d, mustSucceed)).toList();
    }

    /** Which of {@code ids} name jobs the caller may see, in one query. */
    private Set<UUID> knownJobs(List<UUID> ids) {
        if (ids.isEmpty()) return java.util.Set.of();
        Scope scope = caller.scope();
        return QuarkusTransaction.requiringNew().call(() -> store.existing(ids, scope));
    }

    /** An error for each dependency that names no job the caller may see (a 400 naming each). */
    private static List<FieldError> unknownDependencies(List<UUID> ids, Set<UUID> known, String field) {
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            if (!known.contains(ids.get(i))) errors.add(new FieldError(field + "[" + i + "]", "no job " + ids.get(i)));
        }
        return errors;
    }

    /** The jobs of a batch, in request order, and its {@code then} job (or null). */
    public record BatchSubmitted(List<Job> jobs, Job then) {
    }

    public BatchSubmitted submitBatch(SubmitRequest.Batch batch) {
        if (batch.jobs() == null || batch.jobs().isEmpty()) {
            throw new InvalidRequestException("jobs", "must hold at least one job");
        }
        if (batch.jobs().size() > config.batchLimit()) {
            throw new InvalidRequestException("jobs", "holds " + batch.jobs().size()
                    + " jobs; the limit is " + config.batchLimit());
        }
        List<FieldError> errors = new ArrayList<>();
        List<JobSpec> specs = new ArrayList<>(batch.jobs().size());
        List<Integer> positions = new ArrayList<>(batch.jobs().size());
        for (int i = 0; i < batch.jobs().size(); i++) {
            try {
                specs.add(validate(batch.jobs().get(i), null, "jobs[" + i + "]"));
                positions.add(i);
            } catch (InvalidRequestException e) {
                errors.addAll(e.errors());
            }
        }
        // every job's dependencies looked up at once
        var known = knownJobs(specs.stream().flatMap(spec -> spec.dependsOn().stream()).distinct().toList());
        for (int k = 0; k < specs.size(); k++) {
            errors.addAll(unknownDependencies(specs.get(k).dependsOn(), known, "jobs[" + positions.get(k) + "].dependsOn"));
        }
        JobSpec thenSpec = null;
        if (batch.then() != null) {
            try {
                thenSpec = validate(new SubmitRequest(batch.then().kind(), batch.then().params(), null, null, null, null, null),
                        null, "then");
            } catch (InvalidRequestException e) {
                errors.addAll(e.errors());
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        List<Job> jobs = specs.stream().map(spec -> Job.submit(spec, caller.tenant(), caller.keyId(), clock)).toList();
        List<JobQueries.Edge> edges = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) edges.addAll(edges(jobs.get(i).id(), specs.get(i).dependsOn(), true));
        Job then = null;
        List<Job> all = jobs;
        if (thenSpec != null) {
            List<UUID> ids = jobs.stream().map(Job::id).toList();
            then = Job.submit(thenSpec.dependingOn(ids), caller.tenant(), caller.keyId(), clock);
            // it runs after every job of the batch has ended, whatever their states
            edges.addAll(edges(then.id(), ids, false));
            all = new ArrayList<>(jobs);
            all.add(then);
        }
        try {
            queries.insert(all, edges);
        } catch (SQLException e) {
            throw new IllegalStateException("inserting the jobs: " + e.getMessage(), e);
        }
        List<JobRef> due = jobs.stream().filter(Job::toPublish).map(j -> new JobRef(j.id(), j.queue(), j.traceParent())).toList();
        if (!due.isEmpty()) {
            publisher.publishLater(due);
        }
        List<UUID> waiting = all.stream().filter(j -> j.state() == JobState.WAITING).map(Job::id).toList();
        if (!waiting.isEmpty()) settler.settle(waiting);
        return new BatchSubmitted(jobs, then);
    }

    private Optional<Submitted> replay(String key, String hash) {
        return QuarkusTransaction.requiringNew().call(() -> store.findByIdempotencyKey(caller.tenant(), key)).map(existing -> {
            if (!hash.equals(existing.requestHash())) {
                throw new IdempotencyConflictException(key, existing.id());
            }
            return new Submitted(existing, true);
        });
    }

    /** Checks one request; errors are named under {@code prefix} (e.g. {@code jobs[3]}). */
    public JobSpec validate(SubmitRequest request, String idempotencyKey, String prefix) {
        if (request == null) {
            throw new InvalidRequestException(prefix.isEmpty() ? "body" : prefix, "must be a job object");
        }
        List<FieldError> errors = new ArrayList<>();
        KindSpec<?> kind = null;
        if (request.kind() == null || request.kind().isBlank()) {
            errors.add(new FieldError("kind", "is required; known kinds: " + kinds.names()));
        } else {
            kind = kinds.find(request.kind()).orElse(null);
            if (kind == null) {
                errors.add(new FieldError("kind", "'" + request.kind() + "' is not a known kind; known kinds: " + kinds.names()));
            }
        }
        if (kind != null) {
            permits.check(kind.name(), request.params());
            try {
                kinds.parse(kind, request.params());
                permits.checkUpload(kind.name(), request.params());
            } catch (InvalidRequestException e) {
                errors.addAll(e.errors());
            }
        }
        String queue = request.queue() != null ? request.queue() : kind != null ? kind.defaultQueue() : Lanes.DEFAULT;
        if (!Lanes.ALL.contains(queue)) {
            errors.add(new FieldError("queue", "'" + queue + "' is not a lane; lanes: " + Lanes.ALL));
        }
        int priority = request.priority() == null ? 0 : request.priority();
        if (priority < 0 || priority > 9) {
            errors.add(new FieldError("priority", "must be between 0 and 9"));
        }
        int maxAttempts = request.maxAttempts() != null ? request.maxAttempts()
                : kind != null ? kind.defaultMaxAttempts() : 1;
        if (maxAttempts < 1 || maxAttempts > 100) {
            errors.add(new FieldError("maxAttempts", "must be between 1 and 100"));
        }
        if (request.runAt() != null && (request.runAt().getYear() < 1970 || request.runAt().getYear() > 9999)) {
            errors.add(new FieldError("runAt", "must be a time in the years 1970 to 9999"));
        }
        if (request.timeoutSeconds() != null && (request.timeoutSeconds() < 1 || request.timeoutSeconds() > 604_800)) {
            errors.add(new FieldError("timeoutSeconds", "must be between 1 and 604800 (a week)"));
        }
        if (request.concurrencyKey() != null
                && (request.concurrencyKey().isBlank() || request.concurrencyKey().length() > 200)) {
            errors.add(new FieldError("concurrencyKey", "must be 1 to 200 characters"));
        }
        if (request.concurrencyLimit() != null) {
            if (request.concurrencyKey() == null) {
                errors.add(new FieldError("concurrencyLimit", "needs a concurrencyKey"));
            } else if (request.concurrencyLimit() < 1 || request.concurrencyLimit() > 1000) {
                errors.add(new FieldError("concurrencyLimit", "must be between 1 and 1000"));
            }
        }
        if (request.partitions() != null) {
            if (request.partitions() < 1 || request.partitions() > 64) {
                errors.add(new FieldError("partitions", "must be between 1 and 64"));
            } else if (kind != null && !kind.partitionable() && request.partitions() > 1) {
                errors.add(new FieldError("partitions", "kind '" + kind.name() + "' runs as one job; partitionable kinds: "
                        + kinds.names().stream().filter(n -> kinds.find(n).map(KindSpec::partitionable).orElse(false)).toList()));
            }
        }
        List<UUID> dependsOn = request.dependsOn() == null ? List.of() : request.dependsOn();
        if (dependsOn.size() > MAX_DEPENDENCIES) {
            errors.add(new FieldError("dependsOn", "names " + dependsOn.size() + " jobs; the limit is " + MAX_DEPENDENCIES));
        } else {
            for (int i = 0; i < dependsOn.size(); i++) {
                if (dependsOn.get(i) == null) errors.add(new FieldError("dependsOn[" + i + "]", "must be a job id"));
                else if (dependsOn.indexOf(dependsOn.get(i)) < i) errors.add(new FieldError("dependsOn[" + i + "]", "is named twice"));
            }
        }
        if (!dependsOn.isEmpty() && request.runAt() != null) {
            errors.add(new FieldError("runAt", "cannot be combined with dependsOn: a job with dependencies runs when they have succeeded"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(prefix.isEmpty() ? errors
                    : errors.stream().map(e -> e.prefixed(prefix)).toList());
        }
        JsonNode params = request.params() == null || request.params().isNull()
                ? mapper.createObjectNode() : request.params();
        return new JobSpec(request.kind(), params, queue, priority,
                request.runAt() == null ? null : request.runAt().toInstant(), maxAttempts,
                idempotencyKey, idempotencyKey == null ? null : hash(request), request.timeoutSeconds(),
                request.concurrencyKey(), request.concurrencyLimit(),
                request.partitions() == null || request.partitions() == 1 ? null : request.partitions(), dependsOn);
    }

    /** sha256 of the request with object keys sorted, so key order and whitespace don't matter. */
    private String hash(SubmitRequest request) {
        try {
            Object canonical = mapper.convertValue(request, Object.class);
            byte[] json = mapper.writer().with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                    .writeValueAsString(canonical).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The job, if the caller's tenant owns it (an admin sees every tenant's); else 404. */
    public Job get(String id) {
        UUID uuid = parseId(id);
        return QuarkusTransaction.requiringNew().call(() -> store.find(uuid, caller.scope()))
                .orElseThrow(() -> new JobNotFoundException(id));
    }

    /**
     * The job as soon as it has ended, or as it stands after {@code wait}. Woken by
     * {@link JobEnds} when the job may have ended, it reads the job again; it also reads it every
     * {@link JobEnds#RECHECK} without a notification. With {@code longhaul.api.max-waiters}
     * requests waiting already, it answers at once.
     */
    public Job awaitEnd(String id, Duration wait) {
        Job job = get(id);
        if (job.state().isFinished() || wait.isZero()) return job;
        long deadline = System.nanoTime() + wait.toNanos();
        JobEnds.Waiter waiter = ends.register(job.id());
        if (waiter == null) return job;
        try (waiter) {
            while (true) {
                // read after the waiter is registered, so an end from here on wakes it
                job = get(id);
                long left = deadline - System.nanoTime();
                if (job.state().isFinished() || left <= 0) return job;
                waiter.await(Math.min(left, JobEnds.RECHECK.toNanos()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return job;
        }
    }

    public Job cancel(String id) {
        UUID uuid = get(id).id();
        JobState after = QuarkusTransaction.requiringNew().call(() -> store.cancel(uuid, caller.scope()))
                .orElseThrow(() -> new JobNotFoundException(id));
        if (after == JobState.SUCCEEDED || after == JobState.FAILED) {
            throw new IllegalTransitionException(Transition.CANCEL, after);
        }
        // the jobs waiting for it (or for its children) may be cancelled in turn
        List<UUID> ended = new ArrayList<>(List.of(uuid));
        ended.addAll(QuarkusTransaction.requiringNew().call(() -> store.children(uuid)).stream().map(Job::id).toList());
        settler.settleWaitingFor(ended);
        return get(id);
    }

    /**
     * Re-queues a failed or cancelled job to start over, with fresh attempts; its partial output
     * goes. Anything else is a 409.
     */
    public Job retry(String id) {
        UUID uuid = parseId(id);
        Job job = QuarkusTransaction.requiringNew().call(() -> {
            Job before = store.find(uuid, caller.scope()).orElseThrow(() -> new JobNotFoundException(id));
            if (!store.retry(uuid, caller.scope())) throw new IllegalTransitionException(Transition.RETRY, before.state());
            store.deleteOutput(uuid);
            store.event(uuid, "retried", 0, null, "after " + before.state() + " on attempt " + before.attempt());
            return before;
        });
        publisher.publishLater(List.of(new JobRef(job.id(), job.queue(), job.traceParent())));
        return get(id);
    }

    public List<JobStore.Event> events(String id) {
        Job job = get(id);
        return QuarkusTransaction.requiringNew().call(() -> store.events(job.id()));
    }

    /** The job with its artifacts; a partitioned job's progress is its children's. */
    public JobView view(Job job) {
        return views(List.of(job)).getFirst();
    }

    /** Jobs with their artifacts and their children's progress, fetched for the whole page in one query each. */
    public List<JobView> views(List<Job> jobs) {
        var files = artifacts.list(jobs.stream().map(Job::id).toList());
        List<UUID> parents = jobs.stream().filter(j -> j.partitions() != null).map(Job::id).toList();
        var children = parents.isEmpty() ? Map.<UUID, JobStore.ChildProgress>of()
                : QuarkusTransaction.requiringNew().call(() -> store.childProgress(parents));
        return jobs.stream().map(j -> JobView.of(j, files.getOrDefault(j.id(), List.of()), progress(j, children.get(j.id()))))
                .toList();
    }

    /** A parent's progress from its children's, or null (the job's own) before it has any or once it ended. */
    private static JobView.Progress progress(Job job, JobStore.ChildProgress children) {
        if (children == null || job.state().isFinished()) return null;
        Long eta = children.total() != null && children.rate() != null && children.rate() > 0
                ? Math.max(0, Math.round((children.total() - children.done()) / children.rate())) : null;
        return new JobView.Progress(children.done(), children.total(), children.unit(), children.rate(), eta);
    }

    /** A complete artifact of a job, or 404 naming what is missing. */
    public ArtifactInfo artifact(String id, String name) {
        Job job = get(id);
        return artifacts.find(job.id(), name).filter(ArtifactInfo::complete)
                .orElseThrow(() -> new ArtifactNotFoundException(id, name));
    }

    /**
     * A page of the caller's jobs; an admin sees every tenant's, or one tenant's with
     * {@code tenant}. A tenant other than the caller's own narrows a non-admin's list to nothing.
     */
    public List<Job> list(String tenant, JobState state, String kind, UUID scheduleId, UUID parentId, UUID after, int limit) {
        Scope scope = caller.scope();
        if (tenant != null) {
            if (!Scope.validName(tenant)) throw new InvalidRequestException("tenant", "is not a tenant name");
            if (!scope.includes(tenant)) return List.of();
            scope = Scope.tenant(tenant);
        }
        Scope within = scope;
        return QuarkusTransaction.requiringNew().call(() -> store.list(within, state, kind, scheduleId, parentId, after, limit));
    }

    private static UUID parseId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new JobNotFoundException(id);
        }
    }
}
