package dev.longhaul.api.access;

/** A request the key's roles or allow-lists do not permit: a 403 naming what is missing. */
public class MissingRoleException extends RuntimeException {
    private final Role role;

    public MissingRoleException(Role role, String why) {
        super(why);
        this.role = role;
    }

    /** The role that would have permitted it, or null when an allow-list refused it. */
    public Role role() {
        return role;
    }
}
