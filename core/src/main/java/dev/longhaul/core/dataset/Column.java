package dev.longhaul.core.dataset;

/**
 * A column of a dataset.
 *
 * @param name       its name in requests and output headers
 * @param expr       the SQL expression that reads it, from the dataset declaration (e.g. {@code c.email})
 * @param filterable whether filters may name it
 * @param settable   whether bulk updates may set it (only plain columns of the dataset's own table)
 * @param format     a further rule its values must follow on import; {@code email}, or null
 */
public record Column(String name, String expr, ColumnType type, boolean filterable, boolean settable, String format) {
    public Column(String name, String expr, ColumnType type, boolean filterable, boolean settable) {
        this(name, expr, type, filterable, settable, null);
    }
}
