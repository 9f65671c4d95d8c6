package dev.longhaul.core.job;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * The job row's maintenance statements: the sweeper's (promote due jobs, rescue expired leases,
 * take unconfirmed messages) in the caller's transaction, and the purge's, on the purge chunk's
 * own connection. Like every statement on {@code longhaul.job}, each binds its states from
 * {@link Transition} or {@link JobState}.
 *
 * <p>Locking: the sweeper's statements take at most {@code limit} rows with
 * {@code FOR UPDATE SKIP LOCKED}, in the order of the time they wait on, so any number of sweepers
 * share the work without blocking each other or a worker that holds a row.
 */
@ApplicationScoped
public class JobMaintenance {
    @Inject
    EntityManager em;
    @Inject
    Clock clock;

    /**
     * {@link Transition#PROMOTE} for up to {@code limit} scheduled jobs whose {@code runAt} has
     * come, earliest first, each marked to publish. Returns {@code ref(id, queue)} of each.
     */
    public <T> List<T> promoteDue(int limit, BiFunction<UUID, String, T> ref) {
        return refs(em.createNativeQuery("""
                update longhaul.job set state = ?1, enqueued_at = ?2, to_publish = true, version = version + 1
                where id in (select id from longhaul.job
                             where state in (?3) and run_at <= ?2 and not cancel_requested
                             order by run_at limit ?4 for update skip locked)
                returning id, queue""")
                .setParameter(1, Transition.PROMOTE.to().name())
                .setParameter(2, clock.instant())
                .setParameter(3, List.of(JobState.names(Transition.PROMOTE.from())))
                .setParameter(4, limit)
                .getResultList(), ref);
    }

    /** A job whose lease expired, after its rescue: {@code state} is where the rescue left it. */
    public record Rescued(UUID id, String queue, int attempt, String expiredOwner, JobState state) {
    }

    /**
     * The rescue of up to {@code limit} running jobs whose lease expired, earliest first: their
     * owner is presumed dead. Each ends in one of three verbs, so the statement guards on the
     * states all three start from: {@link Transition#CANCEL} if a cancel request is on it (the dead
     * owner never honoured it), else {@link Transition#FAIL} if it has used all its attempts, else
     * {@link Transition#REQUEUE}, marked to publish and keeping its checkpoint; the next claim
     * starts a new attempt, since a worker that dies under a job may have died of it.
     */
    public List<Rescued> rescueExpired(int limit) {
        List<?> rows = em.createNativeQuery("""
                update longhaul.job j set
                    state = case when j.cancel_requested then ?5
                                 when j.attempt >= j.max_attempts then ?6 else ?1 end,
                    finished_at = case when j.cancel_requested or j.attempt >= j.max_attempts then cast(?2 as timestamptz) end,
                    error = case when not j.cancel_requested and j.attempt >= j.max_attempts
                                 then 'the lease of ' || expired.lease_owner || ' expired on the last attempt (' || j.attempt || ')'
                                 else j.error end,
                    enqueued_at = ?2, to_publish = not j.cancel_requested and j.attempt < j.max_attempts, resume = false,
                    lease_token = null, lease_owner = null, lease_expires_at = null, version = version + 1
                from (select id, lease_owner from longhaul.job
                      where state in (?3) and lease_expires_at < ?2
                      order by lease_expires_at limit ?4 for update skip locked) expired
                where j.id = expired.id
                returning j.id, j.queue, j.attempt, expired.lease_owner, j.state""")
                .setParameter(1, Transition.REQUEUE.to().name())
                .setParameter(2, clock.instant())
                .setParameter(3, List.of(JobState.names(
                        Transition.fromEvery(Transition.REQUEUE, Transition.FAIL, Transition.CANCEL))))
                .setParameter(4, limit)
                .setParameter(5, Transition.CANCEL.to().name())
                .setParameter(6, Transition.FAIL.to().name())
                .getResultList();
        return rows.stream().map(r -> (Object[]) r).map(r -> new Rescued((UUID) r[0], (String) r[1],
                ((Number) r[2]).intValue(), (String) r[3], JobState.valueOf((String) r[4]))).toList();
    }

    /**
     * Up to {@code limit} queued jobs still marked to publish {@code grace} after they were last
     * sent, oldest first; stamps them as sent now. Returns {@code ref(id, queue)} of each.
     */
    public <T> List<T> takeUnconfirmed(Duration grace, int limit, BiFunction<UUID, String, T> ref) {
        Instant now = clock.instant();
        return refs(em.createNativeQuery("""
                update longhaul.job set enqueued_at = ?1
                where id in (select id from longhaul.job
                             where to_publish and state in (?2) and enqueued_at <= ?3
                             order by enqueued_at limit ?4 for update skip locked)
                returning id, queue""")
                .setParameter(1, now)
                .setParameter(2, List.of(JobState.names(Transition.CLAIM.from())))
                .setParameter(3, now.minus(grace))
                .setParameter(4, limit)
                .getResultList(), ref);
    }

    /**
     * Queued jobs of {@code lane} that have waited longer than {@code staleAfter} since they were
     * last published, whatever their publish marker says: their message may have been lost after
     * its confirm (dead-lettered while PostgreSQL was down, or purged). Stamps them as just sent,
     * so each is taken at most once per {@code staleAfter}. The caller sends them only when the
     * lane's queue holds nothing ready, so a backlog never draws duplicates.
     */
    public <T> List<T> takeStale(String lane, Duration staleAfter, int limit, BiFunction<UUID, String, T> ref) {
        Instant now = clock.instant();
        return refs(em.createNativeQuery("""
                update longhaul.job set enqueued_at = ?1
                where id in (select id from longhaul.job
                             where queue = ?2 and state in (?3) and enqueued_at <= ?4 and not cancel_requested
                             order by enqueued_at limit ?5 for update skip locked)
                returning id, queue""")
                .setParameter(1, now)
                .setParameter(2, lane)
                .setParameter(3, List.of(JobState.names(Transition.CLAIM.from())))
                .setParameter(4, now.minus(staleAfter))
                .setParameter(5, limit)
                .getResultList(), ref);
    }

    /**
     * The jobs among {@code ids} still waiting ({@link Transition#CLAIM}'s from-states) whose
     * message was dead-lettered: marked to publish, as just sent. Returns {@code ref(id, queue)}
     * of each; jobs that ran, ended or do not exist are left alone.
     */
    public <T> List<T> takeDeadLettered(List<UUID> ids, BiFunction<UUID, String, T> ref) {
        if (ids.isEmpty()) return List.of();
        return refs(em.createNativeQuery("""
                update longhaul.job set to_publish = true, enqueued_at = ?1
                where id in (?2) and state in (?3) and not cancel_requested
                returning id, queue""")
                .setParameter(1, clock.instant())
                .setParameter(2, ids)
                .setParameter(3, List.of(JobState.names(Transition.CLAIM.from())))
                .getResultList(), ref);
    }

    /**
     * Deletes up to {@code limit} finished jobs that finished before {@code before}, in id order,
     * except {@code except} (the purge itself), in the connection's transaction. Their history and
     * artifacts go with them (ON DELETE CASCADE).
     */
    public static int deleteFinished(Connection c, Instant before, UUID except, int limit) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                delete from longhaul.job where id in (
                    select id from longhaul.job where state = any(?)
                      and finished_at < ? and id <> ? order by id limit ?)""")) {
            s.setArray(1, c.createArrayOf("text", JobState.names(JobState.finished())));
            s.setTimestamp(2, Timestamp.from(before));
            s.setObject(3, except);
            s.setInt(4, limit);
            return s.executeUpdate();
        }
    }

    /**
     * The import staging tables ({@code longhaul.import_staging_<job id without dashes>}) whose
     * job has finished or is gone: no import will resume into them.
     */
    public static List<String> orphanStagingTables(Connection c) throws SQLException {
        List<String> orphans = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("""
                select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                left join longhaul.job j on j.id = cast(case when c.relname ~ '^import_staging_[0-9a-f]{32}$' then substr(c.relname, 16) end as uuid)
                where n.nspname = 'longhaul' and c.relkind = 'r' and c.relname ~ '^import_staging_[0-9a-f]{32}$'
                  and (j.id is null or j.state = any(?))""")) {
            s.setArray(1, c.createArrayOf("text", JobState.names(JobState.finished())));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) orphans.add(rs.getString(1));
            }
        }
        return orphans;
    }

    private static <T> List<T> refs(List<?> rows, BiFunction<UUID, String, T> ref) {
        // the first two columns of each row are id and queue
        return rows.stream().map(r -> (Object[]) r).map(r -> ref.apply((UUID) r[0], (String) r[1])).toList();
    }
}
