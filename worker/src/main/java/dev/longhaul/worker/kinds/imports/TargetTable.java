package dev.longhaul.worker.kinds.imports;

import dev.longhaul.core.dataset.Column;
import dev.longhaul.core.dataset.Dataset;
import dev.longhaul.core.mail.Addresses;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The columns a CSV header names, checked against the dataset and the table's own catalog
 * entry, and the row checks that follow from them: field count, type, required, length, format.
 * A row that passes them all can still be refused by the database (a foreign key, a CHECK); the
 * merge finds those one by one.
 */
final class TargetTable {
    private record Catalog(boolean nullable, boolean defaulted, Integer maxLength) {
    }

    final List<Column> columns;
    /**
     * Whether the server counts this transaction's inserts ({@code track_counts}), so that an
     * upsert learns its inserted rows from {@link #INSERTED_IN_TRANSACTION} instead of a flag
     * returned per row.
     */
    final boolean countsInserts;
    /**
     * Whether the table is partitioned: its rows cannot return system columns, so an upsert into
     * it can only be counted while the server counts inserts.
     */
    final boolean partitioned;
    private final List<Catalog> catalog;

    /**
     * The rows this transaction inserted into the table, with one placeholder for its name twice:
     * a partitioned table's inserts count in its leaf partitions, a plain table's in itself.
     */
    static final String INSERTED_IN_TRANSACTION = """
            select coalesce((select sum(pg_stat_get_xact_tuples_inserted(relid)) from pg_partition_tree(cast(? as regclass))
                             where isleaf),
                            pg_stat_get_xact_tuples_inserted(cast(? as regclass)))""";

    private TargetTable(List<Column> columns, boolean countsInserts, boolean partitioned, List<Catalog> catalog) {
        this.columns = columns;
        this.countsInserts = countsInserts;
        this.partitioned = partitioned;
        this.catalog = catalog;
    }

    /**
     * The header's columns; an {@link IllegalArgumentException} says what is wrong with the
     * header (unknown, repeated or joined columns, a required column or the key missing).
     */
    static TargetTable of(Connection connection, Dataset dataset, List<String> header, Column key) throws SQLException {
        Map<String, Catalog> table = catalog(connection, dataset.table());
        List<Column> columns = new ArrayList<>();
        List<Catalog> entries = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < header.size(); i++) {
            String name = header.get(i).trim();
            Column column = dataset.column(name).orElse(null);
            if (column == null || !dataset.own(column) || !table.containsKey(name)) {
                throw new IllegalArgumentException("the header's column " + (i + 1) + ", '" + name + "', is not a column of "
                        + dataset.table() + " in dataset " + dataset.name() + "; columns: "
                        + dataset.columns().values().stream().filter(dataset::own).map(Column::name).toList());
            }
            if (!seen.add(name)) throw new IllegalArgumentException("the header names '" + name + "' twice");
            columns.add(column);
            entries.add(table.get(name));
        }
        if (!seen.contains(key.name())) {
            throw new IllegalArgumentException("the header lacks '" + key.name() + "', the column rows are matched on");
        }
        for (var entry : table.entrySet()) {
            Catalog c = entry.getValue();
            if (!c.nullable() && !c.defaulted() && !seen.contains(entry.getKey())) {
                throw new IllegalArgumentException("the header lacks '" + entry.getKey() + "', which " + dataset.table()
                        + " requires");
            }
        }
        try (PreparedStatement s = connection.prepareStatement(
                "select current_setting('track_counts')::boolean, relkind = 'p' from pg_class where oid = cast(? as regclass)")) {
            s.setString(1, dataset.table());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return new TargetTable(List.copyOf(columns), rs.getBoolean(1), rs.getBoolean(2), List.copyOf(entries));
            }
        }
    }

    /** Each field in the form the staging table keeps (null for an empty field), or why the row is bad. */
    String[] check(List<String> fields, List<String> errors) {
        if (fields.size() != columns.size()) {
            errors.add("has " + fields.size() + " fields; the header has " + columns.size());
            return null;
        }
        String[] values = new String[fields.size()];
        for (int i = 0; i < fields.size(); i++) {
            Column column = columns.get(i);
            Catalog entry = catalog.get(i);
            String field = fields.get(i);
            if (field.isEmpty()) {
                if (!entry.nullable()) errors.add(column.name() + " is required");
                continue;
            }
            try {
                values[i] = column.type().parseText(field);
            } catch (IllegalArgumentException e) {
                errors.add(column.name() + " " + e.getMessage());
                continue;
            }
            if (entry.maxLength() != null && field.codePointCount(0, field.length()) > entry.maxLength()) {
                errors.add(column.name() + " is " + field.codePointCount(0, field.length()) + " characters long; at most "
                        + entry.maxLength());
            } else if ("email".equals(column.format()) && !Addresses.isEmail(field)) {
                errors.add(column.name() + " is not an email address");
            }
        }
        return errors.isEmpty() ? values : null;
    }

    private static Map<String, Catalog> catalog(Connection connection, String table) throws SQLException {
        String[] parts = table.contains(".") ? table.split("\\.", 2) : new String[] {"public", table};
        Map<String, Catalog> columns = new HashMap<>();
        try (PreparedStatement s = connection.prepareStatement("""
                select column_name, is_nullable = 'YES', column_default is not null or is_identity = 'YES', character_maximum_length
                from information_schema.columns where table_schema = ? and table_name = ?""")) {
            s.setString(1, parts[0]);
            s.setString(2, parts[1]);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    int max = rs.getInt(4);
                    Integer maxLength = rs.wasNull() ? null : max;
                    columns.put(rs.getString(1), new Catalog(rs.getBoolean(2), rs.getBoolean(3), maxLength));
                }
            }
        }
        return columns;
    }
}
