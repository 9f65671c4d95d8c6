package dev.longhaul.worker;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import javax.sql.DataSource;

/** Plain SQL for tests: set up rows and count what a job left behind. */
public final class TestSql {
    private TestSql() {
    }

    /** Runs one statement; returns the rows it changed. */
    public static long sql(DataSource db, String statement) throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            return s.executeUpdate(statement);
        }
    }

    /** The one number a query answers: {@code select sum(...) from ...}. */
    public static long number(DataSource db, String query) throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** {@code select count(*) from <from>}. */
    public static long count(DataSource db, String from) throws Exception {
        return number(db, "select count(*) from " + from);
    }
}
