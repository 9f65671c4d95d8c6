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
 * A staging table: the file's good rows as text, with their line, written by binary COPY and then
 * merged into the target by line range. Two kinds, both named from the job id alone, never from a
 * request:
 * <ul>
 * <li>{@linkplain #Staging(UUID, int) the job's own}, {@code longhaul.import_staging_<job>}, which
 * holds the whole file across slices (an import with {@code onError: fail}, which checks every
 * row before it merges one);
 * <li>{@linkplain #forRange one range's}, a temporary table dropped when the range's transaction
 * ends: it never outlives the range, so a crash leaves nothing to clean up.
 * </ul>
 */
final class Staging {
    final String table;
    private final int width;
    private final boolean temporary;

    Staging(UUID jobId, int width) {
        this("longhaul.import_staging_" + jobId.toString().replace("-", ""), width, false);
    }

    private Staging(String table, int width, boolean temporary) {
        this.table = table;
        this.width = width;
        this.temporary = temporary;
    }

    /** A temporary table for one range of lines, dropped when the transaction that {@linkplain #create creates} it ends. */
    static Staging forRange(UUID jobId, int width) {
        return new Staging("pg_temp.import_range_" + jobId.toString().replace("-", ""), width, true);
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
        String columns = "(line bigint not null" + IntStream.range(0, width).mapToObj(i -> ", c" + i + " text")
                .collect(Collectors.joining()) + ")";
        try (Statement s = connection.createStatement()) {
            s.execute(temporary
                    ? "create temporary table " + unqualified() + " " + columns + " on commit drop"
                    : "create table if not exists " + table + " " + columns);
        }
    }

    /**
     * The index on line that a merge walks by; built once the rows are staged. A file of tens of
     * millions of rows can take longer than the statement timeout, which is lifted for it.
     */
    void index(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            if (!temporary) s.execute("set local statement_timeout = '30min'");
            s.execute("create unique index if not exists " + unqualified() + "_line on " + table + " (line)");
        }
    }

    private String unqualified() {
        return table.substring(table.indexOf('.') + 1);
    }

    /** Whether this is one range's table, which has no index unless a merge line by line asks for one. */
    boolean temporary() {
        return temporary;
    }

    void drop(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("drop table if exists " + table);
        }
    }

    /** A binary COPY into the table on {@code connection}, fed row by row while the file is read. */
    Writer writer(Connection connection) throws SQLException {
        return new Writer(connection.unwrap(PGConnection.class).getCopyAPI()
                .copyIn("copy " + table + " from stdin with (format binary)"), width);
    }

    /**
     * One batch's COPY in PostgreSQL's binary format: a line as int8, then each value as UTF-8
     * text after its length, so there is nothing to escape here nor to unescape on the server. It
     * streams as rows are added, so the database stores them while the next ones are read and
     * checked. Closing a writer that was not {@linkplain #end ended} cancels its COPY, so that
     * nothing of the batch remains.
     */
    static final class Writer implements AutoCloseable {
        private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
        private final CopyIn copy;
        private final short fields;
        private final CopyBuffer out;

        private Writer(CopyIn copy, int width) throws SQLException {
            this.copy = copy;
            this.fields = (short) (width + 1);
            this.out = new CopyBuffer(copy);
            out.bytes(SIGNATURE);
            out.int32(0); // flags: no OIDs
            out.int32(0); // no header extension
        }

        /** A row: its line, then its values (null for an empty field). */
        void add(long line, String[] values) throws SQLException {
            out.int16(fields);
            out.int32(8);
            out.int64(line);
            for (String value : values) {
                if (value == null) {
                    out.int32(-1);
                } else {
                    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
                    out.int32(bytes.length);
                    out.bytes(bytes);
                }
            }
            out.flushIfFull();
        }

        /** Ends the COPY; the rows are then part of the connection's transaction. */
        void end() throws SQLException {
            out.int16((short) -1);
            out.flush();
            copy.endCopy();
        }

        @Override
        public void close() throws SQLException {
            if (copy.isActive()) copy.cancelCopy();
        }
    }

    /**
     * The upsert of one line range in one pass, with placeholders for the range's (lo, hi] only:
     * no sort for repeated keys, and the database's cardinality error (SQLSTATE 21000) when the
     * range repeats a key, after which the caller merges the range with {@link #merge} instead.
     * For columns besides the key only: with the key alone, a repeat would do nothing, not fail.
     * Its update count is the rows it wrote, inserted and updated.
     */
    String upsert(Dataset target, List<Column> columns, Column key, String range) {
        return "insert into %1$s as t_ (%2$s) select %3$s from %4$s s where %5$s on conflict (%6$s) %7$s"
                .formatted(target.table(), names(columns), casts(columns, "s"), table, range, key.name(),
                        onConflict(columns, key, true));
    }

    /**
     * {@link #upsert} that returns its inserted, updated and rejected (always 0) as a row, for a
     * plain table while the server does not count the transaction's inserts.
     */
    String upsertCounted(Dataset target, List<Column> columns, Column key, String range) {
        return "with merged as (" + upsert(target, columns, key, range) + " returning (xmax = 0) as inserted_) "
                + "select count(*) filter (where inserted_), count(*) filter (where not inserted_), 0 from merged";
    }

    /**
     * The merge of one line range, with placeholders for the range's (lo, hi] and then the job id,
     * once for an upsert and twice for an insert.
     * Of rows repeating a key within the range, one goes in (the first for insert, the last for
     * upsert) and the others are rejected; an insert of a key that exists already is rejected.
     * Returns inserted, updated, rejected; with {@code splitByRow} false an upsert returns all the
     * rows it wrote as inserted, for the caller to split by the transaction's insert count (a
     * partitioned table cannot return the row's {@code xmax}).
     */
    String merge(Dataset target, List<Column> columns, Column key, boolean upsert, boolean splitByRow, String range) {
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
                           on conflict (%8$s) %9$s returning t_.%8$s as k_, %11$s as inserted_),
                rejected as (insert into longhaul.import_rejection (job_id, line, reason)
                    select ?, b.line, '%8$s repeats line ' || c.line from batch b join chosen c on c.c%3$d = b.c%3$d
                    where b.line <> c.line
                      and (select count(*) from batch) <> (select count(*) from chosen)%10$s
                    returning 1)
                select (select count(*) from merged where inserted_), (select count(*) from merged where not inserted_),
                       (select count(*) from rejected)"""
                .formatted(table, range, k, upsert ? "desc" : "asc", target.table(), names(columns), casts(columns, "c"),
                        key.name(), onConflict(columns, key, upsert), exists,
                        // an insert does nothing on a conflict, so every row it returns is new
                        upsert && splitByRow ? "(xmax = 0)" : "true");
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
