package dev.longhaul.api.access;

import dev.longhaul.core.tenant.Scope;
import jakarta.enterprise.context.RequestScoped;
import java.util.Set;
import java.util.UUID;

/**
 * Who is calling: the API key that {@link AccessFilters} authenticated for this request. Services
 * ask it for the caller's {@link #scope()} and check roles that depend on the request's content
 * (the admin kinds, a key's allow-lists).
 */
@RequestScoped
public class Caller {
    private ApiKeys.Key key;
    private String csrf;

    void authenticate(ApiKeys.Key key) {
        this.key = key;
    }

    /** A dashboard request: the session's key, and the CSRF token its forms carry. */
    void authenticate(Sessions.Session session) {
        this.key = session.key();
        this.csrf = session.csrf();
    }

    /** The CSRF token of the dashboard session this request came with; null for an API key. */
    public String csrf() {
        return csrf;
    }

    /** The name of the caller's key, to show who is signed in. */
    public String keyName() {
        return key().name();
    }

    /** Whether a key was presented and accepted. */
    public boolean authenticated() {
        return key != null;
    }

    public UUID keyId() {
        return key().id();
    }

    public String tenant() {
        return key().tenant();
    }

    public boolean has(Role role) {
        Set<Role> roles = key().roles();
        return roles.contains(Role.ADMIN) || roles.contains(role);
    }

    /** Throws {@link MissingRoleException} unless the key has {@code role}. */
    public void require(Role role, String why) {
        if (!has(role)) throw new MissingRoleException(role, why);
    }

    /** The rows this key sees: its tenant's, or every tenant's for an admin. */
    public Scope scope() {
        return has(Role.ADMIN) ? Scope.all() : Scope.tenant(tenant());
    }

    /** Whether the key's allow-list lets it submit {@code kind}; true when it has none. */
    public boolean mayUseKind(String kind) {
        return key().kinds() == null || key().kinds().contains(kind);
    }

    /** Whether the key's allow-list lets it name {@code dataset}; true when it has none. */
    public boolean mayUseDataset(String dataset) {
        return key().datasets() == null || key().datasets().contains(dataset);
    }

    private ApiKeys.Key key() {
        if (key == null) throw new IllegalStateException("no authenticated caller in this request");
        return key;
    }
}
