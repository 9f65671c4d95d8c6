package dev.longhaul.core.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.longhaul.core.tenant.Scope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Finding jobs by a {@link JobFilter}, for the dashboard and for bulk actions: keyset pages on the
 * id (never OFFSET), the planner's estimate of how many match (cheap at any table size), a count
 * that stops at a cap, and the matching ids in key order. Every statement is the same WHERE clause
 * made of fixed fragments, with every value bound; the scope's tenant is always one of them.
 */
@ApplicationScoped
public class JobSearch {
    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;

    /** A WHERE clause and its values, in order. */
    private record Where(String sql, List<Object> values) {
    }

    /**
     * A page of matching jobs, newest first: those older than {@code after}, or (paging back) the
     * ones just newer than {@code before}. Uses the primary key, or the state, kind or tenant index.
     */
    public List<Job> page(Scope scope, JobFilter filter, UUID after, UUID before, int limit) throws SQLException {
        Where where = where(scope, filter);
        StringBuilder sql = new StringBuilder("select * from longhaul.job where ").append(where.sql());
        List<Object> values = new ArrayList<>(where.values());
        if (before != null) {
            sql.append(" and id > ? order by id asc limit ?");
            values.add(before);
        } else {
            if (after != null) {
                sql.append(" and id < ?");
                values.add(after);
            }
            sql.append(" order by id desc limit ?");
        }
        values.add(limit);
        List<Job> jobs = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = prepare(c, sql.toString(), values);
                ResultSet rs = s.executeQuery()) {
            while (rs.next()) jobs.add(Job.fromRow(rs, json));
        }
        if (before != null) Collections.reverse(jobs);
        return jobs;
    }

    /** How many jobs match, as the planner estimates it from its statistics: no row is read. */
    public long estimate(Scope scope, JobFilter filter) throws SQLException {
        Where where = where(scope, filter);
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = prepare(c, "explain (format json) select 1 from longhaul.job where " + where.sql(),
                        where.values());
                ResultSet rs = s.executeQuery()) {
            rs.next();
            JsonNode plan = json.readTree(rs.getString(1)).path(0).path("Plan");
            return plan.path("Plan Rows").asLong();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException("unreadable plan: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * How many jobs match with an id up to {@code upTo}, counted exactly but never past {@code cap}:
     * the answer is {@code cap} when there are at least that many.
     */
    public long countUpTo(Scope scope, JobFilter filter, UUID upTo, long cap) throws SQLException {
        Where where = where(scope, filter);
        List<Object> values = new ArrayList<>(where.values());
        values.add(upTo);
        values.add(cap);
        try (Connection c = dataSource.getConnection(); PreparedStatement s = prepare(c,
                "select count(*) from (select 1 from longhaul.job where " + where.sql() + " and id <= ? limit ?) m", values);
                ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The newest matching job's id, or empty when none matches: a bulk action's upper bound. */
    public Optional<UUID> newest(Scope scope, JobFilter filter) throws SQLException {
        Where where = where(scope, filter);
        try (Connection c = dataSource.getConnection(); PreparedStatement s = prepare(c,
                "select id from longhaul.job where " + where.sql() + " order by id desc limit 1", where.values());
                ResultSet rs = s.executeQuery()) {
            return rs.next() ? Optional.of(rs.getObject(1, UUID.class)) : Optional.empty();
        }
    }

    /**
     * The ids of matching jobs after {@code after} (or from the first) up to {@code upTo}, in key
     * order, on the caller's connection (a bulk action's chunk transaction).
     */
    public List<UUID> idsAfter(Connection c, Scope scope, JobFilter filter, UUID after, UUID upTo, int limit)
            throws SQLException {
        Where where = where(scope, filter);
        List<Object> values = new ArrayList<>(where.values());
        String sql = "select id from longhaul.job where " + where.sql() + " and id <= ?";
        values.add(upTo);
        if (after != null) {
            sql += " and id > ?";
            values.add(after);
        }
        values.add(limit);
        List<UUID> ids = new ArrayList<>();
        try (PreparedStatement s = prepare(c, sql + " order by id limit ?", values); ResultSet rs = s.executeQuery()) {
            while (rs.next()) ids.add(rs.getObject(1, UUID.class));
        }
        return ids;
    }

    /** One job by id, if in {@code scope}: for the dashboard's live view, which runs outside any request. */
    public Optional<Job> find(UUID id, Scope scope) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = prepare(c, "select * from longhaul.job where id = ?", List.of(id));
                ResultSet rs = s.executeQuery()) {
            return rs.next() ? Optional.of(Job.fromRow(rs, json)).filter(job -> scope.includes(job.tenant())) : Optional.empty();
        }
    }

    private static Where where(Scope scope, JobFilter f) {
        StringBuilder sql = new StringBuilder("true");
        List<Object> values = new ArrayList<>();
        String tenant = scope.only().orElse(f.tenant());
        if (scope.only().isPresent() && f.tenant() != null && !f.tenant().equals(tenant)) {
            // a tenant outside the scope: nothing matches
            sql.append(" and false");
        }
        if (tenant != null) {
            sql.append(" and tenant = ?");
            values.add(tenant);
        }
        if (f.state() != null) {
            sql.append(" and state = ?");
            values.add(f.state().name());
        }
        if (f.kind() != null) {
            sql.append(" and kind = ?");
            values.add(f.kind());
        }
        if (f.queue() != null) {
            sql.append(" and queue = ?");
            values.add(f.queue());
        }
        if (f.createdFrom() != null) {
            sql.append(" and id >= ?");
            values.add(JobIds.floor(f.createdFrom()));
        }
        if (f.createdBefore() != null) {
            sql.append(" and id < ?");
            values.add(JobIds.floor(f.createdBefore()));
        }
        if (f.idempotencyKey() != null) {
            sql.append(" and idempotency_key = ?");
            values.add(f.idempotencyKey());
        }
        return new Where(sql.toString(), values);
    }

    private static PreparedStatement prepare(Connection c, String sql, List<Object> values) throws SQLException {
        PreparedStatement s = c.prepareStatement(sql);
        for (int i = 0; i < values.size(); i++) s.setObject(i + 1, values.get(i));
        return s;
    }
}
