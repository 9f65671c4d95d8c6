package dev.longhaul.core.chunk;

import dev.longhaul.core.dataset.Column;
import dev.longhaul.core.dataset.Dataset;
import dev.longhaul.core.dataset.Filter;
import dev.longhaul.core.dataset.Planner;
import dev.longhaul.core.dataset.SqlBuilder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Keyset iteration over a dataset's key, never OFFSET. A chunk is the key range {@code (lo, hi]}:
 * {@link #nextBound} finds {@code hi} by reading at most {@code n} keys after {@code lo} from the
 * key index (an index-only scan), and {@link #range} renders the predicate the chunk's work uses.
 * Keys travel as text and are cast back to their column type, so composite keys of any declared
 * type work the same way, compared as a row with a matching index.
 */
public final class Keyset {
    private Keyset() {
    }

    /** The upper key of a chunk, and how many keys the chunk spans. */
    public record Bound(List<String> key, int rows) {
    }

    /**
     * The key of the n-th row after {@code after} (or from the start when null), or of the last
     * row if fewer remain; null when no row remains.
     */
    public static Bound nextBound(Connection connection, Dataset dataset, List<String> after, int n)
            throws SQLException {
        return nextBound(connection, dataset, after, n, Filter.NONE);
    }

    /**
     * As {@link #nextBound(Connection, Dataset, List, int)}, counting only keys that satisfy
     * {@code keyFilter}, conditions on the key alone ({@link Filter#onKey}): the index scan starts
     * and stops where they say, and the walk ends after the last key they allow.
     */
    public static Bound nextBound(Connection connection, Dataset dataset, List<String> after, int n, Filter keyFilter)
            throws SQLException {
        SqlBuilder params = new SqlBuilder(SqlBuilder.Mode.JDBC);
        List<Column> key = dataset.key();
        StringBuilder inner = new StringBuilder("select ");
        for (int i = 0; i < key.size(); i++) {
            if (i > 0) inner.append(", ");
            inner.append(key.get(i).expr()).append(" as k").append(i);
        }
        inner.append(" from ").append(dataset.table()).append(' ').append(dataset.alias());
        List<String> where = new ArrayList<>();
        if (after != null) where.add(dataset.keyRow() + " > " + row(key, after, params));
        if (!keyFilter.conditions().isEmpty()) where.add(keyFilter.render(params));
        if (!where.isEmpty()) inner.append(" where ").append(String.join(" and ", where));
        inner.append(" order by ").append(dataset.keyOrder()).append(" limit ?");
        StringBuilder outer = new StringBuilder("select ");
        if (key.size() == 1) {
            // one column: max() and count() in one pass, no sort
            outer.append("cast(max(s.k0) as text), count(*) from (").append(inner).append(") s");
        } else {
            // a row key: the last row in key order. Named b<i>, and the ORDER BY qualified with s.,
            // so that it sorts by the typed key and never by the text copy (where '999' > '1000')
            List<String> descending = new ArrayList<>();
            for (int i = 0; i < key.size(); i++) {
                if (i > 0) outer.append(", ");
                outer.append("cast(s.k").append(i).append(" as text) as b").append(i);
                descending.add("s.k" + i + " desc");
            }
            outer.append(", count(*) over () from (").append(inner).append(") s order by ")
                    .append(String.join(", ", descending)).append(" limit 1");
        }
        try (PreparedStatement statement = connection.prepareStatement(outer.toString())) {
            int next = params.bind(statement, 1);
            statement.setInt(next, n);
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next() || rs.getString(1) == null) return null;
                List<String> bound = new ArrayList<>(key.size());
                for (int i = 1; i <= key.size(); i++) bound.add(rs.getString(i));
                return new Bound(bound, rs.getInt(key.size() + 1));
            }
        }
    }

    /**
     * The last key after {@code after} that {@code keyFilter} allows, as the bound of one chunk
     * that ends the walk, when the planner estimates that at most {@code n} keys remain; else
     * null. Finding it reads one index entry, where {@link #nextBound} would read every key of
     * the chunk (about 70 ms per million keys here). Keys added after it are walked by the next
     * chunk. The bound's row count is the planner's estimate.
     *
     * <p>Null for a key of several columns: PostgreSQL estimates a row comparison by its leading
     * column alone, so within that column's last value it would take the rest for one row.
     */
    public static Bound lastBoundWithin(Connection connection, Dataset dataset, List<String> after, int n, Filter keyFilter)
            throws SQLException {
        if (dataset.key().size() != 1) return null;
        SqlBuilder params = new SqlBuilder(SqlBuilder.Mode.JDBC);
        List<String> where = new ArrayList<>();
        if (after != null) where.add(dataset.keyRow() + " > " + row(dataset.key(), after, params));
        if (!keyFilter.conditions().isEmpty()) where.add(keyFilter.render(params));
        String from = " from " + dataset.table() + " " + dataset.alias()
                + (where.isEmpty() ? "" : " where " + String.join(" and ", where));
        long estimate = Planner.estimatedRows(connection, "select 1" + from, params);
        if (estimate > n) return null;
        String key = dataset.key().getFirst().expr();
        try (PreparedStatement s = connection.prepareStatement("select cast(max(" + key + ") as text)" + from)) {
            params.bind(s, 1);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next() || rs.getString(1) == null) return null;
                return new Bound(List.of(rs.getString(1)), (int) Math.max(1, estimate));
            }
        }
    }

    /** {@code key > lo and key <= hi} (no lower bound when {@code lo} is null). */
    public static String range(Dataset dataset, List<String> lo, List<String> hi, SqlBuilder params) {
        // register lo before hi: JDBC placeholders bind in text order
        String lower = lo == null ? null : dataset.keyRow() + " > " + row(dataset.key(), lo, params);
        String upper = dataset.keyRow() + " <= " + row(dataset.key(), hi, params);
        return lower == null ? upper : lower + " and " + upper;
    }

    private static String row(List<Column> key, List<String> values, SqlBuilder params) {
        if (values.size() != key.size()) {
            throw new IllegalArgumentException("a key of " + key.size() + " columns, got " + values.size() + " values");
        }
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < key.size(); i++) {
            parts.add(params.param(key.get(i).type(), values.get(i)));
        }
        return "(" + String.join(", ", parts) + ")";
    }
}
