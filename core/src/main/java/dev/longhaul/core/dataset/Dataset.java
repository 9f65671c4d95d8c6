package dev.longhaul.core.dataset;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A table that jobs may walk, as declared in configuration: its key (unique; one or more columns,
 * compared as a row), its typed columns (which may come from joined tables), and which columns may
 * be filtered and set. Every identifier and SQL fragment here comes from the operator's
 * declaration, never from a request.
 *
 * @param from    {@code schema.table alias} plus any joins, e.g. {@code shop.orders o join shop.customers c on …}
 * @param table   the dataset's own table, {@code schema.table}
 * @param alias   the alias of {@code table} in {@code from}
 * @param key     the key columns, in key order
 * @param columns every column by name, in declaration order
 * @param unique  further unique columns, usable as upsert targets
 */
public record Dataset(String name, String table, String alias, String from, List<Column> key,
        Map<String, Column> columns, List<String> unique) {

    public Optional<Column> column(String name) {
        return Optional.ofNullable(columns.get(name));
    }

    /** Whether {@code column} is a plain column of the dataset's own table (not joined, not computed). */
    public boolean own(Column column) {
        return column.expr().equals(alias + "." + column.name());
    }

    /** {@code (o.id)} or {@code (o.a, o.b)}: the key as a row, for keyset comparisons. */
    public String keyRow() {
        return "(" + String.join(", ", key.stream().map(Column::expr).toList()) + ")";
    }

    /** {@code o.id} or {@code o.a, o.b}: for ORDER BY. */
    public String keyOrder() {
        return String.join(", ", key.stream().map(Column::expr).toList());
    }

    /** {@code o.id desc} or {@code o.a desc, o.b desc}. */
    public String keyOrderDescending() {
        return String.join(", ", key.stream().map(c -> c.expr() + " desc").toList());
    }
}
