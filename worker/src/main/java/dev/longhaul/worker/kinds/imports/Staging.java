package dev.longhaul.worker.kinds.imports;

import dev.longhaul.core.dataset.Column;
import dev.longhaul.core.dataset.ColumnType;
import dev.longhaul.core.dataset.Dataset;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * A job's staging table, {@code longhaul.import_staging_<job>}: the file's good rows as text,
 * with their line, COPYed in batch by batch and then merged into the target by line range. Its name
 * comes from the job id alone, never from a request.
 */
final class Staging {
    final String table;
    private final int width;

    Staging(UUID jobId, int width) {
        this.table = "longhaul.import_staging_" + jobId.toString().replace("-", "");
        this.width = width;
    }

    /** The staging table as a dataset, so the chunk engine can walk it by line. */
    Dataset asDataset() {
        Column line = new Column("line", "s.line", ColumnType.BIGINT, false, false);
        return new Dataset("staging", table, "s", table + " s", List.of(line), Map.of("line", line), List.of());
    }

    /**
     * Creates the table, without an index: rows arrive in line order, and an index kept up during
     * the COPYs costs more than building it once at the end ({@link #index}).
     */
    void create(Connection connection) throws SQLException {
        String columns = IntStream.range(0, width).mapToObj(i -> ", c" + i + " text").collect(Collectors.joining());
        try (Statement s = connection.createStatement()) {
            s.execute("create table if not exists " + table + " (line bigint not null" + columns + ")");
        }
    }

    /**
     * The index on line that the merge walks by; built once the file is staged. A file of tens
     * of millions of rows can take longer than the statement timeout, which is lifted for it.
     */
    void index(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("set local statement_timeout = '30min'");
            s.execute("create unique index if not exists " + table.substring(table.indexOf('.') + 1) + "_line on " + table + " (line)");
        }
    }

    void drop(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("drop table if exists " + table);
        }
    }

    /** A COPY into the table on {@code connection}, fed row by row while the file is read. */
    Writer writer(Connection connection) throws SQLException {
        return new Writer(connection.unwrap(PGConnection.class).getCopyAPI().copyIn("copy " + table + " from stdin"));
    }

    /**
     * One batch's COPY, streamed as rows are added so that the database stores them while the
     * next ones are read and checked. Closing a writer that was not {@linkplain #end ended}
     * cancels its COPY, so that nothing of the batch remains.
     */
    static final class Writer implements AutoCloseable {
        private static final int FLUSH_CHARS = 32 * 1024;
        private final CopyIn copy;
        private final StringBuilder text = new StringBuilder(FLUSH_CHARS + 4096);

        private Writer(CopyIn copy) {
            this.copy = copy;
        }

        /** A row: its line, then its values (null for an empty field). */
        void add(long line, String[] values) throws SQLException {
            text.append(line);
            for (String value : values) {
                text.append('\t');
                if (value == null) text.append("\\N");
                else escape(value, text);
            }
            text.append('\n');
            if (text.length() >= FLUSH_CHARS) flush();
        }

        /** Ends the COPY; the rows are then part of the connection's transaction. */
        void end() throws SQLException {
            flush();
            copy.endCopy();
        }

        private void flush() throws SQLException {
            if (text.isEmpty()) return;
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            copy.writeToCopy(bytes, 0, bytes.length);
            text.setLength(0);
        }

        @Override
        public void close() throws SQLException {
            if (copy.isActive()) copy.cancelCopy();
        }
    }

    /** COPY's text format: backslash, tab and line breaks escaped. */
    private static void escape(String value, StringBuilder out) {
        if (plain(value)) {
            out.append(value);
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
    }

    private static boolean plain(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' || c == '\t' || c == '\n' || c == '\r') return false;
        }
        return true;
    }

    /**
     * The upsert of one line range in one pass, with placeholders for the range's (lo, hi] only:
     * no sort for repeated keys, and the database's cardinality error (SQLSTATE 21000) when the
     * range repeats a key, after which the caller merges the range with {@link #merge} instead.
     * For columns besides the key only: with the key alone, a repeat would do nothing, not fail.
     * Returns inserted, updated, rejected (always 0).
     */
    String upsert(Dataset target, List<Column> columns, Column key, String range) {
        return """
                with merged as (insert into %1$s as t_ (%2$s) select %3$s from %4$s s where %5$s
                                on conflict (%6$s) %7$s returning (xmax = 0) as inserted_)
                select count(*) filter (where inserted_), count(*) filter (where not inserted_), 0 from merged"""
                .formatted(target.table(), names(columns), casts(columns, "s"), table, range, key.name(),
                        onConflict(columns, key, true));
    }

    /**
     * The merge of one line range, with placeholders for the range's (lo, hi] and then the job id,
     * once for an upsert and twice for an insert.
     * Of rows repeating a key within the range, one goes in (the first for insert, the last for
     * upsert) and the others are rejected; an insert of a key that exists already is rejected.
     * Returns inserted, updated, rejected.
     */
    String merge(Dataset target, List<Column> columns, Column key, boolean upsert, String range) {
        int k = columns.indexOf(key);
        String keyCast = "cast(c.c" + k + " as " + key.type().sql() + ")";
        // repeats are looked for only when the range has any (a one-time test the planner puts
        // before the join); only an insert can meet a key that exists already
        String exists = upsert ? "" : """

                    union all
                    select ?, c.line, 'a row with this %s exists already' from chosen c
                    where not exists (select 1 from merged m where m.k_ = %s)""".formatted(key.name(), keyCast);
        return """
                with batch as (select * from %1$s s where %2$s),
                chosen as (select distinct on (b.c%3$d) b.* from batch b order by b.c%3$d, b.line %4$s),
                merged as (insert into %5$s as t_ (%6$s) select %7$s from chosen c
                           on conflict (%8$s) %9$s returning t_.%8$s as k_, (xmax = 0) as inserted_),
                rejected as (insert into longhaul.import_rejection (job_id, line, reason)
                    select ?, b.line, '%8$s repeats line ' || c.line from batch b join chosen c on c.c%3$d = b.c%3$d
                    where b.line <> c.line
                      and (select count(*) from batch) <> (select count(*) from chosen)%10$s
                    returning 1)
                select (select count(*) from merged where inserted_), (select count(*) from merged where not inserted_),
                       (select count(*) from rejected)"""
                .formatted(table, range, k, upsert ? "desc" : "asc", target.table(), names(columns), casts(columns, "c"),
                        key.name(), onConflict(columns, key, upsert), exists);
    }

    private static String names(List<Column> columns) {
        return columns.stream().map(Column::name).collect(Collectors.joining(", "));
    }

    /** The staged text of each column, cast to the column's type. */
    private static String casts(List<Column> columns, String alias) {
        return IntStream.range(0, columns.size())
                .mapToObj(i -> "cast(" + alias + ".c" + i + " as " + columns.get(i).type().sql() + ")").collect(Collectors.joining(", "));
    }

    private static String onConflict(List<Column> columns, Column key, boolean upsert) {
        String updates = columns.stream().filter(c -> !c.equals(key)).map(c -> c.name() + " = excluded." + c.name())
                .collect(Collectors.joining(", "));
        return upsert && !updates.isEmpty() ? "do update set " + updates : "do nothing";
    }

    /** Lines of the staging table in {@code (lo, hi]}, for merging a failed range line by line. */
    List<Long> lines(Connection connection, long lo, long hi) throws SQLException {
        List<Long> lines = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement("select line from " + table + " where line > ? and line <= ? order by line")) {
            s.setLong(1, lo);
            s.setLong(2, hi);
            try (var rs = s.executeQuery()) {
                while (rs.next()) lines.add(rs.getLong(1));
            }
        }
        return lines;
    }
}
