package dev.longhaul.worker.run;

import java.sql.SQLException;
import java.util.Optional;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * What a database error means for a job. Data exceptions (SQLSTATE class 22) and integrity
 * violations (class 23) come from the job's own input: the same statement fails the same way
 * every time, so retrying only delays the answer. Their description keeps what a user needs (the
 * SQLSTATE, constraint, table and column) and never the row: PostgreSQL's "Failing row contains
 * (…)" detail carries customer data.
 */
final class DatabaseErrors {
    private DatabaseErrors() {
    }

    /** The first SQL error in the cause chain, if any. */
    static Optional<SQLException> find(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) return Optional.of(sql);
            if (t.getCause() == t) break;
        }
        return Optional.empty();
    }

    /** Whether retrying cannot help: a data exception or an integrity violation. */
    static boolean permanent(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    /** The error without row contents: SQLSTATE, constraint, table, column. */
    static String describe(SQLException e) {
        StringBuilder s = new StringBuilder("the database refused the data (SQLSTATE ").append(e.getSQLState());
        if (e instanceof PSQLException psql && psql.getServerErrorMessage() != null) {
            ServerErrorMessage m = psql.getServerErrorMessage();
            if (m.getConstraint() != null) s.append(", constraint ").append(m.getConstraint());
            if (m.getTable() != null) s.append(", table ").append(m.getTable());
            if (m.getColumn() != null) s.append(", column ").append(m.getColumn());
            if (m.getDatatype() != null) s.append(", type ").append(m.getDatatype());
        }
        return s.append(')').toString();
    }
}
