package dev.longhaul.core.job;

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
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The claims that choose the job: a delivery wakes a worker for a lane, and PostgreSQL picks the
 * lane's next claimable jobs, by priority, in turn across the tenants that wait, within the lane's
 * controls and the jobs' concurrency keys. The claims of {@link JobQueries#claim} take the jobs the
 * deliveries name instead; {@link #look} tells a caller which of the two a lane needs.
 *
 * <p>Locking: the chosen rows are locked with {@code for update skip locked}, so concurrent claims
 * take different jobs; in a lane with controls the lane's {@code lane_control} row is locked for
 * the claim's transaction, so claims in that lane take turns across the cluster. Thread-safe.
 */
@ApplicationScoped
public class LaneClaims {
    /** How many waiting tenants one fair claim looks at, starting after the last one served. */
    static final int TENANTS_PER_CLAIM = 64;

    /** Claims the picked candidates, at most one per concurrency key (its count cannot see the statement's own claims). */
    private static final String PICKED = """
                select distinct on (coalesce(concurrency_key, id::text)) id
                from candidates order by coalesce(concurrency_key, id::text), priority desc, id
            ), claimed as (""" + JobQueries.CLAIM_SET + """
                from picked p where j.id = p.id and j.state = any(?)
            """ + JobQueries.KEY_ROOM;

    /**
     * A waiting job {@code c} whose concurrency key is not at its limit: the scan for a lane's next
     * jobs looks past jobs whose key is full, so a head of blocked keys never hides a job that may
     * start (a claim that finds none drops its delivery). The claim checks again under the key's lock.
     */
    private static final String KEY_OPEN = """
                  and (c.concurrency_key is null
                       or (select count(*) from longhaul.job r
                           where r.concurrency_key = c.concurrency_key and r.state = '%s') < c.concurrency_limit)
            """.formatted(Transition.CLAIM.to().name());

    /**
     * The lane's top waiting priority, and whether more than one tenant waits: three probes of the
     * queued jobs' partial indexes. The tenants are read backwards in {@code job_queued_tenant_idx}
     * (the last tenant, then any before it): a tenant's last entries are its newest jobs, alive,
     * while its first are the jobs claimed a moment ago, dead until vacuum.
     */
    private static final String LOOK = """
            select (select priority from longhaul.job where queue = ? and state = '%1$s' and run_at <= ?
                    order by priority desc, id limit 1),
                   (select tenant from longhaul.job where queue = ? and state = '%1$s' and tenant <
                       (select tenant from longhaul.job where queue = ? and state = '%1$s' order by tenant desc limit 1)
                    order by tenant desc limit 1) is not null
            """.formatted(JobQueries.CLAIMABLE);

    /**
     * {@link Transition#CLAIM} of a lane's next jobs, whichever deliveries woke the worker: the
     * waiting jobs of highest priority, oldest first. Rows another claim holds are skipped.
     */
    private static final String CLAIM_NEXT = ("""
            with candidates as (
                select id, concurrency_key, priority from longhaul.job c
                where queue = ? and state = '%1$s' and run_at <= ? and not cancel_requested""" + KEY_OPEN + """
                order by priority desc, id limit ? for update skip locked
            ), picked as (""" + PICKED + """
                returning j.*
            """ + JobQueries.CLAIM_EVENTS).formatted(JobQueries.CLAIMABLE);

    /**
     * {@link Transition#CLAIM} of a lane's next jobs in turn across its waiting tenants. The
     * tenants are walked in descending name order from just before {@code after} (the last tenant
     * served first) and around, one backward index probe each (see {@link #LOOK} for why
     * backward), up to {@link #TENANTS_PER_CLAIM}. Each tenant's head jobs (by
     * priority, then age) are read without locks; the claim takes them by priority, then by their
     * rank within their tenant, then by the tenant's turn: with one job to claim and two tenants
     * waiting, each gets every other claim. The chosen rows are then locked, skipping rows another
     * claim holds, so a claim that races another may take fewer than it wanted; the caller tops up
     * with {@link #CLAIM_NEXT}.
     */
    private static final String CLAIM_FAIR = ("""
            with recursive lane(queue, after, turns, wanted, due) as (
                select cast(? as text), cast(? as text), cast(? as int), cast(? as int), cast(? as timestamptz)
            ), turns(tenant, first, turn) as (
                select t.tenant, t.tenant, 1 from lane l cross join lateral (select coalesce(
                    (select tenant from longhaul.job where queue = l.queue and state = '%1$s' and tenant < l.after
                     order by tenant desc limit 1),
                    (select tenant from longhaul.job where queue = l.queue and state = '%1$s' order by tenant desc limit 1)) as tenant) t
                where t.tenant is not null
              union all
                select n.tenant, w.first, w.turn + 1 from turns w cross join lane l cross join lateral (select coalesce(
                    (select tenant from longhaul.job where queue = l.queue and state = '%1$s' and tenant < w.tenant
                     order by tenant desc limit 1),
                    (select tenant from longhaul.job where queue = l.queue and state = '%1$s' order by tenant desc limit 1)) as tenant) n
                where w.turn < l.turns and n.tenant is not null and n.tenant <> w.first
            ), heads as (
                select h.id, h.priority, w.turn, row_number() over (partition by w.turn order by h.priority desc, h.id) as rank
                from turns w cross join lane l cross join lateral (
                    select id, priority from longhaul.job c
                    where queue = l.queue and tenant = w.tenant and state = '%1$s' and run_at <= l.due and not cancel_requested
                    """ + KEY_OPEN + """
                    order by priority desc, id limit l.wanted) h
            ), chosen as (
                select id from heads order by priority desc, rank, turn limit (select wanted from lane)
            ), candidates as (
                select j.id, j.concurrency_key, j.priority from longhaul.job j
                where j.id in (select id from chosen) and j.state = '%1$s' and not j.cancel_requested
                order by j.id for update of j skip locked
            ), picked as (""" + PICKED + """
                returning j.*
            """ + JobQueries.CLAIM_EVENTS).formatted(JobQueries.CLAIMABLE);

    @Inject
    DataSource dataSource;
    @Inject
    JobQueries queries;
    @Inject
    Clock clock;

    /** What a claim needs to know of a lane's waiting jobs. */
    public record Look(int topPriority, boolean severalTenants) {
        /** Whether any job waits. */
        public boolean waiting() {
            return topPriority >= 0;
        }
    }

    /** The lane's top waiting priority (-1 when none waits) and whether more than one tenant waits. */
    public Look look(String lane) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(LOOK)) {
            s.setString(1, lane);
            s.setObject(2, JobQueries.time(clock.instant()));
            s.setString(3, lane);
            s.setString(4, lane);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                int top = rs.getInt(1);
                return new Look(rs.wasNull() ? -1 : top, rs.getBoolean(2));
            }
        }
    }

    /**
     * Claims up to {@code wanted} of the lane's next jobs within its controls, in one transaction:
     * in turn across tenants when {@code fair} (starting before the tenant {@code after} in name
     * order, or at the last when null), otherwise by priority, then age. The lane's {@code lane_control} row is
     * locked, so claims in a controlled lane happen one at a time across the cluster; a paused lane
     * gives none, a concurrency limit no more than it leaves free of the lane's RUNNING jobs, a rate
     * limit no more than its bucket holds. A lane without controls just gives its next jobs.
     */
    public Claimed next(String lane, int wanted, boolean fair, String after, String owner, Duration lease) throws SQLException {
        Instant now = clock.instant();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                LaneAllowance.Allowance allowance = LaneAllowance.read(c, lane, wanted, now);
                List<Job> jobs = new ArrayList<>();
                if (allowance.jobs() > 0 && fair) jobs.addAll(claim(c, true, lane, allowance.jobs(), after, owner, now, lease));
                if (allowance.jobs() > jobs.size()) {
                    jobs.addAll(claim(c, false, lane, allowance.jobs() - jobs.size(), null, owner, now, lease));
                }
                if (allowance.tokens() != null) LaneAllowance.spend(c, lane, allowance.tokens() - jobs.size(), now);
                c.commit();
                return new Claimed(jobs, wanted - allowance.jobs());
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** The jobs a claim took, and how many of the deliveries the lane's controls held back. */
    public record Claimed(List<Job> jobs, int heldBack) {
    }

    private List<Job> claim(Connection c, boolean fair, String lane, int wanted, String after, String owner, Instant now,
            Duration lease) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(fair ? CLAIM_FAIR : CLAIM_NEXT)) {
            Array from = c.createArrayOf("text", JobState.names(Transition.CLAIM.from()));
            // the chosen jobs' parameters come first in the statement, then the update's
            int i = 0;
            s.setString(++i, lane);
            if (fair) {
                s.setString(++i, after == null ? "" : after);
                s.setInt(++i, TENANTS_PER_CLAIM);
                s.setInt(++i, wanted);
                s.setObject(++i, JobQueries.time(now));
            } else {
                s.setObject(++i, JobQueries.time(now));
                s.setInt(++i, wanted);
            }
            i = JobQueries.bindClaimSet(s, i, from, owner, now, lease);
            s.setArray(++i, from);
            s.setObject(++i, JobQueries.time(now));
            s.setString(++i, owner);
            return queries.claimed(s);
        }
    }
}
