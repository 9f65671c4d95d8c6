package dev.longhaul.core.tenant;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Whose rows a caller may see and act on: one tenant's, or (for an admin) every tenant's. Every
 * query over tenant-owned rows (jobs, schedules, uploads, and artifacts and events through their
 * job) takes a scope, and adds its predicate with {@link #sql(String)} and {@link #parameter()}.
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
     * The predicate for a tenant column, to AND into a WHERE clause: binds {@link #parameter()}
     * once, as a text parameter; true for every row when the scope is all tenants.
     */
    public static String sql(String column) {
        return "(cast(? as text) is null or " + column + " = ?)";
    }

    /** The value to bind twice, for the two placeholders of {@link #sql(String)}. */
    public String parameter() {
        return tenant;
    }

    @Override
    public String toString() {
        return tenant == null ? "all tenants" : "tenant " + tenant;
    }
}
