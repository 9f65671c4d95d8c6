package dev.longhaul.core.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.longhaul.core.tenant.Scope;
import dev.longhaul.core.trace.Traces;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A job row. Read-only outside {@link JobStore}: a new job is made by {@link #submit}, and every
 * later change of state goes through a guarded {@link Transition} in {@code JobStore}, never
 * through a setter.
 */
@Entity
@Table(name = "job", schema = "longhaul")
public class Job {
    @Id
    private UUID id;
    private String kind;
    private String queue;
    private short priority;
    @Enumerated(EnumType.STRING)
    private JobState state;
    @JdbcTypeCode(SqlTypes.JSON)
    private JsonNode params;
    private int attempt;
    @Column(name = "max_attempts")
    private int maxAttempts;
    @Column(name = "run_at")
    private Instant runAt;
    @Column(name = "created_at")
    private Instant createdAt;
    @Column(name = "enqueued_at")
    private Instant enqueuedAt;
    @Column(name = "started_at")
    private Instant startedAt;
    @Column(name = "finished_at")
    private Instant finishedAt;
    @Column(name = "lease_owner")
    private String leaseOwner;
    @Column(name = "lease_token")
    private UUID leaseToken;
    @Column(name = "lease_expires_at")
    private Instant leaseExpiresAt;
    @Column(name = "cancel_requested")
    private boolean cancelRequested;
    @Column(name = "progress_done")
    private long progressDone;
    @Column(name = "progress_total")
    private Long progressTotal;
    @Column(name = "progress_unit")
    private String progressUnit;
    @Column(name = "progress_rate")
    private Double progressRate;
    @JdbcTypeCode(SqlTypes.JSON)
    private JsonNode checkpoint;
    @JdbcTypeCode(SqlTypes.JSON)
    private JsonNode result;
    private String error;
    @Column(name = "idempotency_key")
    private String idempotencyKey;
    @Column(name = "request_hash")
    private String requestHash;
    @Column(name = "to_publish")
    private boolean toPublish;
    /** The next claim continues the current attempt (a slice ended, a drain, a snooze). */
    private boolean resume;
    @Column(name = "timeout_seconds")
    private Integer timeoutSeconds;
    @Column(name = "attempt_started_at")
    private Instant attemptStartedAt;
    @Column(name = "schedule_id")
    private UUID scheduleId;
    @Column(name = "scheduled_for")
    private Instant scheduledFor;
    /** The tenant that owns the job: the submitting key's, or its schedule's. */
    private String tenant;
    /** The API key that submitted the job; null for scheduled jobs and jobs from before keys. */
    @Column(name = "submitted_by")
    private UUID submittedBy;
    /** Jobs with the same key run at most {@code concurrencyLimit} at once; null for none. */
    @Column(name = "concurrency_key")
    private String concurrencyKey;
    @Column(name = "concurrency_limit")
    private Integer concurrencyLimit;
    /** How many key ranges (child jobs) the job runs as; null for one. */
    private Short partitions;
    /** The partitioned job this one is a key range of, or null. */
    @Column(name = "parent_id")
    private UUID parentId;
    /** A child's key range: {@code {index, of, after, upTo}} (bounds as text; null for open). */
    @JdbcTypeCode(SqlTypes.JSON)
    private JsonNode partition;
    /** Counts by state of the jobs this one waited for, as they were when it was released. */
    @Column(name = "dependency_states")
    @JdbcTypeCode(SqlTypes.JSON)
    private JsonNode dependencyStates;
    /** The W3C traceparent of the span that made the job, or null. */
    @Column(name = "trace_parent")
    private String traceParent;
    @Version
    private long version;

    protected Job() {
    }

    /**
     * A new job as accepted from a client or a schedule: {@code QUEUED} and marked to publish
     * when it is due now, {@code SCHEDULED} when {@code runAt} is in the future.
     */
    public static Job submit(JobSpec spec, Clock clock) {
        return submit(spec, Scope.DEFAULT_TENANT, null, clock);
    }

    /** A new job of {@code tenant}, submitted by the API key {@code submittedBy} (or null). */
    public static Job submit(JobSpec spec, String tenant, UUID submittedBy, Clock clock) {
        // PostgreSQL keeps microseconds; the job returned now must equal the job read back later
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Job job = new Job();
        job.id = JobIds.next(clock);
        job.kind = spec.kind();
        job.queue = spec.queue();
        job.priority = (short) spec.priority();
        job.params = spec.params();
        job.maxAttempts = spec.maxAttempts();
        job.createdAt = now;
        job.runAt = spec.runAt() == null || spec.runAt().isBefore(now) ? now : spec.runAt().truncatedTo(ChronoUnit.MICROS);
        // a job with dependencies waits for them first, then runs at once (runAt is refused with them)
        boolean waits = !spec.dependsOn().isEmpty();
        boolean due = !waits && !job.runAt.isAfter(now);
        job.state = waits ? JobState.WAITING : due ? JobState.QUEUED : JobState.SCHEDULED;
        job.enqueuedAt = due ? now : null;
        job.toPublish = due;
        job.idempotencyKey = spec.idempotencyKey();
        job.requestHash = spec.requestHash();
        job.timeoutSeconds = spec.timeoutSeconds();
        job.tenant = tenant;
        job.submittedBy = submittedBy;
        job.traceParent = Traces.currentParent();
        job.concurrencyKey = spec.concurrencyKey();
        job.concurrencyLimit = spec.concurrencyKey() == null ? null
                : spec.concurrencyLimit() == null ? 1 : spec.concurrencyLimit();
        job.partitions = spec.partitions() == null ? null : spec.partitions().shortValue();
        return job;
    }

    /**
     * A child of a partitioned job: the same kind, params, lane, priority, attempts and tenant, for
     * the key range {@code partition}; queued at once.
     */
    public static Job child(Job parent, JsonNode partition, Clock clock) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Job job = new Job();
        job.id = JobIds.next(clock);
        job.kind = parent.kind;
        job.queue = parent.queue;
        job.priority = parent.priority;
        job.params = parent.params;
        job.maxAttempts = parent.maxAttempts;
        job.createdAt = now;
        job.runAt = now;
        job.state = JobState.QUEUED;
        job.enqueuedAt = now;
        job.toPublish = true;
        job.timeoutSeconds = parent.timeoutSeconds;
        job.tenant = parent.tenant;
        job.submittedBy = parent.submittedBy;
        job.traceParent = parent.traceParent;
        job.parentId = parent.id;
        job.partition = partition;
        return job;
    }

    /**
     * The job in the current row of {@code rs}, which selected every column of {@code longhaul.job}
     * (for {@link JobQueries}, which reads rows with plain JDBC on the hot path).
     */
    static Job fromRow(ResultSet rs, ObjectMapper json) throws SQLException {
        Job job = new Job();
        job.id = rs.getObject("id", UUID.class);
        job.kind = rs.getString("kind");
        job.queue = rs.getString("queue");
        job.priority = rs.getShort("priority");
        job.state = JobState.valueOf(rs.getString("state"));
        job.params = tree(json, rs.getString("params"));
        job.attempt = rs.getInt("attempt");
        job.maxAttempts = rs.getInt("max_attempts");
        job.runAt = instant(rs, "run_at");
        job.createdAt = instant(rs, "created_at");
        job.enqueuedAt = instant(rs, "enqueued_at");
        job.startedAt = instant(rs, "started_at");
        job.finishedAt = instant(rs, "finished_at");
        job.leaseOwner = rs.getString("lease_owner");
        job.leaseToken = rs.getObject("lease_token", UUID.class);
        job.leaseExpiresAt = instant(rs, "lease_expires_at");
        job.cancelRequested = rs.getBoolean("cancel_requested");
        job.progressDone = rs.getLong("progress_done");
        job.progressTotal = rs.getObject("progress_total", Long.class);
        job.progressUnit = rs.getString("progress_unit");
        job.progressRate = rs.getObject("progress_rate", Double.class);
        job.checkpoint = tree(json, rs.getString("checkpoint"));
        job.result = tree(json, rs.getString("result"));
        job.error = rs.getString("error");
        job.idempotencyKey = rs.getString("idempotency_key");
        job.requestHash = rs.getString("request_hash");
        job.toPublish = rs.getBoolean("to_publish");
        job.resume = rs.getBoolean("resume");
        job.timeoutSeconds = rs.getObject("timeout_seconds", Integer.class);
        job.attemptStartedAt = instant(rs, "attempt_started_at");
        job.scheduleId = rs.getObject("schedule_id", UUID.class);
        job.scheduledFor = instant(rs, "scheduled_for");
        job.tenant = rs.getString("tenant");
        job.submittedBy = rs.getObject("submitted_by", UUID.class);
        job.traceParent = rs.getString("trace_parent");
        job.concurrencyKey = rs.getString("concurrency_key");
        job.concurrencyLimit = rs.getObject("concurrency_limit", Integer.class);
        short partitions = rs.getShort("partitions");
        job.partitions = rs.wasNull() ? null : partitions;
        job.parentId = rs.getObject("parent_id", UUID.class);
        job.partition = tree(json, rs.getString("partition"));
        job.dependencyStates = tree(json, rs.getString("dependency_states"));
        job.version = rs.getLong("version");
        return job;
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static JsonNode tree(ObjectMapper json, String text) throws SQLException {
        if (text == null) return null;
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new SQLException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** A job made by a schedule for one slot: {@code (scheduleId, scheduledFor)} is unique. */
    public static Job forSlot(JobSpec spec, UUID scheduleId, Instant scheduledFor, String tenant, Clock clock) {
        Job job = submit(spec, tenant, null, clock);
        job.scheduleId = scheduleId;
        job.scheduledFor = scheduledFor;
        return job;
    }

    public String tenant() { return tenant; }
    public UUID submittedBy() { return submittedBy; }
    public String traceParent() { return traceParent; }
    public String concurrencyKey() { return concurrencyKey; }
    public Integer concurrencyLimit() { return concurrencyLimit; }
    public Integer partitions() { return partitions == null ? null : partitions.intValue(); }
    public UUID parentId() { return parentId; }
    public JsonNode partition() { return partition; }
    public JsonNode dependencyStates() { return dependencyStates; }
    /** The id of the trace the job belongs to, or null. */
    public String traceId() { return Traces.traceId(traceParent); }
    public UUID scheduleId() { return scheduleId; }
    public Instant scheduledFor() { return scheduledFor; }
    public UUID id() { return id; }
    public String kind() { return kind; }
    public String queue() { return queue; }
    public int priority() { return priority; }
    public JobState state() { return state; }
    public JsonNode params() { return params; }
    public int attempt() { return attempt; }
    public int maxAttempts() { return maxAttempts; }
    public Instant runAt() { return runAt; }
    public Instant createdAt() { return createdAt; }
    public Instant enqueuedAt() { return enqueuedAt; }
    public Instant startedAt() { return startedAt; }
    public Instant finishedAt() { return finishedAt; }
    public String leaseOwner() { return leaseOwner; }
    public UUID leaseToken() { return leaseToken; }
    public Instant leaseExpiresAt() { return leaseExpiresAt; }
    public boolean cancelRequested() { return cancelRequested; }
    public long progressDone() { return progressDone; }
    public Long progressTotal() { return progressTotal; }
    public String progressUnit() { return progressUnit; }
    public Double progressRate() { return progressRate; }
    public JsonNode checkpoint() { return checkpoint; }
    public JsonNode result() { return result; }
    public String error() { return error; }
    public String idempotencyKey() { return idempotencyKey; }
    public String requestHash() { return requestHash; }
    public boolean toPublish() { return toPublish; }
    public boolean resume() { return resume; }
    /** Seconds one attempt may run, or null for the kind's default. */
    public Integer timeoutSeconds() { return timeoutSeconds; }
    /** When the current (or last) attempt began. */
    public Instant attemptStartedAt() { return attemptStartedAt; }
}
