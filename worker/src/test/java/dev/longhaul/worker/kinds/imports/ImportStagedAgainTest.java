package dev.longhaul.worker.kinds.imports;

import static dev.longhaul.worker.TestSql.count;
import static dev.longhaul.worker.TestSql.sql;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.longhaul.core.job.Job;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An upsert range staged ahead that waited longer than {@code longhaul.import.staged-idle-limit}
 * for its merge is rolled back and staged again, since the server may have ended its idle
 * transaction. With the limit at zero every range after the first is staged twice, and the
 * import's rows and counts are exactly those of one staging.
 */
@QuarkusTest
@TestProfile(ImportStagedAgainTest.NoIdleStaging.class)
class ImportStagedAgainTest {
    /**
     * Every range staged ahead counts as having waited too long; slices long enough for all the
     * ranges, since a new slice stages its first range afresh (the tests' slices are 1 s).
     */
    public static class NoIdleStaging implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("longhaul.import.staged-idle-limit", "0s", "longhaul.worker.slice", "60s");
        }
    }

    @Inject
    ImportJobs jobs;
    @Inject
    AgroalDataSource db;

    @BeforeEach
    void clean() throws Exception {
        sql(db, "delete from shop.customers where email like 'impr%@example.com'");
    }

    @Test
    void aRangeStagedAgainAfterItsMergeWaitedTooLongIsAppliedOnce() throws Exception {
        // three ranges; the first 1,000 keys exist already, and one of them is set again by the
        // second and third ranges
        sql(db, "insert into shop.customers (email, name, country) select 'impr' || g || '@example.com', 'Old', 'FR' "
                + "from generate_series(2, 1001) g");
        int rows = 250_000;
        StringBuilder csv = new StringBuilder("email,name,country\n");
        for (long line = 2; line <= rows + 1; line++) {
            if (line == 100_005 || line == 240_000) csv.append("impr5@example.com,Later ").append(line).append(",DE\n");
            else csv.append("impr").append(line).append("@example.com,Customer ").append(line).append(",DE\n");
        }

        Job done = jobs.run("customers", jobs.upload(csv.toString()), "upsert");
        JsonNode result = done.result();

        assertThat(result.get("inserted").asLong()).isEqualTo(rows - 2 - 1000);
        assertThat(result.get("updated").asLong()).isEqualTo(1000 + 2);
        assertThat(result.get("rejected").asLong()).isZero();
        assertThat(count(db, "shop.customers where email like 'impr%@example.com'")).isEqualTo(rows - 2);
        assertThat(count(db, "shop.customers where email like 'impr%@example.com' and name = 'Old'")).isZero();
        assertThat(count(db, "shop.customers where email = 'impr5@example.com' and name = 'Later 240000'")).isOne();
        // the second and third ranges were staged again
        String log = Files.readString(Path.of("target/worker-test.log"));
        assertThat(log.lines().filter(l -> l.contains(done.id().toString()) && l.contains("staging it again")).count())
                .isEqualTo(2);
    }
}
