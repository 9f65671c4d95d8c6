package dev.longhaul.api.access;

import dev.longhaul.core.dispatch.Batcher;
import dev.longhaul.core.tenant.Scope;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The audit log: one row per state-changing request, with no secret and no params. Rows that
 * arrive together are written in one statement ({@link Batcher}), after the response: a request
 * does not wait for its row. A stopping api writes what is queued; a process killed outright can
 * lose the rows of its last few milliseconds.
 */
@ApplicationScoped
public class AuditLog {
    private static final Logger LOG = Logger.getLogger(AuditLog.class);

    /** One audited request. {@code outcome} is its HTTP status. */
    public record Entry(long id, Instant at, String tenant, UUID keyId, String action, String target, int outcome) {
    }

    private record Pending(Instant at, String tenant, UUID keyId, String action, String target, int outcome) {
    }

    @Inject
    DataSource dataSource;
    @Inject
    Clock clock;

    private Batcher<Pending, Boolean> writer;

    @PostConstruct
    void start() {
        writer = new Batcher<>("longhaul-audit", 500, this::write);
    }

    /** Records one request; the row is written with the others that arrive meanwhile. */
    public void record(String tenant, UUID keyId, String action, String target, int outcome) {
        writer.offer(new Pending(clock.instant(), tenant, keyId, action, target, outcome))
                .exceptionally(e -> {
                    LOG.warnf("an audit row was not written (%s %s): %s", action, target, e.getMessage());
                    return false;
                });
    }

    private List<Boolean> write(List<Pending> rows) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                insert into longhaul.audit (at, tenant, key_id, action, target, outcome)
                select cast(u.at as timestamptz), u.tenant, u.key_id, u.action, u.target, u.outcome
                from unnest(?::text[], ?::text[], ?::uuid[], ?::text[], ?::text[], ?::int4[])
                     as u(at, tenant, key_id, action, target, outcome)""")) {
            s.setArray(1, c.createArrayOf("text", rows.stream().map(r -> r.at().toString()).toArray()));
            s.setArray(2, c.createArrayOf("text", rows.stream().map(Pending::tenant).toArray()));
            s.setArray(3, c.createArrayOf("uuid", rows.stream().map(Pending::keyId).toArray()));
            s.setArray(4, c.createArrayOf("text", rows.stream().map(Pending::action).toArray()));
            s.setArray(5, c.createArrayOf("text", rows.stream().map(Pending::target).toArray()));
            s.setArray(6, c.createArrayOf("int4", rows.stream().map(Pending::outcome).toArray()));
            s.executeUpdate();
            return Collections.nCopies(rows.size(), Boolean.TRUE);
        } catch (SQLException e) {
            throw new IllegalStateException("could not write the audit log: " + e.getMessage(), e);
        }
    }

    /** A page of entries in {@code scope}, newest first; {@code after} is the last id of the previous page. */
    public List<Entry> page(Scope scope, Long after, int limit) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                select id, at, tenant, key_id, action, target, outcome from longhaul.audit
                where (cast(? as text) is null or tenant = ?) and (cast(? as bigint) is null or id < ?)
                order by id desc limit ?""")) {
            String tenant = scope.only().orElse(null);
            s.setString(1, tenant);
            s.setString(2, tenant);
            s.setObject(3, after);
            s.setObject(4, after);
            s.setInt(5, limit);
            List<Entry> entries = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    entries.add(new Entry(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getString(3),
                            rs.getObject(4, UUID.class), rs.getString(5), rs.getString(6), rs.getInt(7)));
                }
            }
            return entries;
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the audit log: " + e.getMessage(), e);
        }
    }

    @PreDestroy
    void stop() {
        writer.close();
    }
}
