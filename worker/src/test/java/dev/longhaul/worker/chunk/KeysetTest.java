package dev.longhaul.worker.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.longhaul.core.chunk.Keyset;
import dev.longhaul.core.dataset.Column;
import dev.longhaul.core.dataset.ColumnType;
import dev.longhaul.core.dataset.Dataset;
import dev.longhaul.core.dataset.SqlBuilder;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Keyset chunks on real PostgreSQL cover every row exactly once, for single and composite keys. */
@QuarkusTest
class KeysetTest {
    @Inject
    AgroalDataSource db;

    @Test
    void chunksOfASingleBigintKeyTileTheTableAcrossDigitBoundaries() throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop table if exists public.keyset_single");
            s.execute("create table public.keyset_single (id bigint primary key)");
            // gaps, and ids whose text order differs from their numeric order (9 < 10 < 100)
            s.execute("insert into public.keyset_single select g from generate_series(1, 2500) g where g % 7 <> 0");
        }
        Dataset dataset = dataset("public.keyset_single", List.of(column("id", ColumnType.BIGINT)));
        List<String> walked = walk(dataset, 37);
        assertThat(walked).isEqualTo(all("select id::text as v from public.keyset_single order by id"));
    }

    @Test
    void chunksOfACompositeKeyTileTheTable() throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop table if exists public.keyset_pair");
            s.execute("create table public.keyset_pair (region text, n bigint, primary key (region, n))");
            s.execute("insert into public.keyset_pair select r, g from unnest(array['eu','us','apac']) r, generate_series(1, 300) g");
        }
        Dataset dataset = dataset("public.keyset_pair",
                List.of(column("region", ColumnType.TEXT), column("n", ColumnType.BIGINT)));
        List<String> walked = walk(dataset, 41);
        assertThat(walked).hasSize(900).doesNotHaveDuplicates()
                .isEqualTo(all("select region || '/' || n as v from public.keyset_pair order by region, n"));
    }

    /** Walks all chunks of n keys and lists the rows each range selects, in order. */
    private List<String> walk(Dataset dataset, int n) throws Exception {
        List<String> rows = new ArrayList<>();
        List<String> lo = null;
        try (Connection c = db.getConnection()) {
            while (true) {
                Keyset.Bound bound = Keyset.nextBound(c, dataset, lo, n);
                if (bound == null) break;
                SqlBuilder params = new SqlBuilder(SqlBuilder.Mode.JDBC);
                String key = String.join(" || '/' || ", dataset.key().stream().map(k -> k.expr() + "::text").toList());
                String sql = "select " + key + " from " + dataset.from() + " where "
                        + Keyset.range(dataset, lo, bound.key(), params) + " order by " + dataset.keyOrder();
                int before = rows.size();
                try (PreparedStatement s = c.prepareStatement(sql)) {
                    params.bind(s, 1);
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) rows.add(rs.getString(1));
                    }
                }
                assertThat(rows.size() - before).isEqualTo(bound.rows()).isLessThanOrEqualTo(n).isPositive();
                lo = bound.key();
            }
        }
        return rows;
    }

    private List<String> all(String sql) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) rows.add(rs.getString(1));
        }
        return rows;
    }

    private static Column column(String name, ColumnType type) {
        return new Column(name, "t." + name, type, true, false);
    }

    private static Dataset dataset(String table, List<Column> key) {
        Map<String, Column> columns = new LinkedHashMap<>();
        key.forEach(k -> columns.put(k.name(), k));
        return new Dataset("test", table, "t", table + " t", key, columns, List.of());
    }
}
