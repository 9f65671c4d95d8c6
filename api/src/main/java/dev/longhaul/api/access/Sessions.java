package dev.longhaul.api.access;

import dev.longhaul.api.ui.UiConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Dashboard sessions: signing in with an API key makes one, held by the browser as a random token
 * (256 bits) of which only the sha256 is stored. A session acts with its key's tenant and roles,
 * and the key is read again on every request, so a revoked key's sessions end at once. Each
 * session has its own CSRF token, which every state-changing form carries.
 */
@ApplicationScoped
public class Sessions {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A live session: its key, and the CSRF token its forms carry. */
    public record Session(ApiKeys.Key key, String csrf) {
    }

    /** A session just made: the token for the cookie, and the session. */
    public record Started(String token, Session session) {
    }

    @Inject
    DataSource dataSource;
    @Inject
    ApiKeys keys;
    @Inject
    Clock clock;
    @Inject
    UiConfig config;
    @Inject
    Caller caller;

    /**
     * Signs in with a presented API key: a session for it, or empty when the key is unknown or
     * revoked. A key without the {@code read} role cannot see any page: {@link MissingRoleException}.
     * The sign-in is audited as the key's own request.
     */
    public Optional<Started> signIn(String presented) {
        Optional<ApiKeys.Key> key = keys.authenticate(presented == null ? null : presented.trim());
        if (key.isEmpty()) return Optional.empty();
        if (!key.get().roles().contains(Role.READ) && !key.get().roles().contains(Role.ADMIN)) {
            throw new MissingRoleException(Role.READ, "this key lacks the 'read' role the dashboard needs");
        }
        Started started = start(key.get());
        caller.authenticate(started.session());
        return Optional.of(started);
    }

    /** How long a session lasts from sign-in. */
    public Duration lifetime() {
        return config.sessionLifetime();
    }

    /** Starts a session for {@code key}, and forgets the expired ones. */
    private Started start(ApiKeys.Key key) {
        String token = random();
        String csrf = random();
        OffsetDateTime now = OffsetDateTime.now(clock);
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("delete from longhaul.ui_session where expires_at < ?")) {
                s.setObject(1, now);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("""
                    insert into longhaul.ui_session (token_hash, key_id, csrf, created_at, expires_at)
                    values (?, ?, ?, ?, ?)""")) {
                s.setBytes(1, ApiKeys.hash(token));
                s.setObject(2, key.id());
                s.setString(3, csrf);
                s.setObject(4, now);
                s.setObject(5, now.plus(lifetime()));
                s.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not start a session: " + e.getMessage(), e);
        }
        return new Started(token, new Session(key, csrf));
    }

    /** The live session of {@code token}: not expired, its key not revoked. */
    public Optional<Session> find(String token) {
        if (token == null || token.isEmpty() || token.length() > 100) return Optional.empty();
        UUID keyId;
        String csrf;
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "select key_id, csrf from longhaul.ui_session where token_hash = ? and expires_at > ?")) {
            s.setBytes(1, ApiKeys.hash(token));
            s.setObject(2, OffsetDateTime.now(clock));
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                keyId = rs.getObject(1, UUID.class);
                csrf = rs.getString(2);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the session: " + e.getMessage(), e);
        }
        return keys.active(keyId).map(key -> new Session(key, csrf));
    }

    /** Ends the session of {@code token}, if there is one. */
    public void end(String token) {
        if (token == null || token.isEmpty() || token.length() > 100) return;
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "delete from longhaul.ui_session where token_hash = ?")) {
            s.setBytes(1, ApiKeys.hash(token));
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not end the session: " + e.getMessage(), e);
        }
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
