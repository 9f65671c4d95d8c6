package dev.longhaul.api.access;

import dev.longhaul.core.job.JobIds;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * API keys: made, listed, revoked, and checked on every request.
 *
 * <p>A key is {@code lh_<8 id chars>_<43 secret chars>}: 256 random bits of secret, base64url.
 * Only the sha256 of the whole key is stored, and a presented key is found by that hash (a digest
 * of a guess says nothing about any real key), then compared in constant time. The first 11
 * characters ({@code lh_} and the id part) are kept as a prefix to tell keys apart; they are not
 * part of the secret's 256 bits. Keys are never logged.
 *
 * <p>A checked key is cached for {@code longhaul.api.key-cache} (1 s), so a revocation is in force
 * everywhere within that time, and at once on the instance that revoked it.
 */
@ApplicationScoped
public class ApiKeys {
    private static final Logger LOG = Logger.getLogger(ApiKeys.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";
    private static final int MIN_BOOTSTRAP_LENGTH = 32;
    private static final int CACHE_LIMIT = 10_000;
    private static final String COLUMNS = "id, name, tenant, roles, kinds, datasets, prefix, created_at, revoked_at";

    /** A key as stored, without its secret. */
    public record Key(UUID id, String name, String tenant, Set<Role> roles, Set<String> kinds, Set<String> datasets,
            String prefix, Instant createdAt, Instant revokedAt) {
    }

    /** A key just made, with its secret: the only time the secret is seen. */
    public record Created(Key key, String secret) {
    }

    private record Cached(Key key, long until) {
    }

    @Inject
    DataSource dataSource;
    @Inject
    Clock clock;
    @ConfigProperty(name = "longhaul.bootstrap-admin-key")
    Optional<String> bootstrapKey;
    @ConfigProperty(name = "longhaul.api.key-cache", defaultValue = "1s")
    java.time.Duration cacheFor;

    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

    /** Ensures the bootstrap admin key exists, when one is configured. */
    void bootstrap(@Observes StartupEvent event) throws SQLException {
        if (bootstrapKey.isEmpty() || bootstrapKey.get().isBlank()) return;
        String secret = bootstrapKey.get().trim();
        if (secret.length() < MIN_BOOTSTRAP_LENGTH) {
            throw new IllegalStateException("LONGHAUL_BOOTSTRAP_ADMIN_KEY must be at least " + MIN_BOOTSTRAP_LENGTH
                    + " characters long (it has " + secret.length() + ")");
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                insert into longhaul.api_key (id, name, tenant, roles, secret_hash, created_at)
                values (?, 'bootstrap admin', ?, array['admin'], ?, ?)
                on conflict (secret_hash) do nothing
                returning id""")) {
            s.setObject(1, JobIds.next(clock));
            s.setString(2, dev.longhaul.core.tenant.Scope.DEFAULT_TENANT);
            s.setBytes(3, hash(secret));
            s.setObject(4, OffsetDateTime.now(clock));
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) LOG.infof("bootstrap admin key created (id %s)", rs.getObject(1));
            }
        }
        Key existing = lookup(hash(secret)).orElse(null);
        if (existing == null) {
            LOG.warn("LONGHAUL_BOOTSTRAP_ADMIN_KEY names a key that was revoked; it stays revoked");
        }
    }

    /** The key with this secret, if it exists and is not revoked. */
    public Optional<Key> authenticate(String presented) {
        if (presented == null || presented.isEmpty() || presented.length() > 512) return Optional.empty();
        byte[] digest = hash(presented);
        String id = HexFormat.of().formatHex(digest);
        long now = System.nanoTime();
        Cached cached = cache.get(id);
        if (cached != null && now - cached.until() < 0) return Optional.ofNullable(cached.key());
        Optional<Key> key = lookup(digest);
        if (cache.size() > CACHE_LIMIT) cache.clear();
        cache.put(id, new Cached(key.orElse(null), now + cacheFor.toNanos()));
        return key;
    }

    private Optional<Key> lookup(byte[] digest) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "select " + COLUMNS + ", secret_hash from longhaul.api_key where secret_hash = ? and revoked_at is null")) {
            s.setBytes(1, digest);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next() || !MessageDigest.isEqual(digest, rs.getBytes("secret_hash"))) return Optional.empty();
                return Optional.of(read(rs));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not check the API key: " + e.getMessage(), e);
        }
    }

    /** The key with this id, unless it was revoked: a dashboard session's key, read on every request. */
    public Optional<Key> active(UUID id) {
        return find(id).filter(key -> key.revokedAt() == null);
    }

    /** The key with this id, revoked or not (never its secret). */
    public Optional<Key> find(UUID id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "select " + COLUMNS + " from longhaul.api_key where id = ?")) {
            s.setObject(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the API key: " + e.getMessage(), e);
        }
    }

    /** Makes a key; its secret is in the result and nowhere else. */
    public Created create(String name, String tenant, Set<Role> roles, Set<String> kinds, Set<String> datasets, UUID createdBy) {
        String idPart = random(8);
        byte[] secretBytes = new byte[32];
        RANDOM.nextBytes(secretBytes);
        String secret = "lh_" + idPart + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
        UUID id = JobIds.next(clock);
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                insert into longhaul.api_key (id, name, tenant, roles, kinds, datasets, prefix, secret_hash, created_at, created_by)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                returning\s""" + COLUMNS)) {
            s.setObject(1, id);
            s.setString(2, name);
            s.setString(3, tenant);
            s.setArray(4, c.createArrayOf("text", roles.stream().map(Role::id).sorted().toArray()));
            s.setArray(5, kinds == null ? null : c.createArrayOf("text", new TreeSet<>(kinds).toArray()));
            s.setArray(6, datasets == null ? null : c.createArrayOf("text", new TreeSet<>(datasets).toArray()));
            s.setString(7, secret.substring(0, 11));
            s.setBytes(8, hash(secret));
            s.setObject(9, OffsetDateTime.now(clock));
            s.setObject(10, createdBy);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return new Created(read(rs), secret);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not store the API key: " + e.getMessage(), e);
        }
    }

    /** Every key, newest first, revoked ones included; never a secret. */
    public List<Key> list() {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "select " + COLUMNS + " from longhaul.api_key order by created_at desc, id desc limit 10000");
                ResultSet rs = s.executeQuery()) {
            List<Key> keys = new ArrayList<>();
            while (rs.next()) keys.add(read(rs));
            return keys;
        } catch (SQLException e) {
            throw new IllegalStateException("could not list API keys: " + e.getMessage(), e);
        }
    }

    /** Revokes the key; false if there is no such key or it was revoked already. */
    public boolean revoke(UUID id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "update longhaul.api_key set revoked_at = ? where id = ? and revoked_at is null")) {
            s.setObject(1, OffsetDateTime.now(clock));
            s.setObject(2, id);
            boolean revoked = s.executeUpdate() == 1;
            cache.clear();
            return revoked;
        } catch (SQLException e) {
            throw new IllegalStateException("could not revoke the API key: " + e.getMessage(), e);
        }
    }

    private static Key read(ResultSet rs) throws SQLException {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String r : strings(rs.getArray("roles"))) roles.add(Role.of(r));
        String[] kinds = strings(rs.getArray("kinds"));
        String[] datasets = strings(rs.getArray("datasets"));
        OffsetDateTime revoked = rs.getObject("revoked_at", OffsetDateTime.class);
        return new Key(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("tenant"), Set.copyOf(roles),
                kinds == null ? null : Set.of(kinds), datasets == null ? null : Set.of(datasets), rs.getString("prefix"),
                rs.getObject("created_at", OffsetDateTime.class).toInstant(), revoked == null ? null : revoked.toInstant());
    }

    private static String[] strings(Array array) throws SQLException {
        return array == null ? null : Arrays.stream((Object[]) array.getArray()).map(String::valueOf).toArray(String[]::new);
    }

    private static String random(int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) s.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        return s.toString();
    }

    static byte[] hash(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
