package dev.longhaul.api;

import dev.longhaul.core.kind.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Query parameters read the same way on every route: a bad value is a 400 naming the parameter,
 * never a 500 or a silent default.
 */
public final class QueryParams {
    private QueryParams() {
    }

    /** A page size from 1 to {@code max}; {@code otherwise} when absent. */
    public static int limit(String value, int otherwise, int max) {
        if (value == null || value.isBlank()) return otherwise;
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1 && n <= max) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new InvalidRequestException("limit", "must be a whole number from 1 to " + max);
    }

    /** A UUID, or null when absent. */
    public static UUID uuid(String value, String field) {
        if (value == null || value.isBlank()) return null;
        try {
            return UUID.fromString(value.trim());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(field, "must be a UUID");
        }
    }

    /** Whole seconds from 0 to {@code max}; zero when absent. */
    public static Duration seconds(String value, String field, int max) {
        if (value == null || value.isBlank()) return Duration.ZERO;
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 0 && n <= max) return Duration.ofSeconds(n);
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new InvalidRequestException(field, "must be a whole number of seconds from 0 to " + max);
    }

    /** A whole number, or {@code otherwise} when absent. */
    public static long whole(String value, String field, long otherwise) {
        if (value == null || value.isBlank()) return otherwise;
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(field, "must be a whole number");
        }
    }

    /**
     * An opaque keyset cursor over several sort values (a name and an id, say): what a page hands
     * out as {@code next}, so a client never builds one.
     */
    public static String cursor(String... values) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(String.join("\0", values).getBytes(StandardCharsets.UTF_8));
    }

    /** The values of a {@link #cursor}, exactly {@code parts} of them, or null when absent. */
    public static List<String> cursor(String value, int parts) {
        if (value == null || value.isBlank()) return null;
        try {
            String[] values = new String(Base64.getUrlDecoder().decode(value.trim()), StandardCharsets.UTF_8).split("\0", -1);
            if (values.length == parts) return List.of(values);
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw new InvalidRequestException("after", "must be the 'next' of a previous page");
    }
}
