package dev.longhaul.core.dataset;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What PostgreSQL's planner expects of a query, asked without running it. */
public final class Planner {
    /** The row estimate in the first line of a plan: {@code Seq Scan on t  (cost=0.00..1.10 rows=10 width=4)}. */
    private static final Pattern ESTIMATED_ROWS = Pattern.compile(" rows=(\\d+) ");

    private Planner() {
    }

    /** The rows the planner expects {@code query} to return; its placeholders are {@code params}'. */
    public static long estimatedRows(Connection connection, String query, SqlBuilder params) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("explain " + query)) {
            params.bind(s, 1);
            try (ResultSet rs = s.executeQuery()) {
                Matcher rows = rs.next() ? ESTIMATED_ROWS.matcher(rs.getString(1)) : null;
                if (rows == null || !rows.find()) throw new SQLException("a plan without a row estimate: " + query);
                return Long.parseLong(rows.group(1));
            }
        }
    }
}
