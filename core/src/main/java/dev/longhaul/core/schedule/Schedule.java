package dev.longhaul.core.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A recurring job: a Quartz cron in a time zone, a job template, and its policies. */
@Entity
@Table(name = "schedule", schema = "longhaul")
public class Schedule {
    public enum Misfire { fireOnce, skip }

    public enum Overlap { skip, allow }

    @Id
    private UUID id;
    private String name;
    private String cron;
    private String timezone;
    @Column(name = "job_kind")
    private String jobKind;
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "job_params")
    private JsonNode jobParams;
    @Column(name = "job_queue")
    private String jobQueue;
    private String misfire;
    private String overlap;
    private boolean enabled;
    @Column(name = "created_at")
    private Instant createdAt;
    @Column(name = "updated_at")
    private Instant updatedAt;
    private long version;
    /** The tenant that owns the schedule; its jobs run as this tenant. */
    private String tenant;
    /** Why the scheduler could not put the schedule on; null while it runs. Written by the scheduler only. */
    private String error;

    protected Schedule() {
    }

    public Schedule(UUID id, String tenant, Instant now) {
        this.id = id;
        this.tenant = tenant;
        this.createdAt = now;
    }

    /** Replaces everything a client may set; bumps the version the scheduler reconciles on. */
    public void define(String name, String cron, String timezone, String jobKind, JsonNode jobParams, String jobQueue,
            Misfire misfire, Overlap overlap, boolean enabled, Instant now) {
        this.name = name;
        this.cron = cron;
        this.timezone = timezone;
        this.jobKind = jobKind;
        this.jobParams = jobParams;
        this.jobQueue = jobQueue;
        this.misfire = misfire.name();
        this.overlap = overlap.name();
        this.enabled = enabled;
        this.updatedAt = now;
        this.version++;
    }

    public UUID id() { return id; }
    public String name() { return name; }
    public String cron() { return cron; }
    public String timezone() { return timezone; }
    public String jobKind() { return jobKind; }
    public JsonNode jobParams() { return jobParams; }
    public String jobQueue() { return jobQueue; }
    public Misfire misfire() { return Misfire.valueOf(misfire); }
    public Overlap overlap() { return Overlap.valueOf(overlap); }
    public boolean enabled() { return enabled; }
    public Instant createdAt() { return createdAt; }
    public Instant updatedAt() { return updatedAt; }
    public long version() { return version; }
    public String tenant() { return tenant; }
    public String error() { return error; }
}
