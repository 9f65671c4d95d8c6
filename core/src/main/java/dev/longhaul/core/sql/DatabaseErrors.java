package dev.longhaul.core.sql;

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
public final class DatabaseErrors {
    private DatabaseErrors() {
    }

    /** The first SQL error in the cause chain, if any. */
    public static Optional<SQLException> find(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) return Optional.of(sql);
            if (t.getCause() == t) break;
        }
        return Optional.empty();
    }

    /** Whether the cause chain holds an SQL error with this SQLSTATE. */
    public static boolean has(Throwable error, String sqlState) {
        return find(error).map(e -> sqlState.equals(e.getSQLState())).orElse(false);
    }

    /** Whether retrying cannot help: a data exception or an integrity violation. */
    public static boolean permanent(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    private static String what(String state) {
        if (state == null) return "a database error";
        if (state.startsWith("22") || state.startsWith("23")) return "the database refused the data";
        if (state.startsWith("08")) return "the connection to the database failed";
        if (state.equals("57014")) return "a statement ran past its timeout";
        if (state.equals("55P03")) return "a lock was not granted in time";
        if (state.startsWith("40")) return "the transaction was rolled back by a conflict";
        if (state.startsWith("53")) return "the database ran out of a resource";
        if (state.startsWith("57P")) return "the database shut down or restarted";
        return "a database error";
    }

    /**
     * The error without row contents or addresses: SQLSTATE, constraint, table, column. The
     * server's message is left out: it may quote values ("Failing row contains (…)") or name a
     * host and port.
     */
    public static String describe(SQLException e) {
        return what(e.getSQLState()) + " (" + details(e) + ")";
    }

    /** SQLSTATE, constraint, table, column and type of the error: never a value. */
    public static String details(SQLException e) {
        StringBuilder s = new StringBuilder("SQLSTATE ").append(e.getSQLState());
        if (e instanceof PSQLException psql && psql.getServerErrorMessage() != null) {
            ServerErrorMessage m = psql.getServerErrorMessage();
            if (m.getConstraint() != null) s.append(", constraint ").append(m.getConstraint());
            if (m.getTable() != null) s.append(", table ").append(m.getTable());
            if (m.getColumn() != null) s.append(", column ").append(m.getColumn());
            if (m.getDatatype() != null) s.append(", type ").append(m.getDatatype());
        }
        return s.toString();
    }
}
