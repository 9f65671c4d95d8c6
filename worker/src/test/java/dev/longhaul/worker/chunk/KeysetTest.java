package dev.longhaul.worker.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.longhaul.core.chunk.Keyset;
import dev.longhaul.core.dataset.Column;
import dev.longhaul.core.dataset.ColumnType;
import dev.longhaul.core.dataset.Dataset;
import dev.longhaul.core.dataset.Filter;
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
        // gaps, and ids whose text order differs from their numeric order (9 < 10 < 100)
        Dataset dataset = bigintKeys("public.keyset_single", 2500);
        List<String> walked = walk(dataset, 37);
        assertThat(walked).isEqualTo(all("select id::text as v from public.keyset_single order by id"));
    }

    @Test
    void chunksOfACompositeKeyTileTheTable() throws Exception {
        Dataset dataset = regionKeys("public.keyset_pair");
        List<String> walked = walk(dataset, 41);
        assertThat(walked).hasSize(900).doesNotHaveDuplicates()
                .isEqualTo(all("select region || '/' || n as v from public.keyset_pair order by region, n"));
    }

    @Test
    void aFilterOnTheKeyNarrowsTheWalkToTheRangeItCanMatch() throws Exception {
        Dataset dataset = bigintKeys("public.keyset_narrow", 5000);
        Filter filter = Filter.parse(dataset, new ObjectMapper().readTree(
                "[{\"field\":\"id\",\"op\":\"between\",\"value\":[1000,1500]},{\"field\":\"id\",\"op\":\"!=\",\"value\":1002}]"),
                "filter");
        List<Integer> chunks = new ArrayList<>();
        List<String> walked = walk(dataset, 37, filter, chunks);
        List<String> expected = all("select id::text from public.keyset_narrow where id between 1000 and 1500 and id <> 1002 order by id");
        assertThat(walked).isEqualTo(expected);
        // only the chunks the range needs: none before 1000 or after 1500, each one full but the last
        assertThat(chunks).hasSize((expected.size() + 1 + 36) / 37);
    }

    @Test
    void onACompositeKeyOnlyConditionsThatBoundTheIndexNarrowTheWalk() throws Exception {
        Dataset dataset = regionKeys("public.keyset_pair2");
        ObjectMapper json = new ObjectMapper();
        // n alone would only filter the index: it does not narrow the walk, the step applies it
        Filter second = Filter.parse(dataset, json.readTree("[{\"field\":\"n\",\"op\":\"<=\",\"value\":5}]"), "filter");
        assertThat(second.onKey(dataset).conditions()).isEmpty();
        // region held to one value: n bounds the index too
        Filter both = Filter.parse(dataset, json.readTree("[{\"field\":\"n\",\"op\":\"between\",\"value\":[10,20]},"
                + "{\"field\":\"region\",\"op\":\"=\",\"value\":\"us\"}]"), "filter");
        assertThat(both.onKey(dataset).conditions()).hasSize(2);
        List<Integer> chunks = new ArrayList<>();
        assertThat(walk(dataset, 4, both, chunks))
                .isEqualTo(all("select region || '/' || n from public.keyset_pair2 where region = 'us' and n between 10 and 20 order by n"));
        assertThat(chunks).containsExactly(4, 4, 3);
    }

    @Test
    void theLastBoundIsTheLastKeyOnlyWhenAtMostNKeysRemain() throws Exception {
        Dataset dataset = bigintKeys("public.keyset_last", 2500);
        analyze("public.keyset_last");
        try (Connection c = db.getConnection()) {
            // 2,143 keys remain from the start: more than 1,000, so the walk goes on by exact bounds
            assertThat(Keyset.lastBoundWithin(c, dataset, null, 1000, Filter.NONE)).isNull();
            // after 2,000, about 429 remain: one last chunk up to the last key
            Keyset.Bound last = Keyset.lastBoundWithin(c, dataset, List.of("2000"), 1000, Filter.NONE);
            assertThat(last.key()).containsExactly(all("select max(id)::text from public.keyset_last").getFirst());
            assertThat(last.rows()).isBetween(300, 600);
            // a filter on the key ends the walk where it does
            Filter range = Filter.parse(dataset, new ObjectMapper().readTree(
                    "[{\"field\":\"id\",\"op\":\"between\",\"value\":[1000,1500]}]"), "filter");
            assertThat(Keyset.lastBoundWithin(c, dataset, null, 1000, range.onKey(dataset)).key())
                    .containsExactly(all("select max(id)::text from public.keyset_last where id <= 1500").getFirst());
            // nothing left: no bound
            assertThat(Keyset.lastBoundWithin(c, dataset, last.key(), 1000, Filter.NONE)).isNull();
        }
    }

    @Test
    void aCompositeKeyHasNoLastBoundSinceItsEstimateSeesOnlyTheLeadingColumn() throws Exception {
        Dataset dataset = regionKeys("public.keyset_pair_last");
        analyze("public.keyset_pair_last");
        try (Connection c = db.getConnection()) {
            // within 'us', the last region, the planner would take all 300 rows for about one
            assertThat(Keyset.lastBoundWithin(c, dataset, List.of("us", "0"), 10, Filter.NONE)).isNull();
        }
    }

    private void analyze(String table) throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("analyze " + table);
        }
    }

    /** Walks all chunks of n keys and lists the rows each range selects, in order. */
    private List<String> walk(Dataset dataset, int n) throws Exception {
        return walk(dataset, n, Filter.NONE, new ArrayList<>());
    }

    /** As {@link #walk(Dataset, int)}, narrowed by and filtered with {@code filter}; {@code chunks} gets each chunk's keys. */
    private List<String> walk(Dataset dataset, int n, Filter filter, List<Integer> chunks) throws Exception {
        List<String> rows = new ArrayList<>();
        List<String> lo = null;
        try (Connection c = db.getConnection()) {
            while (true) {
                Keyset.Bound bound = Keyset.nextBound(c, dataset, lo, n, filter.onKey(dataset));
                if (bound == null) break;
                chunks.add(bound.rows());
                SqlBuilder params = new SqlBuilder(SqlBuilder.Mode.JDBC);
                String key = String.join(" || '/' || ", dataset.key().stream().map(k -> k.expr() + "::text").toList());
                String sql = "select " + key + " from " + dataset.from() + " where "
                        + Keyset.range(dataset, lo, bound.key(), params) + " and " + filter.render(params)
                        + " order by " + dataset.keyOrder();
                int before = rows.size();
                try (PreparedStatement s = c.prepareStatement(sql)) {
                    params.bind(s, 1);
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) rows.add(rs.getString(1));
                    }
                }
                assertThat(rows.size() - before).isLessThanOrEqualTo(bound.rows()).isLessThanOrEqualTo(n);
                assertThat(bound.rows()).isPositive();
                if (filter.conditions().isEmpty()) assertThat(rows.size() - before).isEqualTo(bound.rows());
                lo = bound.key();
            }
        }
        return rows;
    }

    /** A table keyed on (region, n): three regions of 300 each, as a dataset. */
    private Dataset regionKeys(String table) throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop table if exists " + table);
            s.execute("create table " + table + " (region text, n bigint, primary key (region, n))");
            s.execute("insert into " + table + " select r, g from unnest(array['eu','us','apac']) r, generate_series(1, 300) g");
        }
        return dataset(table, List.of(column("region", ColumnType.TEXT), column("n", ColumnType.BIGINT)));
    }

    /** A table of the ids 1 to {@code upTo} but the multiples of 7, as a dataset keyed on id. */
    private Dataset bigintKeys(String table, int upTo) throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop table if exists " + table);
            s.execute("create table " + table + " (id bigint primary key)");
            s.execute("insert into " + table + " select g from generate_series(1, " + upTo + ") g where g % 7 <> 0");
        }
        return dataset(table, List.of(column("id", ColumnType.BIGINT)));
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
