package dev.longhaul.api.ui;

import dev.longhaul.core.job.JobFilter;
import dev.longhaul.core.job.JobState;
import dev.longhaul.core.kind.FieldError;
import dev.longhaul.core.kind.InvalidRequestException;
import dev.longhaul.core.message.Lanes;
import dev.longhaul.core.tenant.Scope;
import jakarta.ws.rs.core.MultivaluedMap;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The jobs list's filter as the URL (or a form) carries it: {@code state}, {@code kind},
 * {@code lane}, {@code tenant}, {@code from} and {@code to} (UTC, {@code 2026-11-21T09:30}) and
 * {@code q} (an id or an idempotency key). The fields keep what was typed, to show it again.
 */
record ListFilter(String state, String kind, String lane, String tenant, String from, String to, String q) {
    private static final Pattern KIND = Pattern.compile("^[a-z][a-z0-9-]{0,63}$");

    static ListFilter of(MultivaluedMap<String, String> values) {
        return new ListFilter(value(values, "state"), value(values, "kind"), value(values, "lane"), value(values, "tenant"),
                value(values, "from"), value(values, "to"), value(values, "q"));
    }

    /** The id that {@code q} names, if it is one: the page goes straight to that job. */
    Optional<UUID> id() {
        try {
            return q == null ? Optional.empty() : Optional.of(UUID.fromString(q));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The filter to search with; bad input is an {@link InvalidRequestException} naming each field. */
    JobFilter parse() {
        List<FieldError> errors = new ArrayList<>();
        JobState jobState = null;
        if (state != null) {
            try {
                jobState = JobState.valueOf(state);
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("state", "'" + state + "' is not a state; states: " + List.of(JobState.values())));
            }
        }
        if (kind != null && !KIND.matcher(kind).matches()) errors.add(new FieldError("kind", "is not a kind's name"));
        if (lane != null && !Lanes.ALL.contains(lane)) errors.add(new FieldError("lane", "'" + lane + "' is not a lane; lanes: " + Lanes.ALL));
        if (tenant != null && !Scope.validName(tenant)) errors.add(new FieldError("tenant", "is not a tenant's name"));
        Instant fromTime = time("from", from, errors);
        Instant toTime = time("to", to, errors);
        if (q != null && q.length() > 200) errors.add(new FieldError("q", "is longer than an idempotency key can be (200)"));
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
        return new JobFilter(jobState, kind, lane, tenant, fromTime, toTime, q);
    }

    /** The filter as a query string ({@code state=FAILED&kind=export}), without empty fields. */
    String query() {
        StringBuilder out = new StringBuilder();
        asMap().forEach((name, value) -> {
            if (value == null) return;
            if (!out.isEmpty()) out.append('&');
            out.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        });
        return out.toString();
    }

    /** The fields by name, in order; empty ones are null. */
    public Map<String, String> asMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("state", state);
        map.put("kind", kind);
        map.put("lane", lane);
        map.put("tenant", tenant);
        map.put("from", from);
        map.put("to", to);
        map.put("q", q);
        return map;
    }

    private static Instant time(String field, String value, List<FieldError> errors) {
        if (value == null) return null;
        try {
            return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            errors.add(new FieldError(field, "'" + value + "' is not a time like 2026-11-21T09:30 (UTC)"));
            return null;
        }
    }

    private static String value(MultivaluedMap<String, String> values, String name) {
        String v = values.getFirst(name);
        return v == null || v.isBlank() ? null : v.trim();
    }
}
