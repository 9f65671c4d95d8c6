package dev.longhaul.core.job;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The waiting jobs' side of the dependency graph ({@code longhaul.job_dependency}): a job
 * submitted with {@code dependsOn}, a batch's {@code then} job, and a partitioned job's parent wait
 * in {@link JobState#WAITING}. Once the jobs a waiting job depends on have ended, it is settled:
 * {@link Transition#RELEASE}d to run, with the counts of their states, or, when a dependency it
 * needed to succeed failed or was cancelled, {@link Transition#CANCEL}led with that reason (which
 * settles the jobs waiting for it in turn).
 *
 * <p>Settling is safe to run any number of times and from anywhere: the worker that ends a job
 * settles the jobs waiting for it, the api settles a job it accepted (its dependencies may have
 * ended already) and the jobs waiting for one it cancelled, and the sweeper settles whatever is
 * left. Each waiting job is locked while it is settled and moves only from {@code WAITING}, so it
 * is released or cancelled exactly once. Thread-safe.
 */
@ApplicationScoped
public class Dependencies {
    /** The waiting jobs among the given ones that are not being settled elsewhere right now. */
    private static final String LOCK = """
            select id from longhaul.job where id = any(?) and state = any(?) order by id for update skip locked""";

    /**
     * Each locked waiting job's dependencies: their counts by state, how many have not ended, and
     * the first that it needed to succeed but ended otherwise.
     */
    private static final String VERDICTS = """
            select w.id, s.counts, s.unfinished, s.broken
            from longhaul.job w
            cross join lateral (
                select jsonb_object_agg(g.state, g.n) as counts,
                       coalesce(sum(g.n) filter (where not g.state = any(?)), 0) as unfinished,
                       min(g.broken) as broken
                from (select dep.state, count(*) as n,
                             min(case when d.must_succeed and dep.state = any(?) then dep.id::text || ' ended ' || dep.state end) as broken
                      from longhaul.job_dependency d join longhaul.job dep on dep.id = d.depends_on
                      where d.job_id = w.id group by dep.state) g
            ) s
            where w.id = any(?)""";

    private static final String RELEASE = """
            with released as (
                update longhaul.job j set state = ?, dependency_states = cast(u.counts as jsonb), enqueued_at = ?,
                    to_publish = true, version = j.version + 1
                from unnest(?::uuid[], ?::text[]) as u(id, counts)
                where j.id = u.id and j.state = any(?)
                returning j.id, j.queue, j.trace_parent, j.attempt
            ), events as (
                insert into longhaul.job_event (job_id, at, type, attempt, detail)
                select id, ?, 'released', attempt, 'the jobs it waited for have ended' from released
            )
            select id, queue, trace_parent from released""";

    private static final String CANCEL = """
            with cancelled as (
                update longhaul.job j set state = ?, error = u.reason, finished_at = ?, to_publish = false,
                    version = j.version + 1
                from unnest(?::uuid[], ?::text[]) as u(id, reason)
                where j.id = u.id and j.state = any(?)
                returning j.id, j.attempt, u.reason
            ), events as (
                insert into longhaul.job_event (job_id, at, type, attempt, detail)
                select id, ?, 'cancelled', attempt, reason from cancelled
            )
            select id from cancelled""";

    /**
     * The sweeper's pass: waiting jobs that can be settled now, every dependency ended or one
     * that had to succeed ended otherwise.
     */
    private static final String SETTLEABLE = """
            select w.id from longhaul.job w
            where w.state = any(?)
              and (not exists (select 1 from longhaul.job_dependency d join longhaul.job dep on dep.id = d.depends_on
                               where d.job_id = w.id and not dep.state = any(?))
                   or exists (select 1 from longhaul.job_dependency d join longhaul.job dep on dep.id = d.depends_on
                              where d.job_id = w.id and d.must_succeed and dep.state = any(?)))
            order by w.id limit ?""";

    private static final String WAITING_FOR = """
            select distinct job_id from longhaul.job_dependency where depends_on = any(?)""";

    @Inject
    DataSource dataSource;
    @Inject
    Clock clock;

    /** A waiting job that may run now: its message is to be published (its marker is set). */
    public record Released(UUID id, String queue, String traceParent) {
    }

    /** The jobs waiting for any of {@code ended} (jobs that just ended), settled where they can be. */
    public List<Released> settleWaitingFor(Collection<UUID> ended) throws SQLException {
        return settleAll(waitingFor(ended));
    }

    /** The given waiting jobs, settled where they can be (others are left as they are). */
    public List<Released> settle(Collection<UUID> waiting) throws SQLException {
        return settleAll(List.copyOf(waiting));
    }

    /** The sweeper's pass: up to {@code limit} waiting jobs whose dependencies let them be settled. */
    public List<Released> settleReady(int limit) throws SQLException {
        List<UUID> ready = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(SETTLEABLE)) {
            s.setArray(1, states(c, Transition.RELEASE.from()));
            s.setArray(2, states(c, JobState.finished()));
            s.setArray(3, states(c, failedOrCancelled()));
            s.setInt(4, limit);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) ready.add(rs.getObject(1, UUID.class));
            }
        }
        return settleAll(ready);
    }

    /** Settles the jobs, then those waiting for any it cancelled, and so on down the graph. */
    private List<Released> settleAll(List<UUID> waiting) throws SQLException {
        List<Released> released = new ArrayList<>();
        List<UUID> next = waiting;
        while (!next.isEmpty()) {
            List<UUID> cancelled = new ArrayList<>();
            settleOnce(next, released, cancelled);
            next = cancelled.isEmpty() ? List.of() : waitingFor(cancelled);
        }
        return released;
    }

    private void settleOnce(List<UUID> waiting, List<Released> released, List<UUID> cancelled) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<UUID> locked = new ArrayList<>();
                try (PreparedStatement s = c.prepareStatement(LOCK)) {
                    s.setArray(1, c.createArrayOf("uuid", waiting.toArray()));
                    s.setArray(2, states(c, Transition.RELEASE.from()));
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) locked.add(rs.getObject(1, UUID.class));
                    }
                }
                if (locked.isEmpty()) {
                    c.rollback();
                    return;
                }
                List<UUID> toRelease = new ArrayList<>(), toCancel = new ArrayList<>();
                List<String> counts = new ArrayList<>(), reasons = new ArrayList<>();
                try (PreparedStatement s = c.prepareStatement(VERDICTS)) {
                    s.setArray(1, states(c, JobState.finished()));
                    s.setArray(2, states(c, failedOrCancelled()));
                    s.setArray(3, c.createArrayOf("uuid", locked.toArray()));
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            UUID id = rs.getObject(1, UUID.class);
                            String broken = rs.getString(4);
                            if (broken != null) {
                                toCancel.add(id);
                                reasons.add("dependency " + broken);
                            } else if (rs.getLong(3) == 0) {
                                toRelease.add(id);
                                counts.add(rs.getString(2));
                            }
                        }
                    }
                }
                OffsetDateTime now = clock.instant().atOffset(ZoneOffset.UTC);
                if (!toRelease.isEmpty()) {
                    try (PreparedStatement s = c.prepareStatement(RELEASE)) {
                        s.setString(1, Transition.RELEASE.to().name());
                        s.setObject(2, now);
                        s.setArray(3, c.createArrayOf("uuid", toRelease.toArray()));
                        s.setArray(4, c.createArrayOf("text", counts.toArray()));
                        s.setArray(5, states(c, Transition.RELEASE.from()));
                        s.setObject(6, now);
                        try (ResultSet rs = s.executeQuery()) {
                            while (rs.next()) {
                                released.add(new Released(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3)));
                            }
                        }
                    }
                }
                if (!toCancel.isEmpty()) {
                    try (PreparedStatement s = c.prepareStatement(CANCEL)) {
                        s.setString(1, Transition.CANCEL.to().name());
                        s.setObject(2, now);
                        s.setArray(3, c.createArrayOf("uuid", toCancel.toArray()));
                        s.setArray(4, c.createArrayOf("text", reasons.toArray()));
                        s.setArray(5, states(c, Transition.fromEvery(Transition.CANCEL, Transition.RELEASE)));
                        s.setObject(6, now);
                        try (ResultSet rs = s.executeQuery()) {
                            while (rs.next()) cancelled.add(rs.getObject(1, UUID.class));
                        }
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private List<UUID> waitingFor(Collection<UUID> ended) throws SQLException {
        if (ended.isEmpty()) return List.of();
        List<UUID> waiting = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(WAITING_FOR)) {
            s.setArray(1, c.createArrayOf("uuid", ended.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) waiting.add(rs.getObject(1, UUID.class));
            }
        }
        return waiting;
    }

    /** The states a dependency that had to succeed may end in instead: failed or cancelled. */
    private static Set<JobState> failedOrCancelled() {
        Set<JobState> states = EnumSet.copyOf(JobState.finished());
        states.remove(JobState.SUCCEEDED);
        return states;
    }

    private static Array states(Connection c, Collection<JobState> states) throws SQLException {
        return c.createArrayOf("text", JobState.names(states));
    }
}
