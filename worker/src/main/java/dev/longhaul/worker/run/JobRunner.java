package dev.longhaul.worker.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.longhaul.core.sql.DatabaseErrors;
import dev.longhaul.core.tenant.Quotas;
import dev.longhaul.core.trace.Traces;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import dev.longhaul.core.dispatch.JobPublisher;
import dev.longhaul.core.dispatch.LaneWaker;
import dev.longhaul.core.dispatch.JobRef;
import dev.longhaul.core.chunk.KeyRange;
import dev.longhaul.core.dispatch.Settler;
import dev.longhaul.core.job.Job;
import dev.longhaul.core.job.JobState;
import dev.longhaul.core.job.JobStore;
import dev.longhaul.core.kind.InvalidRequestException;
import dev.longhaul.core.kind.Kinds;
import dev.longhaul.core.message.Lanes;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Runs one slice of one job: claim it under a new lease token ({@link Claimer}, in a batch with
 * other deliveries), run its handler outside any transaction, then record the outcome with an
 * update fenced on that token (a success through {@link Completer}, in a batch with others). PostgreSQL decides:
 * a job that cannot be claimed (finished, cancelled, or owned under a live lease) is left alone,
 * and the caller acks the delivery.
 */
@ApplicationScoped
public class JobRunner {
    private static final Logger LOG = Logger.getLogger(JobRunner.class);

    private final JobStore store;
    private final Kinds kinds;
    private final JobPublisher publisher;
    private final Leases leases;
    private final WorkerConfig config;
    private final Clock clock;
    private final RetryPolicy retryPolicy;
    private final Claimer claimer;
    private final Completer completer;
    private final JobMetrics metrics;
    private final Tracer tracer;
    private final LaneWaker waker;
    private final Partitions partitions;
    private final Settler settler;
    /** Each lane's slots: how many of its jobs may run at once. */
    private final Map<String, Semaphore> slots = new ConcurrentHashMap<>();
    private final Map<String, JobHandler<?>> handlers = new HashMap<>();

    /** How long a job of a kind this worker does not know waits before it is offered again. */
    static final Duration UNKNOWN_KIND_WAIT = Duration.ofSeconds(30);

    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean draining;

    @Inject
    public JobRunner(JobStore store, Kinds kinds, JobPublisher publisher, Leases leases, WorkerConfig config,
            RetryConfig retry, Clock clock, Claimer claimer, Completer completer, JobMetrics metrics, Tracer tracer,
            LaneWaker waker, Partitions partitions, Settler settler, Instance<JobHandler<?>> all) {
        this.partitions = partitions;
        this.settler = settler;
        this.tracer = tracer;
        this.waker = waker;
        this.claimer = claimer;
        this.completer = completer;
        this.metrics = metrics;
        Lanes.ALL.forEach(lane -> slots.put(lane, new Semaphore(config.concurrency(lane))));
        metrics.watchRunning(lane -> config.concurrency(lane) - slots.get(lane).availablePermits());
        this.store = store;
        this.kinds = kinds;
        this.publisher = publisher;
        this.leases = leases;
        this.config = config;
        this.clock = clock;
        this.retryPolicy = new RetryPolicy(retry.baseDelay(), retry.maxDelay(), new SecureRandom());
        for (JobHandler<?> handler : all) {
            handlers.put(handler.spec().name(), handler);
        }
    }

    /** What became of a delivery; for logs and tests. */
    public enum Result { DROPPED, SUCCEEDED, CONTINUED, SNOOZED, RETRYING, FAILED, CANCELLED, LOST_LEASE,
        /** A partitioned job's parent now waits for its children. */
        PARKED,
        /** Not run: the worker is draining; leave the delivery unacked for another worker. */
        DRAINING }

    /** Jobs running now. */
    public int running() {
        return running.get();
    }

    public boolean draining() {
        return draining;
    }

    /**
     * Ends every running slice at its next chunk (each checkpoints and re-queues its job, using no
     * attempt) and waits up to {@code grace} for them; returns how many were still running.
     */
    public int drain(Duration grace) throws InterruptedException {
        draining = true;
        Instant until = Instant.now().plus(grace);
        synchronized (running) {
            while (running.get() > 0) {
                long left = Duration.between(Instant.now(), until).toMillis();
                if (left <= 0) break;
                running.wait(left);
            }
        }
        return running.get();
    }

    /**
     * Runs one slice of the job, if it can be claimed. A slot of its lane's concurrency is held
     * from the claim until the handler returns; the outcome is recorded after the slot is freed,
     * so the next job starts while the last one's success is written with others.
     */
    public Result run(UUID delivered, String lane) {
        running.incrementAndGet();
        Slot slot = new Slot(this.slots.computeIfAbsent(lane, l -> new Semaphore(config.concurrency(l))));
        try {
            slot.take();
            // counted first, checked second: a drain that saw no running job sees no new one start
            if (draining) return Result.DRAINING;
            // usually the delivered job; in a controlled lane, or one with priorities, the lane's best
            Optional<Job> claimed = claimer.claim(delivered, lane, () -> draining);
            if (claimed.isEmpty()) {
                LOG.debugf("job %s: nothing to claim; delivery dropped", delivered);
                return Result.DROPPED;
            }
            Job job = claimed.get();
            // the slice continues the job's trace (its submit's, or its schedule fire's), and every
            // log line about it carries the job and trace ids
            Span span = tracer.spanBuilder("job " + job.kind()).setParent(Traces.context(job.traceParent()))
                    .setSpanKind(SpanKind.CONSUMER).setAttribute("longhaul.job.id", job.id().toString())
                    .setAttribute("longhaul.job.kind", job.kind()).setAttribute("longhaul.job.attempt", job.attempt())
                    .setAttribute("longhaul.lane", lane).startSpan();
            Result result = null;
            try (Scope traced = span.makeCurrent()) {
                MDC.put("jobId", job.id().toString());
                MDC.put("traceId", span.getSpanContext().getTraceId());
                result = counted(job, attempt(job, slot));
                return result;
            } finally {
                span.setAttribute("longhaul.result", result == null ? "error" : result.name().toLowerCase());
                if (result == null || result == Result.FAILED || result == Result.RETRYING) span.setStatus(StatusCode.ERROR);
                span.end();
                MDC.remove("jobId");
                MDC.remove("traceId");
                // a job left room in a lane whose controls held deliveries back: a delivery waiting here
                // takes it, or a worker is woken for the lane's next job
                claimer.ended(lane);
                if (claimer.takeHeldBack(lane)) waker.wake(lane, 1);
                // a job of a concurrency key made room for the key's next one (it may wait without a message)
                if (job.concurrencyKey() != null && result != Result.CONTINUED) waker.wakeKey(job.concurrencyKey());
                // jobs waiting for one that failed or was cancelled are settled now (a success, by the completer)
                if (result == Result.FAILED || result == Result.CANCELLED) settler.settleWaitingFor(List.of(job.id()));
            }
        } finally {
            slot.release();
            synchronized (running) {
                running.decrementAndGet();
                running.notifyAll();
            }
        }
    }

    /** One of a lane's slots for one delivery: given back at most once, whichever way the run ends. */
    private static final class Slot {
        private final Semaphore slots;
        private boolean held;

        Slot(Semaphore slots) {
            this.slots = slots;
        }

        void take() {
            acquireSlot(slots);
            held = true;
        }

        void release() {
            if (held) {
                held = false;
                slots.release();
            }
        }
    }

    /**
     * One slice of a claimed job, under its lease, and the outcome recorded; the slot is given back
     * as soon as the handler returns, before the outcome is written.
     */
    private Result attempt(Job job, Slot slot) {
        UUID token = job.leaseToken();
        Instant attemptDeadline = attemptDeadline(job);
        Instant claimedAt = clock.instant();
        if (!claimedAt.isBefore(attemptDeadline)) return failed(job, token, new AttemptTimeout(job, timeout(job)));
        metrics.started(job, claimedAt);
        leases.hold(job.id(), token, attemptDeadline);
        try {
            Outcome outcome = null;
            Throwable failure = null;
            try {
                outcome = runHandler(job, token, attemptDeadline);
            } catch (HandlerFailure f) {
                failure = f.getCause();
                Span.current().recordException(failure);
            }
            slot.release();
            Instant returned = clock.instant();
            metrics.ran(job, Duration.between(claimedAt, returned));
            if (failure != null) return failed(job, token, failure);
            if (outcome instanceof Outcome.Continue && !returned.isBefore(attemptDeadline)) {
                // the slice ended at the attempt's deadline, not the slice's: this attempt failed
                return failed(job, token, new AttemptTimeout(job, timeout(job)));
            }
            return finish(job, token, outcome);
        } finally {
            leases.release(job.id());
        }
    }

    /** Counts a slice's result in the job meters: finished states and retries. */
    private Result counted(Job job, Result result) {
        switch (result) {
            case SUCCEEDED -> {
                // one line per finished job, as task queues do; failures are logged where decided
                LOG.infof("job %s (%s) succeeded on attempt %d", job.id(), job.kind(), job.attempt());
                metrics.finished(job, "SUCCEEDED");
            }
            case FAILED -> metrics.finished(job, "FAILED");
            case CANCELLED -> {
                LOG.infof("job %s (%s) cancelled", job.id(), job.kind());
                metrics.finished(job, "CANCELLED");
            }
            case RETRYING -> metrics.retrying(job);
            default -> {
                // a slice that did not end its job
            }
        }
        return result;
    }

    private static void acquireSlot(Semaphore slots) {
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a free slot", e);
        }
    }

    /** The job's own timeout, or its kind's default. */
    private Duration timeout(Job job) {
        if (job.timeoutSeconds() != null) return Duration.ofSeconds(job.timeoutSeconds());
        JobHandler<?> handler = handlers.get(job.kind());
        return handler == null ? Duration.ofHours(1) : handler.spec().defaultTimeout();
    }

    private Instant attemptDeadline(Job job) {
        Instant start = job.attemptStartedAt() != null ? job.attemptStartedAt() : clock.instant();
        return start.plus(timeout(job));
    }

    /** An attempt that ran past its job's timeout; retryable like any failure. */
    static final class AttemptTimeout extends Exception {
        AttemptTimeout(Job job, Duration timeout) {
            super("attempt " + job.attempt() + " ran longer than its timeout of " + timeout.toSeconds() + " s");
        }
    }

    private Outcome runHandler(Job job, UUID token, Instant attemptDeadline) throws HandlerFailure {
        JobHandler<?> handler = handlers.get(job.kind());
        if (handler == null) {
            // a rolling upgrade: an older worker got a job of a newer kind; the job waits for a
            // worker that knows it, visibly (a "snoozed" event names why), and uses no attempt
            LOG.warnf("job %s: this worker has no handler for kind '%s'; it waits %d s for a worker that has one",
                    job.id(), job.kind(), UNKNOWN_KIND_WAIT.toSeconds());
            return new Outcome.Snooze(UNKNOWN_KIND_WAIT);
        }
        try {
            return invoke(handler, job, token, attemptDeadline);
        } catch (InvalidRequestException e) {
            throw new HandlerFailure(new Failure.Discard("invalid params: " + e.getMessage()));
        } catch (Throwable e) {
            // anything, out-of-memory errors included, ends the attempt and is recorded: the
            // delivery is acked, never left to kill the next worker the same way
            throw new HandlerFailure(e);
        }
    }

    private <P extends Record> Outcome invoke(JobHandler<P> handler, Job job, UUID token, Instant attemptDeadline)
            throws Exception {
        P params = kinds.parse(handler.spec(), job.params());
        Instant now = clock.instant();
        Instant sliceEnd = now.plus(config.slice());
        // the timeout is enforced at chunk boundaries: the slice ends no later than the attempt may
        var context = new JobContext<>(job.id(), job.kind(), token, params, job.attempt(), job.checkpoint(), job.startedAt(),
                Partitions.asOf(job),
                sliceEnd.isBefore(attemptDeadline) ? sliceEnd : attemptDeadline, clock,
                () -> leases.cancelRequested(job.id()), () -> draining, KeyRange.from(job.partition()),
                job.dependencyStates());
        if (job.partitions() != null && handler instanceof PartitionedHandler<P> partitioned) {
            return partitions.run(partitioned, context, job);
        }
        return handler.run(context);
    }

    private Result finish(Job job, UUID token, Outcome outcome) {
        return switch (outcome) {
            case Outcome.Done done -> {
                if (completer.succeed(job.id(), token, done.result())) yield Result.SUCCEEDED;
                LOG.warnf("job %s: lease lost before 'succeeded' could be recorded; another worker owns it now", job.id());
                yield Result.LOST_LEASE;
            }
            case Outcome.Cancelled ignored -> record(job, "cancelled", null,
                    () -> store.cancelOwned(job.id(), token), Result.CANCELLED);
            case Outcome.Parked ignored -> Result.PARKED;
            case Outcome.Snooze snooze -> {
                JsonNode checkpoint = snooze.checkpoint() != null ? snooze.checkpoint() : job.checkpoint();
                Instant runAt = clock.instant().plus(snooze.delay());
                Result result = record(job, "snoozed", "until " + runAt,
                        () -> store.snooze(job.id(), token, runAt, checkpoint), Result.SNOOZED);
                if (result == Result.LOST_LEASE && cancelledByUs(job)) {
                    QuarkusTransaction.requiringNew().run(() -> store.event(job.id(), "cancelled", job.attempt(), leases.workerId(), null));
                    result = Result.CANCELLED;
                }
                yield result;
            }
            case Outcome.Continue next -> {
                Result result = leases.cancelRequested(job.id())
                        ? record(job, "cancelled", null, () -> store.cancelOwned(job.id(), token), Result.CANCELLED)
                        : requeue(job, token, next);
                if (result == Result.CONTINUED) {
                    // marked to publish in the same commit: the republisher covers a lost message
                    publisher.publishLater(List.of(new JobRef(job.id(), job.queue())));
                }
                yield result;
            }
        };
    }

    /** Whether the job ended CANCELLED with no owner: a cancel that won over our own transition. */
    private boolean cancelledByUs(Job job) {
        return QuarkusTransaction.requiringNew().call(() -> store.find(job.id())
                .map(j -> j.state() == JobState.CANCELLED && j.leaseToken() == null).orElse(false));
    }

    /** Ends a slice: re-queued, or cancelled if a cancel request came in meanwhile. */
    private Result requeue(Job job, UUID token, Outcome.Continue next) {
        Boolean requeued = QuarkusTransaction.requiringNew().call(() -> {
            if (store.requeue(job.id(), token, next.checkpoint())) {
                store.event(job.id(), "requeued", job.attempt(), leases.workerId(), null);
                return true;
            }
            boolean cancelled = store.find(job.id()).map(j -> j.state() == JobState.CANCELLED && j.leaseToken() == null)
                    .orElse(false);
            if (cancelled) store.event(job.id(), "cancelled", job.attempt(), leases.workerId(), null);
            return cancelled ? Boolean.FALSE : null;
        });
        if (requeued == null) {
            LOG.warnf("job %s: lease lost before 'requeued' could be recorded; another worker owns it now", job.id());
            return Result.LOST_LEASE;
        }
        return requeued ? Result.CONTINUED : Result.CANCELLED;
    }

    private Result failed(Job job, UUID token, Throwable cause) {
        var database = DatabaseErrors.find(cause);
        boolean permanent = cause instanceof Failure.Discard
                // a quota stays full until someone frees space
                || cause instanceof Quotas.ExceededException
                // the same input fails the same way: a data or integrity error ends the job at once
                || database.map(DatabaseErrors::permanent).orElse(false)
                // a job that exhausted a worker's memory twice would do it again
                || (cause instanceof VirtualMachineError && job.attempt() >= 2);
        String error = cause instanceof Failure.Discard || cause instanceof AttemptTimeout
                || cause instanceof Quotas.ExceededException ? cause.getMessage()
                : database.isPresent() ? DatabaseErrors.describe(database.get())
                : cause instanceof VirtualMachineError ? cause.getClass().getSimpleName() + " on attempt " + job.attempt()
                        + (permanent ? "; not retried again" : "")
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        if (!permanent && job.attempt() < job.maxAttempts()) {
            Instant runAt = clock.instant().plus(retryPolicy.delay(job.attempt()));
            LOG.infof("job %s attempt %d failed, retrying at %s: %s", job.id(), job.attempt(), runAt, error);
            return record(job, "retrying", error, () -> store.backoff(job.id(), token, error, runAt), Result.RETRYING);
        }
        LOG.infof("job %s failed on attempt %d: %s", job.id(), job.attempt(), error);
        return record(job, "failed", error, () -> store.fail(job.id(), token, error), Result.FAILED);
    }

    private Result record(Job job, String event, String detail, BooleanSupplier transition, Result ok) {
        boolean applied = QuarkusTransaction.requiringNew().call(() -> {
            if (!transition.getAsBoolean()) return false;
            store.event(job.id(), event, job.attempt(), leases.workerId(), detail);
            return true;
        });
        if (!applied) {
            LOG.warnf("job %s: lease lost before '%s' could be recorded; another worker owns it now", job.id(), event);
            return Result.LOST_LEASE;
        }
        return ok;
    }

    /** A handler's exception, carried to the failure path. */
    static final class HandlerFailure extends Exception {
        HandlerFailure(Throwable cause) {
            super(cause);
        }
    }
}
