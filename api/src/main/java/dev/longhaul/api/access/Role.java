package dev.longhaul.api.access;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What a key may do. Roles do not imply each other, except {@link #ADMIN}, which may do
 * everything, in every tenant.
 */
public enum Role {
    /** GET routes and downloads. */
    READ,
    /** Jobs, batches and uploads. */
    SUBMIT,
    /** Cancel, retry, schedules, queue controls. */
    OPERATE,
    /** Keys, workers, the audit log, the kinds {@code seed}, {@code purge} and {@code fail}, and every tenant. */
    ADMIN;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role named {@code id} (lower case), or null. */
    @JsonCreator
    public static Role of(String id) {
        for (Role role : values()) {
            if (role.id().equals(id)) return role;
        }
        return null;
    }
}
