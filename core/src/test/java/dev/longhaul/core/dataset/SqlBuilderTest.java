package dev.longhaul.core.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * For COPY, whole numbers are written into the statement, where the planner sees them; every
 * other value stays a transaction setting, out of the SQL text.
 */
class SqlBuilderTest {
    @Test
    void sessionModeWritesWholeNumbersAndKeepsOtherValuesOutOfTheText() {
        SqlBuilder session = new SqlBuilder(SqlBuilder.Mode.SESSION);
        assertThat(session.param(ColumnType.BIGINT, "1000000")).isEqualTo("cast(1000000 as bigint)");
        assertThat(session.param(ColumnType.INTEGER, -42L)).isEqualTo("cast(-42 as integer)");
        assertThat(session.param(ColumnType.TEXT, "1'); drop table x; --"))
                .isEqualTo("(select cast(current_setting('longhaul.p1') as text))");
        // not a whole number: bound as a setting, for the database's cast to refuse
        assertThat(session.param(ColumnType.BIGINT, "1 or 1=1"))
                .isEqualTo("(select cast(current_setting('longhaul.p2') as bigint))");
        assertThat(session.param(ColumnType.NUMERIC, "12.5")).isEqualTo("(select cast(current_setting('longhaul.p3') as numeric))");
    }

    @Test
    void jdbcModeBindsEveryValue() {
        SqlBuilder jdbc = new SqlBuilder(SqlBuilder.Mode.JDBC);
        assertThat(jdbc.param(ColumnType.BIGINT, "7")).isEqualTo("cast(? as bigint)");
        assertThat(jdbc.param(ColumnType.TEXT, "a")).isEqualTo("cast(? as text)");
    }
}
