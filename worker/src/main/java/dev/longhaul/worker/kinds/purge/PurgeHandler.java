package dev.longhaul.worker.kinds.purge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.longhaul.core.chunk.Fence;
import dev.longhaul.core.job.JobMaintenance;
import dev.longhaul.core.kind.KindSpec;
import dev.longhaul.core.kind.builtin.PurgeKind;
import dev.longhaul.worker.run.Chunks;
import dev.longhaul.worker.run.JobContext;
import dev.longhaul.worker.run.JobHandler;
import dev.longhaul.worker.run.Outcome;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * {@code purge}: deletes old artifacts, then old finished jobs (their history and artifacts go
 * with them), {@value #BATCH} rows per transaction, each with its checkpoint, so the purge never
 * holds long locks and resumes where it stopped. The cut-off instants are fixed at the start.
 */
@Singleton
public class PurgeHandler implements JobHandler<PurgeKind.Params> {
    static final int BATCH = 1000;

    @Inject
    PurgeKind spec;
    @Inject
    Chunks chunks;
    @Inject
    ObjectMapper mapper;

    @Override
    public KindSpec<PurgeKind.Params> spec() {
        return spec;
    }

    @Override
    public Outcome run(JobContext<PurgeKind.Params> context) throws Exception {
        Fence fence = chunks.fence(context);
        ObjectNode state = context.checkpoint() == null ? null : context.checkpoint().deepCopy();
        if (state == null) {
            Instant now = context.clock().instant();
            state = mapper.createObjectNode()
                    .put("artifactsBefore", now.minus(Duration.ofDays(context.params().artifactDaysOrDefault())).toString())
                    .put("jobsBefore", now.minus(Duration.ofDays(context.params().jobDaysOrDefault())).toString())
                    .put("auditBefore", now.minus(Duration.ofDays(context.params().auditDaysOrDefault())).toString())
                    .put("artifacts", 0L).put("jobs", 0L);
        }
        while (true) {
            if (context.cancelRequested()) return new Outcome.Cancelled();
            if (context.sliceOver()) return new Outcome.Continue(state);
            ObjectNode next = state.deepCopy();
            try (Connection connection = chunks.transaction()) {
                int artifacts = delete(connection, """
                        delete from longhaul.artifact where id in (
                            select id from longhaul.artifact where created_at < ? and job_id <> ?
                            order by id limit ?)""", Instant.parse(state.get("artifactsBefore").asText()), context);
                int uploads = artifacts > 0 ? 0 : deleteUploads(connection, Instant.parse(state.get("artifactsBefore").asText()));
                int jobs = artifacts > 0 || uploads > 0 ? 0 : JobMaintenance.deleteFinished(connection,
                        Instant.parse(state.get("jobsBefore").asText()), context.jobId(), BATCH);
                int runs = artifacts > 0 || uploads > 0 || jobs > 0 ? 0
                        : deleteScheduleRuns(connection, Instant.parse(state.get("jobsBefore").asText()));
                int audits = artifacts > 0 || uploads > 0 || jobs > 0 || runs > 0 ? 0
                        : deleteAudit(connection, Instant.parse(state.path("auditBefore").asText(state.get("jobsBefore").asText())));
                next.put("artifacts", state.get("artifacts").asLong() + artifacts);
                next.put("jobs", state.get("jobs").asLong() + jobs);
                next.put("uploads", state.path("uploads").asLong() + uploads);
                next.put("scheduleRuns", state.path("scheduleRuns").asLong() + runs);
                next.put("audit", state.path("audit").asLong() + audits);
                long done = next.get("artifacts").asLong() + next.get("jobs").asLong();
                if (!fence.checkpoint(connection, mapper.writeValueAsString(next), done, null, "rows", null)) {
                    connection.rollback();
                    return new Outcome.Continue(state);
                }
                connection.commit();
                if (artifacts == 0 && jobs == 0 && uploads == 0 && runs == 0 && audits == 0) {
                    int staging = dropOrphanStaging(connection);
                    connection.commit();
                    return new Outcome.Done(mapper.createObjectNode()
                            .put("artifactsDeleted", next.get("artifacts").asLong())
                            .put("uploadsDeleted", next.get("uploads").asLong())
                            .put("jobsDeleted", next.get("jobs").asLong())
                            .put("scheduleRunsDeleted", next.get("scheduleRuns").asLong())
                            .put("auditRowsDeleted", next.get("audit").asLong())
                            .put("stagingTablesDropped", staging));
                }
            }
            state = next;
        }
    }

    /**
     * Runs of schedules recorded before the job retention (a per-second cron records 86,400 a
     * day), except each schedule's latest: its last run, and the slot the scheduler counts from.
     */
    private static int deleteScheduleRuns(Connection connection, Instant before) throws Exception {
        try (PreparedStatement s = connection.prepareStatement("""
                delete from longhaul.schedule_run r where (r.schedule_id, r.scheduled_for) in (
                    select o.schedule_id, o.scheduled_for from longhaul.schedule_run o
                    where o.at < ? and o.scheduled_for < (select max(l.scheduled_for) from longhaul.schedule_run l
                                                          where l.schedule_id = o.schedule_id)
                    order by o.at limit ?)""")) {
            s.setTimestamp(1, Timestamp.from(before));
            s.setInt(2, BATCH);
            return s.executeUpdate();
        }
    }

    /** Audit rows past the audit retention, oldest first. */
    private static int deleteAudit(Connection connection, Instant before) throws Exception {
        try (PreparedStatement s = connection.prepareStatement("""
                delete from longhaul.audit where id in (select id from longhaul.audit where at < ? order by id limit ?)""")) {
            s.setTimestamp(1, Timestamp.from(before));
            s.setInt(2, BATCH);
            return s.executeUpdate();
        }
    }

    /** Uploads past the artifact retention, complete or abandoned half-way. */
    private static int deleteUploads(Connection connection, Instant before) throws Exception {
        try (PreparedStatement s = connection.prepareStatement("""
                delete from longhaul.upload where id in (
                    select id from longhaul.upload where created_at < ? order by created_at limit ?)""")) {
            s.setTimestamp(1, Timestamp.from(before));
            s.setInt(2, BATCH);
            return s.executeUpdate();
        }
    }

    /**
     * Staging tables of imports that will not resume: their job ended (failed after its retries,
     * cancelled by the sweeper) or is gone. An import drops its own when it ends normally.
     */
    private static int dropOrphanStaging(Connection connection) throws Exception {
        List<String> orphans = JobMaintenance.orphanStagingTables(connection);
        for (String table : orphans) {
            if (!table.matches("import_staging_[0-9a-f]{32}")) continue; // the name is spliced into DDL
            try (Statement s = connection.createStatement()) {
                s.execute("drop table if exists longhaul." + table);
            }
        }
        return orphans.size();
    }

    private static int delete(Connection connection, String sql, Instant before, JobContext<?> context) throws Exception {
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            s.setTimestamp(1, Timestamp.from(before));
            s.setObject(2, context.jobId());
            s.setInt(3, BATCH);
            return s.executeUpdate();
        }
    }
}
