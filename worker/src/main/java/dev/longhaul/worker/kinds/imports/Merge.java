package dev.longhaul.worker.kinds.imports;

import dev.longhaul.core.chunk.Keyset;
import dev.longhaul.core.dataset.Column;
import dev.longhaul.core.dataset.Dataset;
import dev.longhaul.core.dataset.SqlBuilder;
import dev.longhaul.core.sql.DatabaseErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Merges line ranges of a staging table into the target, in the caller's transaction. A range
 * goes in with one {@code INSERT … SELECT … ON CONFLICT (key)}; one the database refuses (a
 * foreign key, a CHECK) is merged again line by line under savepoints, so only the refused rows
 * are rejected, with the database's reason. Not thread-safe; one per job run.
 */
final class Merge {
    /** ON CONFLICT DO UPDATE meeting one key twice in a statement: cardinality_violation. */
    private static final String REPEATED_KEY = "21000";

    private final Staging staging;
    private final Dataset lines;
    private final Dataset dataset;
    private final TargetTable target;
    private final Column key;
    private final boolean upsert;
    private final UUID jobId;

    Merge(Staging staging, Dataset dataset, TargetTable target, Column key, boolean upsert, UUID jobId) {
        this.staging = staging;
        this.lines = staging.asDataset();
        this.dataset = dataset;
        this.target = target;
        this.key = key;
        this.upsert = upsert;
        this.jobId = jobId;
    }

    /** The staging table's lines, for the chunk engine to walk. */
    Dataset lines() {
        return lines;
    }

    /**
     * The lines in {@code (lo, hi]} into the target; returns inserted, updated and rejected.
     *
     * @param lo null from the first line
     */
    long[] range(Connection connection, List<String> lo, List<String> hi) throws SQLException {
        Savepoint before = connection.setSavepoint();
        try {
            return once(connection, lo, hi);
        } catch (SQLException e) {
            if (!DatabaseErrors.permanent(e)) throw e; // a data or integrity error is a row's fault
            connection.rollback(before);
        }
        if (staging.temporary()) staging.index(connection);
        long[] total = new long[3];
        long from = lo == null ? Long.MIN_VALUE : Long.parseLong(lo.getFirst());
        for (long line : staging.lines(connection, from, Long.parseLong(hi.getFirst()))) {
            Savepoint one = connection.setSavepoint();
            try {
                long[] counts = once(connection, List.of(Long.toString(line - 1)), List.of(Long.toString(line)));
                for (int i = 0; i < 3; i++) total[i] += counts[i];
                connection.releaseSavepoint(one);
            } catch (SQLException e) {
                if (!DatabaseErrors.permanent(e)) throw e; // a data or integrity error is a row's fault
                connection.rollback(one);
                Rejections.record(connection, jobId, List.of(line), List.of("refused by the database (" + DatabaseErrors.details(e) + ")"));
                total[2]++;
            }
        }
        return total;
    }

    /**
     * An upsert tries the range in one pass first; a range that repeats a key makes the database
     * refuse it (SQLSTATE 21000), and is merged instead with the statement that picks each key's
     * last line and rejects the others. An insert, or an upsert of the key column alone, always
     * takes that statement.
     */
    private long[] once(Connection connection, List<String> lo, List<String> hi) throws SQLException {
        // an upsert that only inserts (the file names the key alone) does nothing on a repeated
        // key rather than fail, so only one that updates can learn of repeats from the database
        if (upsert && target.columns.size() > 1) {
            Savepoint onePass = connection.setSavepoint();
            try {
                long[] counts = target.countsInserts
                        ? splitByTransaction(connection, () -> upsert(connection, lo, hi))
                        : count(connection, lo, hi, range -> staging.upsertCounted(dataset, target.columns, key, range));
                connection.releaseSavepoint(onePass);
                return counts;
            } catch (SQLException e) {
                if (!REPEATED_KEY.equals(e.getSQLState())) throw e;
                connection.rollback(onePass);
                connection.releaseSavepoint(onePass);
            }
        }
        // the statement's placeholders after the range: the job id, once for an upsert, twice for an insert
        UUID[] after = upsert ? new UUID[] {jobId} : new UUID[] {jobId, jobId};
        if (!upsert || !target.countsInserts) {
            return count(connection, lo, hi, range -> staging.merge(dataset, target.columns, key, upsert, true, range), after);
        }
        return splitByTransaction(connection,
                () -> count(connection, lo, hi, range -> staging.merge(dataset, target.columns, key, true, false, range), after));
    }

    /**
     * The one-pass upsert of (lo, hi], counted without RETURNING: its update count is the rows it
     * wrote, all returned as inserted for {@link #splitByTransaction} to split. A flag returned per
     * row and counted cost a fifth of the statement (100,000 new rows: 460 to 495 ms, against 380
     * to 430 ms without).
     */
    private long[] upsert(Connection connection, List<String> lo, List<String> hi) throws SQLException {
        SqlBuilder params = new SqlBuilder(SqlBuilder.Mode.JDBC);
        String range = Keyset.range(lines, lo, hi, params);
        try (PreparedStatement s = connection.prepareStatement(staging.upsert(dataset, target.columns, key, range))) {
            params.bind(s, 1);
            return new long[] {s.executeLargeUpdate(), 0, 0};
        }
    }

    /**
     * Runs an upsert that reports all the rows it wrote as inserted, and splits them: the inserted
     * are what it added to the transaction's insert count on the target, read before and after
     * ({@link TargetTable#INSERTED_IN_TRANSACTION}). A row that another session inserts at the same
     * moment may count as inserted rather than updated (the server's aborted attempt counts too);
     * the rows written are right either way.
     */
    private long[] splitByTransaction(Connection connection, Statement upsert) throws SQLException {
        long before = insertedInTransaction(connection);
        long[] counts = upsert.run();
        long inserted = insertedInTransaction(connection) - before;
        return new long[] {inserted, counts[0] + counts[1] - inserted, counts[2]};
    }

    @FunctionalInterface
    private interface Statement {
        long[] run() throws SQLException;
    }

    private long insertedInTransaction(Connection connection) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(TargetTable.INSERTED_IN_TRANSACTION)) {
            s.setString(1, dataset.table());
            s.setString(2, dataset.table());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Runs a merge statement built around the range (lo, hi] and returns its inserted, updated, rejected. */
    private long[] count(Connection connection, List<String> lo, List<String> hi, Function<String, String> statement,
            Object... after) throws SQLException {
        SqlBuilder params = new SqlBuilder(SqlBuilder.Mode.JDBC);
        String range = Keyset.range(lines, lo, hi, params);
        try (PreparedStatement s = connection.prepareStatement(statement.apply(range))) {
            int next = params.bind(s, 1);
            for (Object value : after) s.setObject(next++, value);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
            }
        }
    }
}
