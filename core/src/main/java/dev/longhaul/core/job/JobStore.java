package dev.longhaul.core.job;

import com.fasterxml.jackson.databind.JsonNode;
import dev.longhaul.core.tenant.Scope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Every change of one job's state, as a guarded update in HQL. Each verb is one UPDATE whose WHERE
 * clause binds the from-states of its {@link Transition} (the table is the guard; no state is
 * written as a literal), and for a running job the owner's lease token, so the row count says
 * whether the move happened: 0 means "someone else got there first, or the job is not in a state
 * that allows it". Callers own the transaction. The batch forms of the hot path and the statements
 * a chunk runs on its own connection are in {@link JobQueries}; the sweeper's and the purge's in
 * {@link JobMaintenance}. No statement on {@code longhaul.job} lives outside this package.
 */
@ApplicationScoped
public class JobStore {
    @Inject
    EntityManager em;
    @Inject
    Clock clock;

    public Optional<Job> find(UUID id) {
        return Optional.ofNullable(em.find(Job.class, id));
    }

    /** The job, if it is in {@code scope}: another tenant's job is as absent as a missing one. */
    public Optional<Job> find(UUID id, Scope scope) {
        return find(id).filter(job -> scope.includes(job.tenant()));
    }

    /** The tenant's job submitted with this idempotency key (keys are unique per tenant). */
    public Optional<Job> findByIdempotencyKey(String tenant, String key) {
        return em.createQuery("from Job where tenant = :tenant and idempotencyKey = :key", Job.class)
                .setParameter("tenant", tenant)
                .setParameter("key", key)
                .getResultStream().findFirst();
    }

    public void insert(Job job) {
        em.persist(job);
    }

    /**
     * A page of the jobs in {@code scope}, newest first. Keyset pagination on the UUIDv7 id:
     * {@code after} is the last id of the previous page. Uses {@code job_tenant_id_idx},
     * {@code job_state_id_idx} or {@code job_kind_id_idx}.
     */
    public List<Job> list(Scope scope, JobState state, String kind, UUID scheduleId, UUID after, int limit) {
        return list(scope, state, kind, scheduleId, null, after, limit);
    }

    /** As {@link #list(Scope, JobState, String, UUID, UUID, int)}, and the children of {@code parentId} only, if given. */
    public List<Job> list(Scope scope, JobState state, String kind, UUID scheduleId, UUID parentId, UUID after, int limit) {
        StringBuilder hql = new StringBuilder("from Job where 1 = 1");
        String tenant = scope.only().orElse(null);
        if (tenant != null) hql.append(" and tenant = :tenant");
        if (state != null) hql.append(" and state = :state");
        if (kind != null) hql.append(" and kind = :kind");
        if (scheduleId != null) hql.append(" and scheduleId = :scheduleId");
        if (parentId != null) hql.append(" and parentId = :parentId");
        if (after != null) hql.append(" and id < :after");
        hql.append(" order by id desc");
        var query = em.createQuery(hql.toString(), Job.class).setMaxResults(limit);
        if (tenant != null) query.setParameter("tenant", tenant);
        if (state != null) query.setParameter("state", state);
        if (kind != null) query.setParameter("kind", kind);
        if (scheduleId != null) query.setParameter("scheduleId", scheduleId);
        if (parentId != null) query.setParameter("parentId", parentId);
        if (after != null) query.setParameter("after", after);
        return query.getResultList();
    }

    /**
     * {@link Transition#CLAIM}: QUEUED to RUNNING under a new lease token. A RUNNING job whose
     * lease has expired may be claimed too, as a {@link Transition#REQUEUE} and a claim in one
     * move: its owner is presumed dead, and the new token fences it off. The attempt counter moves
     * only when a run starts afresh, not on a continuation.
     *
     * @return true when this caller now owns the job
     */
    public boolean claim(UUID id, UUID token, String owner, Duration lease) {
        Instant now = clock.instant();
        int rows = em.createQuery("""
                update Job set state = :to, leaseToken = :token, leaseOwner = :owner,
                    leaseExpiresAt = :expires, startedAt = coalesce(startedAt, :now),
                    attemptStartedAt = case when resume = true and state in :from then coalesce(attemptStartedAt, :now) else :now end,
                    attempt = case when resume = true and state in :from then attempt else attempt + 1 end,
                    resume = false, toPublish = false, version = version + 1
                where id = :id and cancelRequested = false and runAt <= :now
                  and (state in :from or (state in :expirable and leaseExpiresAt < :now and attempt < maxAttempts))""")
                .setParameter("to", Transition.CLAIM.to())
                .setParameter("token", token)
                .setParameter("owner", owner)
                .setParameter("expires", now.plus(lease))
                .setParameter("now", now)
                .setParameter("id", id)
                .setParameter("from", Transition.CLAIM.from())
                .setParameter("expirable", Transition.REQUEUE.from())
                .executeUpdate();
        return rows == 1;
    }

    /** {@link Transition#SUCCEED}, fenced on the lease token. */
    public boolean succeed(UUID id, UUID token, JsonNode result) {
        return finishOwned(Transition.SUCCEED, id, token, result, null);
    }

    /** {@link Transition#FAIL}, fenced on the lease token: the job keeps its error. */
    public boolean fail(UUID id, UUID token, String error) {
        return finishOwned(Transition.FAIL, id, token, null, error);
    }

    /** {@link Transition#CANCEL} by the owner, honouring a cancel request at a chunk boundary. */
    public boolean cancelOwned(UUID id, UUID token) {
        return finishOwned(Transition.CANCEL, id, token, null, null);
    }

    private boolean finishOwned(Transition t, UUID id, UUID token, JsonNode result, String error) {
        Instant now = clock.instant();
        int rows = em.createQuery("""
                update Job set state = :to, result = :result, error = coalesce(:error, error),
                    finishedAt = :now, leaseToken = null, leaseOwner = null, leaseExpiresAt = null,
                    version = version + 1
                where id = :id and leaseToken = :token and state in :from""")
                .setParameter("to", t.to())
                .setParameter("result", result)
                .setParameter("error", error)
                .setParameter("now", now)
                .setParameter("id", id)
                .setParameter("token", token)
                .setParameter("from", t.from())
                .executeUpdate();
        return rows == 1;
    }

    /**
     * {@link Transition#BACKOFF}: a retryable error with attempts left. The job waits in
     * SCHEDULED until {@code runAt}; the promoter then queues it again.
     */
    public boolean backoff(UUID id, UUID token, String error, Instant runAt) {
        int rows = em.createQuery("""
                update Job set state = :to, error = :error, runAt = :runAt, resume = false,
                    leaseToken = null, leaseOwner = null, leaseExpiresAt = null, version = version + 1
                where id = :id and leaseToken = :token and state in :from""")
                .setParameter("to", Transition.BACKOFF.to())
                .setParameter("error", error)
                .setParameter("runAt", runAt)
                .setParameter("id", id)
                .setParameter("token", token)
                .setParameter("from", Transition.BACKOFF.from())
                .executeUpdate();
        return rows == 1;
    }

    /**
     * {@link Transition#BACKOFF} without a failure: the handler asked to run again at {@code runAt},
     * from {@code checkpoint}. It uses no attempt: the next claim continues the current one. A
     * cancel request that arrived meanwhile ends the job {@code CANCELLED} instead.
     *
     * @return true if the job was snoozed, false if it was cancelled or the lease was lost
     */
    public boolean snooze(UUID id, UUID token, Instant runAt, JsonNode checkpoint) {
        // a cancel request that came in meanwhile wins, as for a requeue
        if (cancelIfRequested(id, token, checkpoint)) return false;
        // the attempt's timeout clock starts again when it wakes: the snooze is not running time
        int rows = em.createQuery("""
                update Job set state = :to, runAt = :runAt, checkpoint = :checkpoint, resume = true, attemptStartedAt = null,
                    leaseToken = null, leaseOwner = null, leaseExpiresAt = null, version = version + 1
                where id = :id and leaseToken = :token and state in :from""")
                .setParameter("to", Transition.BACKOFF.to())
                .setParameter("runAt", runAt)
                .setParameter("checkpoint", checkpoint)
                .setParameter("id", id)
                .setParameter("token", token)
                .setParameter("from", Transition.BACKOFF.from())
                .executeUpdate();
        return rows == 1;
    }

    /**
     * {@link Transition#RETRY}: a person re-queues a failed or cancelled job. It starts over, with
     * its attempts counted afresh; the caller removes its partial output and publishes it.
     */
    public boolean retry(UUID id, Scope scope) {
        int rows = scope.bind(em.createQuery("""
                update Job set state = :to, attempt = 0, resume = false, checkpoint = null, result = null, error = null,
                    cancelRequested = false, finishedAt = null, runAt = :now, enqueuedAt = :now, toPublish = true,
                    progressDone = 0, progressTotal = null, progressRate = null, version = version + 1
                where id = :id and state in :from and """ + Scope.predicate("tenant")))
                .setParameter("to", Transition.RETRY.to())
                .setParameter("now", clock.instant())
                .setParameter("id", id)
                .setParameter("from", Transition.RETRY.from())
                .executeUpdate();
        return rows == 1;
    }

    /** {@link Transition#CANCEL} by the owner, if a cancel request is on the job; keeps the checkpoint. */
    private boolean cancelIfRequested(UUID id, UUID token, JsonNode checkpoint) {
        return em.createQuery("""
                update Job set state = :cancelled, checkpoint = :checkpoint, finishedAt = :now, toPublish = false,
                    leaseToken = null, leaseOwner = null, leaseExpiresAt = null, version = version + 1
                where id = :id and leaseToken = :token and state in :from and cancelRequested = true""")
                .setParameter("cancelled", Transition.CANCEL.to())
                .setParameter("checkpoint", checkpoint)
                .setParameter("now", clock.instant())
                .setParameter("id", id)
                .setParameter("token", token)
                .setParameter("from", Transition.CANCEL.from())
                .executeUpdate() == 1;
    }

    /**
     * {@link Transition#REQUEUE}: the owner ends a slice and hands the job back with its
     * checkpoint. The job is marked to publish; the caller publishes the continuation after commit.
     * A cancel request that arrived during the slice wins: the job ends {@code CANCELLED} instead
     * ({@link Transition#CANCEL}), since no claim would ever take a flagged job again.
     *
     * @return true if the job was re-queued, false if it was cancelled or the lease was lost
     */
    public boolean requeue(UUID id, UUID token, JsonNode checkpoint) {
        Instant now = clock.instant();
        if (cancelIfRequested(id, token, checkpoint)) return false;
        int rows = em.createQuery("""
                update Job set state = :to, checkpoint = :checkpoint, enqueuedAt = :now, toPublish = true, resume = true,
                    leaseToken = null, leaseOwner = null, leaseExpiresAt = null, version = version + 1
                where id = :id and leaseToken = :token and state in :from""")
                .setParameter("to", Transition.REQUEUE.to())
                .setParameter("checkpoint", checkpoint)
                .setParameter("now", now)
                .setParameter("id", id)
                .setParameter("token", token)
                .setParameter("from", Transition.REQUEUE.from())
                .executeUpdate();
        return rows == 1;
    }

    /**
     * {@link Transition#CANCEL} from outside: a job nobody owns ends at once; an owned one (a state
     * its owner {@link Transition#CHECKPOINT}s from) gets its cancel flag, which the owner honours
     * at the next chunk. A partitioned job's children are cancelled with it.
     *
     * @return the state the job is in afterwards, or empty if there is no such job in {@code scope}
     */
    public Optional<JobState> cancel(UUID id, Scope scope) {
        Instant now = clock.instant();
        Set<JobState> owned = Transition.fromEvery(Transition.CANCEL, Transition.CHECKPOINT);
        Set<JobState> unowned = EnumSet.copyOf(Transition.CANCEL.from());
        unowned.removeAll(owned);
        scope.bind(em.createQuery("""
                update Job set state = :to, finishedAt = :now, toPublish = false, version = version + 1
                where (id = :id or parentId = :id) and state in :unowned and """ + Scope.predicate("tenant")))
                .setParameter("to", Transition.CANCEL.to())
                .setParameter("now", now)
                .setParameter("id", id)
                .setParameter("unowned", unowned)
                .executeUpdate();
        scope.bind(em.createQuery("""
                update Job set cancelRequested = true, version = version + 1
                where (id = :id or parentId = :id) and state in :owned and """ + Scope.predicate("tenant")))
                .setParameter("id", id)
                .setParameter("owned", owned)
                .executeUpdate();
        em.clear();
        return find(id, scope).map(Job::state);
    }

    /** Which of {@code ids} name jobs in {@code scope}. */
    public Set<UUID> existing(List<UUID> ids, Scope scope) {
        if (ids.isEmpty()) return Set.of();
        return Set.copyOf(scope.bind(em.createQuery("select id from Job where id in :ids and " + Scope.predicate("tenant"), UUID.class))
                .setParameter("ids", ids).getResultList());
    }

    /**
     * A partitioned job's progress: the sum of its children's. {@code total} is null while any
     * child's is unknown; {@code rate} sums the running children's.
     */
    public record ChildProgress(long done, Long total, String unit, Double rate) {
    }

    /** The progress of each of {@code parents} that has children, from its children's, in one query. */
    public Map<UUID, ChildProgress> childProgress(List<UUID> parents) {
        Map<UUID, ChildProgress> progress = new HashMap<>();
        if (parents.isEmpty()) return progress;
        List<?> rows = em.createNativeQuery("""
                select parent_id, sum(progress_done), case when bool_and(progress_total is not null) then sum(progress_total) end,
                    max(progress_unit), sum(progress_rate) filter (where state = ?2)
                from longhaul.job where parent_id = any(?1) group by parent_id""")
                .setParameter(1, parents.toArray(UUID[]::new))
                .setParameter(2, Transition.CHECKPOINT.from().iterator().next().name())
                .getResultList();
        for (Object row : rows) {
            Object[] r = (Object[]) row;
            progress.put((UUID) r[0], new ChildProgress(((Number) r[1]).longValue(),
                    r[2] == null ? null : ((Number) r[2]).longValue(), (String) r[3],
                    r[4] == null ? null : ((Number) r[4]).doubleValue()));
        }
        return progress;
    }

    /** The children of a partitioned job, oldest first. */
    public List<Job> children(UUID parentId) {
        return em.createQuery("from Job where parentId = :parentId order by id", Job.class)
                .setParameter("parentId", parentId).getResultList();
    }

    /** Whether a job of the schedule has not ended yet (for the schedule's overlap policy). */
    public boolean hasActiveJob(UUID scheduleId) {
        return !em.createQuery("select 1 from Job where scheduleId = :scheduleId and state in :active", Integer.class)
                .setParameter("scheduleId", scheduleId)
                .setParameter("active", JobState.active())
                .setMaxResults(1)
                .getResultList().isEmpty();
    }

    /** Appends to the job's history. */
    public void event(UUID jobId, String type, int attempt, String worker, String detail) {
        em.createNativeQuery("""
                insert into longhaul.job_event (job_id, at, type, attempt, worker, detail)
                values (?1, ?2, ?3, ?4, cast(?5 as text), cast(?6 as text))""")
                .setParameter(1, jobId)
                .setParameter(2, clock.instant())
                .setParameter(3, type)
                .setParameter(4, attempt)
                .setParameter(5, worker)
                .setParameter(6, detail)
                .executeUpdate();
    }

    /** One entry of a job's history. */
    public record Event(Instant at, String type, int attempt, String worker, String detail) {
    }

    /** The job's history, oldest first. */
    public List<Event> events(UUID jobId) {
        List<?> rows = em.createNativeQuery("""
                select at, type, attempt, worker, detail from longhaul.job_event where job_id = ?1 order by id""")
                .setParameter(1, jobId)
                .getResultList();
        return rows.stream().map(r -> (Object[]) r).map(r -> new Event(instant(r[0]), (String) r[1],
                ((Number) r[2]).intValue(), (String) r[3], (String) r[4])).toList();
    }

    /** Removes the job's partial output (its artifacts), before a retry starts it over. */
    public void deleteOutput(UUID jobId) {
        em.createNativeQuery("delete from longhaul.artifact where job_id = ?1").setParameter(1, jobId).executeUpdate();
    }

    private static Instant instant(Object value) {
        return switch (value) {
            case Instant i -> i;
            case java.time.OffsetDateTime o -> o.toInstant();
            case java.sql.Timestamp t -> t.toInstant();
            default -> throw new IllegalStateException("not a timestamp: " + value);
        };
    }
}
