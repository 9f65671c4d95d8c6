package dev.longhaul.core.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The job row's statements for many jobs at once, in plain JDBC: the hot path of dispatch (insert
 * a batch, claim deliveries, record successes, clear publish markers, renew leases), and the running
 * jobs of every worker. Each method is one statement in its own transaction (autocommit), so a
 * batch costs one round trip and one commit however many jobs it holds. Like {@link JobStore},
 * every state change binds its from-states from {@link Transition}, and every owner's change is
 * fenced on the lease token: a job whose fence fails is left out of the result, and only that job.
 * The statements a chunk runs on its own connection are in {@link LeaseQueries}.
 *
 * <p>Locking: statements that lock several job rows take them in id order (their arrays are sorted
 * here, and read by a nested loop in that order), or skip locked rows, so two batches over the same
 * jobs do not deadlock; a deadlock the planner might still make is a transient error, for the
 * caller to retry. Thread-safe.
 */
@ApplicationScoped
public class JobQueries {
    private static final String INSERT = """
            insert into longhaul.job (id, kind, queue, priority, state, params, max_attempts, run_at, created_at,
                enqueued_at, idempotency_key, request_hash, to_publish, timeout_seconds, tenant, submitted_by, trace_parent,
                concurrency_key, concurrency_limit, partitions, parent_id, partition)
            select u.id, u.kind, u.queue, u.priority, u.state, cast(u.params as jsonb), u.max_attempts,
                cast(u.run_at as timestamptz), cast(u.created_at as timestamptz), cast(u.enqueued_at as timestamptz),
                u.idempotency_key, u.request_hash, u.to_publish, u.timeout_seconds, u.tenant, u.submitted_by, u.trace_parent,
                u.concurrency_key, u.concurrency_limit, u.partitions, u.parent_id, cast(u.partition as jsonb)
            from unnest(?::uuid[], ?::text[], ?::text[], ?::int2[], ?::text[], ?::text[], ?::int4[], ?::text[],
                        ?::text[], ?::text[], ?::text[], ?::text[], ?::bool[], ?::int4[], ?::text[], ?::uuid[], ?::text[],
                        ?::text[], ?::int4[], ?::int2[], ?::uuid[], ?::text[])
                 as u(id, kind, queue, priority, state, params, max_attempts, run_at, created_at, enqueued_at,
                      idempotency_key, request_hash, to_publish, timeout_seconds, tenant, submitted_by, trace_parent,
                      concurrency_key, concurrency_limit, partitions, parent_id, partition)""";
    private static final String INSERT_EDGES = """
            insert into longhaul.job_dependency (job_id, depends_on, must_succeed)
            select * from unnest(?::uuid[], ?::uuid[], ?::bool[])""";

    /**
     * {@link Transition#CLAIM} for many deliveries (or {@link Transition#REQUEUE} and a claim, for a
     * job whose lease expired): see {@link JobStore#claim}, of which this is the batch form. Each
     * claimed job gets its own new lease token, and its "claimed" (or, with a checkpoint,
     * "resumed") event in the same statement.
     */
    static final String CLAIM_SET = """
                update longhaul.job j set state = ?, lease_token = gen_random_uuid(), lease_owner = ?,
                    lease_expires_at = ?, started_at = coalesce(j.started_at, ?),
                    attempt_started_at = case when j.resume and j.state = any(?) then coalesce(j.attempt_started_at, ?) else ? end,
                    attempt = case when j.resume and j.state = any(?) then j.attempt else j.attempt + 1 end,
                    resume = false, to_publish = false, version = j.version + 1
            """;
    static final String CLAIM_EVENTS = """
            ), events as (
                insert into longhaul.job_event (job_id, at, type, attempt, worker)
                select id, ?, case when checkpoint is null then 'claimed' else 'resumed' end, attempt, ? from claimed
            )
            select * from claimed""";
    /**
     * A job with a concurrency key starts only while fewer than its limit of the key's jobs run.
     * {@code longhaul.concurrency_key_room} (V27) takes the key's advisory lock, held to the end of
     * the claiming transaction, so claims of one key take turns across workers; a claim that finds
     * the lock taken leaves the job for a later one. It then counts the key's running jobs with a
     * snapshot of its own, taken after the lock: the statement's snapshot, taken before, could miss
     * a claim committed while it waited, and two claims of one key both started.
     */
    static final String KEY_ROOM = """
                  and (j.concurrency_key is null or longhaul.concurrency_key_room(j.concurrency_key, j.concurrency_limit))
            """;
    /**
     * The state a lane's next jobs wait in, written out (not bound) so that the planner uses
     * {@code job_queued_priority_idx}; it is {@link Transition#CLAIM}'s only from-state, and the
     * claiming update checks the from-states again.
     */
    static final String CLAIMABLE = single(Transition.CLAIM.from()).name();

    private static JobState single(java.util.Set<JobState> states) {
        if (states.size() != 1) throw new IllegalStateException("expected one state, got " + states);
        return states.iterator().next();
    }
    private static final String CLAIM = """
            with hinted as (
                -- at most one job per concurrency key in one statement: its count cannot see the statement's own claims
                select distinct on (coalesce(h.concurrency_key, h.id::text)) h.id
                from longhaul.job h join unnest(?::uuid[]) as u(id) on h.id = u.id
                order by coalesce(h.concurrency_key, h.id::text), h.priority desc, h.id
            ), claimed as (""" + CLAIM_SET + """
                from hinted u
                where j.id = u.id and not j.cancel_requested and j.run_at <= ?
                  and (j.state = any(?) or (j.state = any(?) and j.lease_expires_at < ? and j.attempt < j.max_attempts))
            """ + KEY_ROOM + """
                returning j.*
            """ + CLAIM_EVENTS;

    /** {@link Transition#SUCCEED} for many jobs, each fenced on its own lease token, with its event. */
    private static final String SUCCEED = """
            with done as (
                update longhaul.job j set state = ?, result = cast(u.result as jsonb), finished_at = ?,
                    lease_token = null, lease_owner = null, lease_expires_at = null, version = j.version + 1
                from unnest(?::uuid[], ?::uuid[], ?::text[]) as u(id, token, result)
                where j.id = u.id and j.lease_token = u.token and j.state = any(?)
                returning j.id, j.attempt
            ), events as (
                insert into longhaul.job_event (job_id, at, type, attempt, worker)
                select id, ?, 'succeeded', attempt, ? from done
            )
            select id, exists (select 1 from longhaul.job_dependency d where d.depends_on = done.id) from done""";

    /**
     * Clears the publish marker of confirmed jobs. Rows locked right now are skipped: a claim is
     * clearing the marker itself, and otherwise the republisher sends the job once more, which is
     * harmless.
     */
    private static final String MARK_PUBLISHED = """
            update longhaul.job set to_publish = false
            where id in (select id from longhaul.job where id = any(?) and to_publish order by id for update skip locked)""";

    /**
     * Renews the leases a worker holds, from the states its owner may {@link Transition#CHECKPOINT}
     * in; returns each renewed job with its cancel flag.
     */
    private static final String RENEW = """
            update longhaul.job j set lease_expires_at = ?
            from unnest(?::uuid[], ?::uuid[]) as u(id, token)
            where j.id = u.id and j.lease_token = u.token and j.state = any(?)
            returning j.id, j.cancel_requested""";

    /** The jobs each worker holds a lease on, oldest first. */
    private static final String HELD_BY_OWNER = """
            select lease_owner, array_agg(id order by started_at) from longhaul.job
            where state = any(?) and lease_owner is not null group by lease_owner""";

    /** PostgreSQL's order of uuids (unsigned, byte by byte), in which batches lock their rows. */
    private static final Comparator<UUID> LOCK_ORDER = Comparator
            .comparing(UUID::getMostSignificantBits, Long::compareUnsigned)
            .thenComparing(UUID::getLeastSignificantBits, Long::compareUnsigned);

    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;
    @Inject
    Clock clock;

    /** Inserts new jobs (made by {@link Job#submit}) in one statement: all or none. */
    public void insert(List<Job> jobs) throws SQLException {
        insert(jobs, List.of());
    }

    /** One edge of the dependency graph: {@code job} waits for {@code dependsOn}. */
    public record Edge(UUID job, UUID dependsOn, boolean mustSucceed) {
    }

    /** Inserts new jobs and the edges of those that wait, in one transaction: all or none. */
    public void insert(List<Job> jobs, List<Edge> edges) throws SQLException {
        if (jobs.isEmpty()) return;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                insert(c, jobs, edges);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Inserts jobs and edges on the caller's connection, in its transaction. */
    public void insert(Connection c, List<Job> jobs, List<Edge> edges) throws SQLException {
        int n = jobs.size();
        UUID[] ids = new UUID[n], parents = new UUID[n];
        String[] kinds = new String[n], queues = new String[n], states = new String[n], params = new String[n],
                runAt = new String[n], createdAt = new String[n], enqueuedAt = new String[n], keys = new String[n],
                hashes = new String[n], tenants = new String[n], traceParents = new String[n], concurrencyKeys = new String[n],
                partition = new String[n];
        Integer[] keyLimits = new Integer[n];
        UUID[] submitters = new UUID[n];
        Short[] priorities = new Short[n], partitions = new Short[n];
        Integer[] maxAttempts = new Integer[n], timeouts = new Integer[n];
        Boolean[] toPublish = new Boolean[n];
        for (int i = 0; i < n; i++) {
            Job job = jobs.get(i);
            ids[i] = job.id();
            kinds[i] = job.kind();
            queues[i] = job.queue();
            priorities[i] = (short) job.priority();
            states[i] = job.state().name();
            params[i] = text(job.params());
            maxAttempts[i] = job.maxAttempts();
            runAt[i] = text(job.runAt());
            createdAt[i] = text(job.createdAt());
            enqueuedAt[i] = text(job.enqueuedAt());
            keys[i] = job.idempotencyKey();
            hashes[i] = job.requestHash();
            toPublish[i] = job.toPublish();
            timeouts[i] = job.timeoutSeconds();
            tenants[i] = job.tenant();
            submitters[i] = job.submittedBy();
            traceParents[i] = job.traceParent();
            concurrencyKeys[i] = job.concurrencyKey();
            keyLimits[i] = job.concurrencyLimit();
            partitions[i] = job.partitions() == null ? null : job.partitions().shortValue();
            parents[i] = job.parentId();
            partition[i] = text(job.partition());
        }
        try (PreparedStatement s = c.prepareStatement(INSERT)) {
            s.setArray(1, c.createArrayOf("uuid", ids));
            s.setArray(2, c.createArrayOf("text", kinds));
            s.setArray(3, c.createArrayOf("text", queues));
            s.setArray(4, c.createArrayOf("int2", priorities));
            s.setArray(5, c.createArrayOf("text", states));
            s.setArray(6, c.createArrayOf("text", params));
            s.setArray(7, c.createArrayOf("int4", maxAttempts));
            s.setArray(8, c.createArrayOf("text", runAt));
            s.setArray(9, c.createArrayOf("text", createdAt));
            s.setArray(10, c.createArrayOf("text", enqueuedAt));
            s.setArray(11, c.createArrayOf("text", keys));
            s.setArray(12, c.createArrayOf("text", hashes));
            s.setArray(13, c.createArrayOf("bool", toPublish));
            s.setArray(14, c.createArrayOf("int4", timeouts));
            s.setArray(15, c.createArrayOf("text", tenants));
            s.setArray(16, c.createArrayOf("uuid", submitters));
            s.setArray(17, c.createArrayOf("text", traceParents));
            s.setArray(18, c.createArrayOf("text", concurrencyKeys));
            s.setArray(19, c.createArrayOf("int4", keyLimits));
            s.setArray(20, c.createArrayOf("int2", partitions));
            s.setArray(21, c.createArrayOf("uuid", parents));
            s.setArray(22, c.createArrayOf("text", partition));
            s.executeUpdate();
        }
        if (edges.isEmpty()) return;
        try (PreparedStatement s = c.prepareStatement(INSERT_EDGES)) {
            s.setArray(1, c.createArrayOf("uuid", edges.stream().map(Edge::job).toArray()));
            s.setArray(2, c.createArrayOf("uuid", edges.stream().map(Edge::dependsOn).toArray()));
            s.setArray(3, c.createArrayOf("bool", edges.stream().map(Edge::mustSucceed).toArray()));
            s.executeUpdate();
        }
    }

    /**
     * Claims the given jobs for {@code owner}, each under a new lease token. Returns the jobs
     * claimed, as they are now; the others were not claimable (finished, cancelled, not yet due,
     * or owned under a live lease).
     */
    public Map<UUID, Job> claim(Collection<UUID> ids, String owner, Duration lease) throws SQLException {
        Instant now = clock.instant();
        Map<UUID, Job> claimed = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(CLAIM)) {
            Array from = c.createArrayOf("text", JobState.names(Transition.CLAIM.from()));
            s.setArray(1, c.createArrayOf("uuid", ids.stream().distinct().sorted(LOCK_ORDER).toArray()));
            int i = bindClaimSet(s, 1, from, owner, now, lease);
            s.setObject(++i, time(now));
            s.setArray(++i, from);
            s.setArray(++i, c.createArrayOf("text", JobState.names(Transition.REQUEUE.from())));
            s.setObject(++i, time(now));
            s.setObject(++i, time(now));
            s.setString(++i, owner);
            for (Job job : claimed(s)) claimed.put(job.id(), job);
        }
        return claimed;
    }

    /** Binds {@link #CLAIM_SET}'s parameters after index {@code i}; returns the index of the last one. */
    static int bindClaimSet(PreparedStatement s, int i, Array from, String owner, Instant now, Duration lease)
            throws SQLException {
        s.setString(++i, Transition.CLAIM.to().name());
        s.setString(++i, owner);
        s.setObject(++i, time(now.plus(lease)));
        s.setObject(++i, time(now));
        s.setArray(++i, from);
        s.setObject(++i, time(now));
        s.setObject(++i, time(now));
        s.setArray(++i, from);
        return i;
    }

    List<Job> claimed(PreparedStatement s) throws SQLException {
        List<Job> jobs = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) jobs.add(Job.fromRow(rs, json));
        }
        return jobs;
    }

    /**
     * {@link Transition#PARK} on the caller's connection, in its transaction: the owner leaves its
     * job {@code WAITING} for the jobs it made, with {@code checkpoint}; the next claim continues
     * the attempt, its timeout clock started afresh. A job with a cancel request is not parked.
     *
     * @return false if the lease was lost or a cancel request is on the job
     */
    public boolean park(Connection c, UUID id, UUID token, JsonNode checkpoint, String worker, String detail)
            throws SQLException {
        Instant now = clock.instant();
        try (PreparedStatement s = c.prepareStatement("""
                with parked as (
                    update longhaul.job j set state = ?, checkpoint = cast(? as jsonb), resume = true, attempt_started_at = null,
                        lease_token = null, lease_owner = null, lease_expires_at = null, version = j.version + 1
                    where j.id = ? and j.lease_token = ? and j.state = any(?) and not j.cancel_requested
                    returning j.id, j.attempt
                ), events as (
                    insert into longhaul.job_event (job_id, at, type, attempt, worker, detail)
                    select id, ?, 'parked', attempt, ?, ? from parked
                )
                select count(*) from parked""")) {
            s.setString(1, Transition.PARK.to().name());
            s.setString(2, text(checkpoint));
            s.setObject(3, id);
            s.setObject(4, token);
            s.setArray(5, c.createArrayOf("text", JobState.names(Transition.PARK.from())));
            s.setObject(6, time(now));
            s.setString(7, worker);
            s.setString(8, detail);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 1;
            }
        }
    }

    /** The next waiting job of a concurrency key (by priority, then age), with its lane, if any. */
    public java.util.Optional<Map.Entry<UUID, String>> nextWaitingWithKey(String key) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                select id, queue from longhaul.job where concurrency_key = ? and state = '%s' and run_at <= ?
                  and not cancel_requested order by priority desc, id limit 1""".formatted(CLAIMABLE))) {
            s.setString(1, key);
            s.setObject(2, time(clock.instant()));
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? java.util.Optional.of(Map.entry(rs.getObject(1, UUID.class), rs.getString(2)))
                        : java.util.Optional.empty();
            }
        }
    }

    /** Up to {@code limit} of the lane's next waiting jobs (by priority, then age), to wake workers for. */
    public List<UUID> nextWaiting(String lane, int limit) throws SQLException {
        List<UUID> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                select id from longhaul.job where queue = ? and state = '%s' and run_at <= ? and not cancel_requested
                order by priority desc, id limit ?""".formatted(CLAIMABLE))) {
            s.setString(1, lane);
            s.setObject(2, time(clock.instant()));
            s.setInt(3, limit);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) ids.add(rs.getObject(1, UUID.class));
            }
        }
        return ids;
    }

    /** A success to record: the job, the owner's lease token, and the handler's result (or null). */
    public record Success(UUID id, UUID token, JsonNode result) {
    }

    /** Records many successes, each fenced on its token; returns the jobs that moved. */
    public Set<UUID> succeed(List<Success> successes, String worker) throws SQLException {
        return succeedAll(successes, worker).done();
    }

    /** The jobs a batch of successes moved, and those of them that other jobs wait for. */
    public record Succeeded(Set<UUID> done, Set<UUID> awaited) {
    }

    /** Records many successes, each fenced on its token. */
    public Succeeded succeedAll(List<Success> successes, String worker) throws SQLException {
        List<Success> sorted = successes.stream().sorted(Comparator.comparing(Success::id, LOCK_ORDER)).toList();
        Instant now = clock.instant();
        Set<UUID> done = new HashSet<>();
        Set<UUID> awaited = new HashSet<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(SUCCEED)) {
            s.setString(1, Transition.SUCCEED.to().name());
            s.setObject(2, time(now));
            s.setArray(3, c.createArrayOf("uuid", sorted.stream().map(Success::id).toArray()));
            s.setArray(4, c.createArrayOf("uuid", sorted.stream().map(Success::token).toArray()));
            s.setArray(5, c.createArrayOf("text", sorted.stream().map(x -> text(x.result())).toArray()));
            s.setArray(6, c.createArrayOf("text", JobState.names(Transition.SUCCEED.from())));
            s.setObject(7, time(now));
            s.setString(8, worker);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    done.add(rs.getObject(1, UUID.class));
                    if (rs.getBoolean(2)) awaited.add(rs.getObject(1, UUID.class));
                }
            }
        }
        return new Succeeded(done, awaited);
    }

    /** Clears the publish marker of jobs whose message RabbitMQ confirmed; returns how many. */
    public int markPublished(Collection<UUID> ids) throws SQLException {
        if (ids.isEmpty()) return 0;
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(MARK_PUBLISHED)) {
            s.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            return s.executeUpdate();
        }
    }

    /**
     * Renews the leases in {@code held} (job id to lease token) until {@code expires}, while each
     * token still holds its running job. Returns the jobs renewed, each with its cancel flag.
     */
    public Map<UUID, Boolean> renew(Map<UUID, UUID> held, Instant expires) throws SQLException {
        Map<UUID, Boolean> renewed = new HashMap<>();
        if (held.isEmpty()) return renewed;
        List<Map.Entry<UUID, UUID>> entries = held.entrySet().stream().sorted(Map.Entry.comparingByKey(LOCK_ORDER)).toList();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(RENEW)) {
            s.setObject(1, time(expires));
            s.setArray(2, c.createArrayOf("uuid", entries.stream().map(Map.Entry::getKey).toArray()));
            s.setArray(3, c.createArrayOf("uuid", entries.stream().map(Map.Entry::getValue).toArray()));
            s.setArray(4, c.createArrayOf("text", JobState.names(Transition.CHECKPOINT.from())));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) renewed.put(rs.getObject(1, UUID.class), rs.getBoolean(2));
            }
        }
        return renewed;
    }

    /** Running jobs by the worker that holds their lease (its {@code lease_owner}), oldest first. */
    public Map<String, List<UUID>> heldByOwner() throws SQLException {
        Map<String, List<UUID>> held = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(HELD_BY_OWNER)) {
            s.setArray(1, c.createArrayOf("text", JobState.names(Transition.CHECKPOINT.from())));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    List<UUID> ids = new ArrayList<>();
                    for (Object id : (Object[]) rs.getArray(2).getArray()) ids.add((UUID) id);
                    held.put(rs.getString(1), ids);
                }
            }
        }
        return held;
    }

    static OffsetDateTime time(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private String text(JsonNode node) {
        if (node == null) return null;
        try {
            return json.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
