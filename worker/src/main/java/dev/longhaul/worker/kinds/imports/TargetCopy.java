package dev.longhaul.worker.kinds.imports;

import dev.longhaul.core.dataset.Column;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * A COPY straight into the target table, on the header's columns, in COPY's text format: the
 * checked values in the form {@link TargetTable#check} gives them, which the server parses into
 * the columns' types as it would psql's. The table's indexes, constraints and triggers all apply,
 * and a row they refuse fails the whole COPY (when it is {@linkplain #end ended}, or earlier).
 * Closing a COPY that was not ended cancels it. Not thread-safe.
 */
final class TargetCopy implements AutoCloseable {
    private final CopyIn copy;
    private final CopyBuffer out;
    private long rows;

    private TargetCopy(CopyIn copy) {
        this.copy = copy;
        this.out = new CopyBuffer(copy);
    }

    /** {@code table} and {@code columns} come from a dataset declaration, never from a request. */
    static TargetCopy open(Connection connection, String table, List<Column> columns) throws SQLException {
        String names = columns.stream().map(Column::name).collect(Collectors.joining(", "));
        return new TargetCopy(connection.unwrap(PGConnection.class).getCopyAPI()
                .copyIn("copy " + table + " (" + names + ") from stdin"));
    }

    /** A row of values, null for an empty field. */
    void add(String[] values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            if (i > 0) out.ascii('\t');
            if (values[i] == null) {
                out.ascii('\\');
                out.ascii('N');
            } else {
                out.bytes(escaped(values[i]).getBytes(StandardCharsets.UTF_8));
            }
        }
        out.ascii('\n');
        out.flushIfFull();
        rows++;
    }

    /** Ends the COPY and returns its rows, which are then part of the connection's transaction. */
    long end() throws SQLException {
        out.flush();
        copy.endCopy();
        return rows;
    }

    @Override
    public void close() throws SQLException {
        if (copy.isActive()) copy.cancelCopy();
    }

    /** COPY's text format: backslash, tab and line breaks escaped; most fields have none. */
    private static String escaped(String value) {
        int i = 0;
        while (i < value.length() && !special(value.charAt(i))) i++;
        if (i == value.length()) return value;
        StringBuilder out = new StringBuilder(value.length() + 8).append(value, 0, i);
        for (; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean special(char c) {
        return c == '\\' || c == '\t' || c == '\n' || c == '\r';
    }
}
