package dev.longhaul.core.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.UUID;

/**
 * The types a dataset column may have. Each parses a JSON value into a typed Java value, and names
 * the PostgreSQL type a bound value is cast to.
 */
public enum ColumnType {
    BIGINT("bigint", "a whole number"),
    INTEGER("integer", "a whole number"),
    NUMERIC("numeric", "a number"),
    TEXT("text", "a string without NUL characters"),
    BOOLEAN("boolean", "true or false"),
    TIMESTAMPTZ("timestamptz", "an ISO-8601 timestamp with offset in the years 1 to 9999, e.g. 2026-01-31T00:00:00Z"),
    DATE("date", "an ISO-8601 date in the years 1 to 9999, e.g. 2026-01-31"),
    UUID("uuid", "a UUID");

    private final String sql;
    private final String expected;

    ColumnType(String sql, String expected) {
        this.sql = sql;
        this.expected = expected;
    }

    /** The PostgreSQL type name used in casts. */
    public String sql() {
        return sql;
    }

    /** What a value of this type looks like, for error messages. */
    public String expected() {
        return expected;
    }

    public static ColumnType of(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown column type '" + name + "'; known: bigint, integer, numeric, text, boolean, timestamptz, date, uuid");
        }
    }

    /**
     * The typed value of a JSON value, or an {@link IllegalArgumentException} saying what was
     * expected. JSON null is not a value here; {@code isNull} filters say so explicitly.
     */
    public Object parse(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            throw new IllegalArgumentException("is missing: expected " + expected);
        }
        try {
            return switch (this) {
                case BIGINT -> {
                    if (!node.canConvertToLong() || !node.isIntegralNumber()) throw new IllegalArgumentException();
                    yield node.longValue();
                }
                case INTEGER -> {
                    if (!node.isIntegralNumber() || !node.canConvertToInt()) throw new IllegalArgumentException();
                    yield node.intValue();
                }
                case NUMERIC -> {
                    if (!node.isNumber()) throw new IllegalArgumentException();
                    yield node.decimalValue();
                }
                case TEXT -> {
                    if (!node.isTextual() || node.textValue().indexOf('\0') >= 0) throw new IllegalArgumentException();
                    yield node.textValue();
                }
                case BOOLEAN -> {
                    if (!node.isBoolean()) throw new IllegalArgumentException();
                    yield node.booleanValue();
                }
                case TIMESTAMPTZ -> inRange(OffsetDateTime.parse(text(node)), OffsetDateTime::getYear);
                case DATE -> inRange(LocalDate.parse(text(node)), LocalDate::getYear);
                case UUID -> java.util.UUID.fromString(text(node));
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + (node.isTextual() ? node.textValue() : node.toString())
                    + "' is not " + expected);
        }
    }

    /** The years a date or timestamp may have: the four-digit ones, which every client and PostgreSQL agree on. */
    public static final int MIN_YEAR = 1;
    public static final int MAX_YEAR = 9999;

    private static <T> T inRange(T value, java.util.function.ToIntFunction<T> year) {
        int y = year.applyAsInt(value);
        if (y < MIN_YEAR || y > MAX_YEAR) throw new IllegalArgumentException("year " + y);
        return value;
    }

    /**
     * Checks a value read as text (a CSV field) and returns it in the form PostgreSQL casts back,
     * or an {@link IllegalArgumentException} saying what was expected.
     */
    public String parseText(String value) {
        // the message never quotes the value: it is kept with the job, and a field may be a megabyte of a customer's data
        try {
            return switch (this) {
                case BIGINT -> Long.toString(Long.parseLong(value.trim()));
                case INTEGER -> Integer.toString(Integer.parseInt(value.trim()));
                case NUMERIC -> new BigDecimal(value.trim()).toPlainString();
                case TEXT -> value;
                case BOOLEAN -> switch (value.trim().toLowerCase(Locale.ROOT)) {
                    case "true", "t", "1", "yes" -> "true";
                    case "false", "f", "0", "no" -> "false";
                    default -> throw new IllegalArgumentException();
                };
                case TIMESTAMPTZ -> OffsetDateTime.parse(value.trim()).toString();
                case DATE -> LocalDate.parse(value.trim()).toString();
                case UUID -> java.util.UUID.fromString(value.trim()).toString();
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("is not " + expected);
        }
    }

    /** The text form PostgreSQL reads back with a cast to {@link #sql()}. */
    public static String text(Object value) {
        return switch (value) {
            case BigDecimal d -> d.toPlainString();
            case OffsetDateTime t -> t.toString();
            case LocalDate d -> d.toString();
            case UUID u -> u.toString();
            default -> String.valueOf(value);
        };
    }

    private static String text(JsonNode node) {
        if (!node.isTextual()) throw new IllegalArgumentException();
        return node.textValue();
    }
}
