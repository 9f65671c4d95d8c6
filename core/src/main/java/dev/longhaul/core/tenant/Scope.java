package dev.longhaul.core.tenant;

import jakarta.persistence.Query;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Whose rows a caller may see and act on: one tenant's, or (for an admin) every tenant's. Every
 * query over tenant-owned rows (jobs, schedules, uploads, and artifacts and events through their
 * job) takes a scope: a JPA query adds {@link #predicate(String)} and {@link #bind}s the scope; the
 * few plain-JDBC ones test {@link #only()} themselves.
 * A row outside the scope is treated as absent: the API answers 404, never 403.
 */
public final class Scope {
    /** The tenant of rows made before tenants existed, and of the bootstrap admin key. */
    public static final String DEFAULT_TENANT = "default";
    private static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,62}$");
    private static final Scope ALL = new Scope(null);

    private final String tenant;

    private Scope(String tenant) {
        this.tenant = tenant;
    }

    /** Every tenant's rows: for admin keys and for the system's own maintenance. */
    public static Scope all() {
        return ALL;
    }

    /** One tenant's rows. */
    public static Scope tenant(String tenant) {
        if (tenant == null || !NAME.matcher(tenant).matches()) {
            throw new IllegalArgumentException("not a tenant name: " + tenant);
        }
        return new Scope(tenant);
    }

    /** Whether {@code name} is a valid tenant name: lower-case letters, digits, '-' and '_', 1 to 63 long. */
    public static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** The one tenant, or empty for every tenant. */
    public Optional<String> only() {
        return Optional.ofNullable(tenant);
    }

    public boolean includes(String rowTenant) {
        return tenant == null || tenant.equals(rowTenant);
    }

    /**
     * The predicate for a tenant column of a JPA query, to AND into its WHERE clause, with the named
     * parameters {@code :allTenants} and {@code :tenant} that {@link #bind} sets.
     */
    public static String predicate(String column) {
        return "(:allTenants = true or " + column + " = :tenant)";
    }

    /** Binds the parameters of {@link #predicate(String)} on {@code query}. */
    public <Q extends Query> Q bind(Q query) {
        query.setParameter("allTenants", tenant == null);
        query.setParameter("tenant", tenant == null ? "" : tenant);
        return query;
    }

    @Override
    public String toString() {
        return tenant == null ? "all tenants" : "tenant " + tenant;
    }
}
