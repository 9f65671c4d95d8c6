package dev.longhaul.worker.kinds.imports;

import static dev.longhaul.worker.TestSql.count;
import static dev.longhaul.worker.TestSql.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.longhaul.core.artifact.ArtifactInfo;
import dev.longhaul.core.artifact.ArtifactStore;
import dev.longhaul.core.csv.CsvReader;
import dev.longhaul.core.dataset.Dataset;
import dev.longhaul.core.dataset.Datasets;
import dev.longhaul.core.job.Job;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A CSV with malformed rows imports its good rows and reports the bad ones by line. */
@QuarkusTest
class ImportTest {
    @Inject
    ImportJobs jobs;
    @Inject
    ArtifactStore artifacts;
    @Inject
    AgroalDataSource db;
    @Inject
    Datasets datasets;

    @BeforeEach
    void clean() throws Exception {
        sql(db, "delete from shop.customers where email like 'imp%@example.com'");
    }

    @Test
    void goodRowsGoInAndBadRowsAreReportedWithTheirLines() throws Exception {
        // 10,000 rows after the header; lines are counted from the header, line 1
        StringBuilder csv = new StringBuilder("email,name,country,status\n");
        Map<Long, String> bad = new TreeMap<>(Map.of(
                102L, "imp100-at-example.com,Bad Email,DE,active",
                2002L, "imp2000@example.com,Missing Field,DE",
                4002L, "imp4000@example.com,Too Many,DE,active,surplus",
                6002L, "imp6000@example.com,Long Country,DEU,active",
                8002L, "imp8000@example.com,Refused Status,DE,vip"));
        for (long line = 2; line <= 10_001; line++) {
            long n = line - 2;
            csv.append(bad.getOrDefault(line, "imp" + n + "@example.com,\"Customer, No. " + n + "\",FR,active")).append('\n');
        }
        Job job = run(upload(csv.toString()), "upsert");
        JsonNode result = job.result();

        assertThat(result.get("inserted").asLong()).isEqualTo(9_995);
        assertThat(result.get("rejected").asLong()).isEqualTo(5);
        assertThat(count(db, "shop.customers where email like 'imp%@example.com'")).isEqualTo(9_995);
        assertThat(count(db, "shop.customers where email = 'imp42@example.com' and name = 'Customer, No. 42' and status = 'active'")).isOne();
        List<Long> lines = new ArrayList<>();
        result.get("rejections").forEach(r -> lines.add(r.get("line").asLong()));
        assertThat(lines).containsExactlyElementsOf(bad.keySet());
        assertThat(result.get("rejections").get(0).get("reason").asText()).contains("email", "not an email address");
        assertThat(result.get("rejections").get(1).get("reason").asText()).contains("3 fields", "header has 4");
        assertThat(result.get("rejections").get(2).get("reason").asText()).contains("5 fields");
        assertThat(result.get("rejections").get(3).get("reason").asText()).contains("country", "at most 2");
        assertThat(result.get("rejections").get(4).get("reason").asText()).contains("refused by the database", "customers_status_check");
        assertThat(rejectedFile(job.id())).startsWith("line,reason\n102,").contains("\n8002,");
    }

    @Test
    void aRejectionNeverQuotesTheRowEvenAMegabyteField() throws Exception {
        String megabyte = "q".repeat(1_000_000); // just under the longest row an import reads
        String csv = "email,name,country,status\n"
                + megabyte + ",Huge Email,DE,active\n"
                + "impbig1@example.com,Huge Status,DE," + megabyte + "\n"
                + "impbig2@example.com,Fine,DE,active\n";
        Job job = run(upload(csv), "upsert");

        assertThat(job.result().get("inserted").asLong()).isOne();
        List<String> reasons = new ArrayList<>();
        job.result().get("rejections").forEach(r -> reasons.add(r.get("reason").asText()));
        assertThat(reasons).hasSize(2);
        assertThat(reasons.get(0)).isEqualTo("email is not an email address");
        assertThat(reasons.get(1)).startsWith("refused by the database (SQLSTATE 23514").contains("customers_status_check");
        assertThat(String.join("", reasons)).doesNotContain("qqqq");
        assertThat(rejectedFile(job.id())).doesNotContain("qqqq").hasSizeLessThan(500);
    }

    @Test
    void upsertUpdatesExistingRowsOnTheUniqueColumnAndInsertRejectsThem() throws Exception {
        run(upload("email,name,country\nimp1@example.com,One,DE\nimp2@example.com,Two,DE\n"), "upsert");

        String again = "email,name,country\nimp1@example.com,One Again,FR\nimp2@example.com,Two Again,FR\nimp3@example.com,Three,FR\n";
        JsonNode inserted = run(upload(again), "insert").result();
        assertThat(inserted.get("inserted").asLong()).isEqualTo(1);
        assertThat(inserted.get("rejected").asLong()).isEqualTo(2);
        assertThat(inserted.get("rejections").get(0).get("reason").asText()).contains("exists already");

        JsonNode upserted = run(upload(again), "upsert").result();
        assertThat(upserted.get("inserted").asLong()).isZero();
        assertThat(upserted.get("updated").asLong()).isEqualTo(3);
        assertThat(count(db, "shop.customers where email like 'imp_@example.com' and name like '% Again' and country = 'FR'")).isEqualTo(2);

        // a key repeated within the file: the last line wins an upsert, the others are rejected
        JsonNode repeated = run(upload("email,name,country\nimp5@example.com,First,DE\nimp6@example.com,Six,DE\n"
                + "imp5@example.com,Last,FR\n"), "upsert").result();
        assertThat(repeated.get("inserted").asLong()).isEqualTo(2);
        assertThat(repeated.get("rejections").get(0).get("line").asLong()).isEqualTo(2);
        assertThat(repeated.get("rejections").get(0).get("reason").asText()).isEqualTo("email repeats line 4");
        assertThat(count(db, "shop.customers where email = 'imp5@example.com' and name = 'Last'")).isOne();
    }

    @Test
    void anInsertRangeTheDatabaseRefusesIsRedoneThroughStagingAndOnlyItsRefusedRowsAreRejected() throws Exception {
        run(upload("email,name,country\nimpx1@example.com,Exists,DE\n"), "insert");
        // the COPY into the target meets a key that exists (line 3) and a key repeated in the
        // file (line 5 repeats line 2): the range is merged from staging, which rejects both
        Job keys = run(upload("email,name,country\nimpx2@example.com,Two,DE\nimpx1@example.com,Exists Again,FR\n"
                + "impx4@example.com,Four,DE\nimpx2@example.com,Two Again,FR\nimpx6@example.com,Six,DE\n"), "insert");
        assertThat(keys.result().get("inserted").asLong()).isEqualTo(3);
        assertThat(rejectedFile(keys.id())).isEqualTo("line,reason\n3,\"a row with this email exists already\"\n"
                + "5,\"email repeats line 2\"\n");
        assertThat(count(db, "shop.customers where email = 'impx1@example.com' and name = 'Exists'")).isOne();
        assertThat(count(db, "shop.customers where email = 'impx2@example.com' and name = 'Two'")).isOne();

        // a status the CHECK refuses (line 3): the range is merged line by line, and only that line is rejected
        JsonNode checked = run(upload("email,name,country,status\nimpx7@example.com,Seven,DE,active\n"
                + "impx8@example.com,Refused,DE,vip\nimpx9@example.com,Nine,DE,active\n"), "insert").result();
        assertThat(checked.get("inserted").asLong()).isEqualTo(2);
        assertThat(checked.get("rejections").get(0).get("line").asLong()).isEqualTo(3);
        assertThat(checked.get("rejections").get(0).get("reason").asText())
                .startsWith("refused by the database (SQLSTATE 23514").contains("customers_status_check");
        assertThat(count(db, "shop.customers where email like 'impx%@example.com'")).isEqualTo(6);
    }

    @Test
    void aFullRangeRefusedEarlyInItsCopyIsRedoneWhole() throws Exception {
        run(upload("email,name,country\nimpe3@example.com,Exists,DE\n"), "insert");
        // line 3 exists: the server refuses the COPY while the rest of the range still streams in
        StringBuilder csv = new StringBuilder("email,name,country\n");
        for (int line = 2; line <= 150_001; line++) csv.append("impe").append(line).append("@example.com,Customer,DE\n");
        JsonNode result = run(upload(csv.toString()), "insert").result();

        assertThat(result.get("inserted").asLong()).isEqualTo(149_999);
        assertThat(result.get("rejected").asLong()).isOne();
        assertThat(result.get("rejections").get(0).get("line").asLong()).isEqualTo(3);
        assertThat(count(db, "shop.customers where email like 'impe%@example.com'")).isEqualTo(150_000);
    }

    @Test
    void moreRejectionsThanMaxErrorsStopTheImportAndOnErrorFailImportsNothing() throws Exception {
        String csv = "email,name,country\nimpm1@example.com,One,DE\nbad-1,Bad,DE\nbad-2,Bad,DE\nimpm4@example.com,Four,DE\n";
        Job skipping = submit(upload(csv), "insert", ",\"maxErrors\":1");
        await().atMost(Duration.ofSeconds(60)).until(() -> find(skipping.id()).state().isFinished());
        assertThat(find(skipping.id()).error()).contains("more than maxErrors (1)", "stopped at line 2", "line 3: email is not");
        assertThat(count(db, "shop.customers where email like 'impm%@example.com'")).isZero();

        Job failing = submit(upload(csv), "upsert", ",\"onError\":\"fail\"");
        await().atMost(Duration.ofSeconds(60)).until(() -> find(failing.id()).state().isFinished());
        assertThat(find(failing.id()).error()).contains("2 rows are invalid and onError is fail, so nothing was imported");
        assertThat(count(db, "shop.customers where email like 'impm%@example.com'")).isZero();
    }

    @Test
    void aLongImportResumesFromItsCheckpointsAcrossSlices() throws Exception {
        // 1,000,000 rows: ten ranges of 100,000 lines, more than one 1 s slice can take even on a
        // fast machine, so slices continue from the last committed checkpoint; a bad row every
        // 50,000 lines, and line 200,001 repeats the email of line 2
        int rows = 1_000_000;
        StringBuilder csv = new StringBuilder("email,name,country\n");
        for (long line = 2; line <= rows + 1; line++) {
            if (line % 50_000 == 0) csv.append("not-an-email,Bad,DE\n");
            else if (line == 200_001) csv.append("impr2@example.com,Repeated,FR\n");
            else csv.append("impr").append(line).append("@example.com,Customer ").append(line).append(",DE\n");
        }
        int bad = rows / 50_000;
        Job job = run(upload(csv.toString()), "upsert");
        JsonNode result = job.result();

        assertThat(count(db, "shop.customers where email like 'impr%@example.com'")).isEqualTo(rows - bad - 1);
        assertThat(count(db, "shop.customers where email = 'impr2@example.com' and name = 'Repeated'")).isOne();
        assertThat(result.get("inserted").asLong()).isEqualTo(rows - bad - 1);
        assertThat(result.get("inserted").asLong() + result.get("updated").asLong() + result.get("rejected").asLong())
                .isEqualTo(rows);
        List<Long> lines = new ArrayList<>();
        result.get("rejections").forEach(r -> {
            if (r.get("reason").asText().contains("not an email address")) lines.add(r.get("line").asLong());
        });
        List<Long> expected = new ArrayList<>();
        for (long line = 50_000; line <= rows + 1; line += 50_000) expected.add(line);
        assertThat(lines).isEqualTo(expected);
        assertThat(count(db, "longhaul.job_event where type = 'resumed' and job_id = '" + job.id() + "'"))
                .as("slices resumed from a checkpoint").isPositive();
    }

    @Test
    void upsertRangesStagedAheadStillMergeInFileOrder() throws Exception {
        // three ranges: while one merges the next is staged; the middle one holds a bad row, and
        // later ranges set again a key that the first one inserted
        int rows = 250_000;
        StringBuilder csv = new StringBuilder("email,name,country,status\n");
        for (long line = 2; line <= rows + 1; line++) {
            if (line == 150_000) csv.append("not-an-email,Bad,DE,active\n");
            else if (line == 100_005 || line == 240_000) csv.append("imps5@example.com,Later ").append(line).append(",FR,active\n");
            else csv.append("imps").append(line).append("@example.com,Customer ").append(line).append(",DE,active\n");
        }
        JsonNode result = run(upload(csv.toString()), "upsert").result();

        assertThat(count(db, "shop.customers where email like 'imps%@example.com'")).isEqualTo(rows - 3);
        // the last line of a repeated key wins, though three ranges set it
        assertThat(count(db, "shop.customers where email = 'imps5@example.com' and name = 'Later 240000'")).isOne();
        assertThat(result.get("inserted").asLong()).isEqualTo(rows - 3);
        assertThat(result.get("updated").asLong()).isEqualTo(2);
        assertThat(result.get("rejected").asLong()).isOne();
        assertThat(result.get("rejections").get(0).get("line").asLong()).isEqualTo(150_000);
        assertThat(result.get("rejections").get(0).get("reason").asText()).contains("not an email address");
    }

    @Test
    void anUpsertIntoAPartitionedTableCountsInsertsAndUpdatesByTheRowsItWrote() throws Exception {
        // a partitioned table counts inserts in its partitions, not in itself, so the one-pass
        // upsert cannot read them from the transaction and returns a flag per row instead
        sql(db, "create table if not exists public.import_contacts (email text primary key, name text not null) partition by hash (email)");
        sql(db, "create table if not exists public.import_contacts_0 partition of public.import_contacts for values with (modulus 2, remainder 0)");
        sql(db, "create table if not exists public.import_contacts_1 partition of public.import_contacts for values with (modulus 2, remainder 1)");
        sql(db, "truncate public.import_contacts");
        sql(db, "insert into public.import_contacts select 'c' || g || '@example.com', 'Old ' || g from generate_series(1, 150) g");
        StringBuilder csv = new StringBuilder("email,name\n");
        for (int i = 101; i <= 400; i++) csv.append('c').append(i).append("@example.com,New ").append(i).append('\n');
        csv.append("not-an-email,Bad\n");

        JsonNode upserted = runOn("contacts", upload(csv.toString()), "upsert").result();
        assertThat(upserted.get("inserted").asLong()).isEqualTo(250);
        assertThat(upserted.get("updated").asLong()).isEqualTo(50);
        assertThat(upserted.get("rejected").asLong()).isOne();
        assertThat(count(db, "public.import_contacts where name like 'New %'")).isEqualTo(300);
        assertThat(count(db, "public.import_contacts where name like 'Old %'")).isEqualTo(100);
        assertThat(count(db, "public.import_contacts_0")).isPositive();
        assertThat(count(db, "public.import_contacts_1")).isPositive();

        // an insert COPYs into the partitioned table; the keys that exist are rejected by line
        JsonNode inserted = runOn("contacts", upload("email,name\nc400@example.com,Again\nc401@example.com,Fresh\n"), "insert").result();
        assertThat(inserted.get("inserted").asLong()).isOne();
        assertThat(inserted.get("rejected").asLong()).isOne();
        assertThat(inserted.get("rejections").get(0).get("line").asLong()).isEqualTo(2);
        assertThat(count(db, "public.import_contacts")).isEqualTo(401);

        // a key repeated in the file: the range is merged with the statement that picks the last
        // line, and split by the same count
        JsonNode repeated = runOn("contacts", upload("email,name\nc1@example.com,First\nc500@example.com,Five hundred\n"
                + "c1@example.com,Last\n"), "upsert").result();
        assertThat(repeated.get("inserted").asLong()).isOne();
        assertThat(repeated.get("updated").asLong()).isOne();
        assertThat(repeated.get("rejections").get(0).get("reason").asText()).isEqualTo("email repeats line 4");
        assertThat(count(db, "public.import_contacts where email = 'c1@example.com' and name = 'Last'")).isOne();
    }

    @Test
    void aStagingBatchThatFailsLeavesNoRowsAndAnEndedOneLeavesThemAll() throws Exception {
        Staging staging = new Staging(UUID.randomUUID(), 2);
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            staging.create(c);
            c.commit();
            // rows streamed into the COPY, then the batch fails before its end: nothing stays
            try (Staging.Writer writer = staging.writer(c)) {
                for (long line = 2; line < 20_002; line++) writer.add(line, new String[] {"a\tb", null});
            }
            c.rollback();
            assertThat(count(db, staging.table)).isZero();
            // the same batch ended and committed: every row, with its tab and its null
            try (Staging.Writer writer = staging.writer(c)) {
                for (long line = 2; line < 20_002; line++) writer.add(line, new String[] {"a\tb", null});
                writer.end();
            }
            c.commit();
            assertThat(count(db, staging.table + " where c0 = e'a\\tb' and c1 is null")).isEqualTo(20_000);
            staging.drop(c);
            c.commit();
        }
    }

    @Test
    void aBatchEndsAtItsByteBoundBeforeItsRows() throws Exception {
        // 10 records of 28 bytes each after a 19-byte header; a bound of 70 bytes ends the batch
        // after the record that crosses it, the third, and the next batch starts right after it
        StringBuilder csv = new StringBuilder("email,name,country\n");
        for (int n = 0; n < 10; n++) csv.append("impb").append(n).append("@example.com,Name ").append(n).append(",DE\n");
        byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
        TargetTable target;
        try (Connection c = db.getConnection()) {
            Dataset customers = datasets.require("customers", "dataset");
            target = TargetTable.of(c, customers, List.of("email", "name", "country"), customers.column("email").orElseThrow());
        }
        CsvReader reader = new CsvReader(new ByteArrayInputStream(bytes, 19, bytes.length - 19), 19, 2);
        List<Long> lines = new ArrayList<>();
        Batch first = Batch.read(reader, target, (line, values) -> lines.add(line), 1_000, 70, 19, 2);
        assertThat(first.good()).isEqualTo(3);
        assertThat(first.eof()).isFalse();
        assertThat(first.end()).isEqualTo(19 + 3 * 28);
        Batch rest = Batch.read(reader, target, (line, values) -> lines.add(line), 1_000, 1_000, first.end(), first.nextLine());
        assertThat(rest.good()).isEqualTo(7);
        assertThat(rest.eof()).isTrue();
        assertThat(lines).containsExactly(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
    }

    @Test
    void aHeaderThatNamesAnUnknownColumnFailsTheJobAndImportsNothing() throws Exception {
        UUID upload = upload("email,name,shoe_size\nimp1@example.com,One,44\n");
        Job job = submit(upload, "upsert");
        await().atMost(Duration.ofSeconds(60)).until(() -> find(job.id()).state().isFinished());
        Job done = find(job.id());
        assertThat(done.error()).contains("shoe_size", "is not a column of shop.customers");
        assertThat(count(db, "shop.customers where email like 'imp%@example.com'")).isZero();
    }

    private UUID upload(String csv) {
        return jobs.upload(csv);
    }

    private Job run(UUID upload, String mode) throws Exception {
        return jobs.run("customers", upload, mode);
    }

    private Job runOn(String dataset, UUID upload, String mode) throws Exception {
        return jobs.run(dataset, upload, mode);
    }

    private Job submit(UUID upload, String mode) throws Exception {
        return submit(upload, mode, "");
    }

    /** {@code more}: further parameters, as JSON members each after a comma. */
    private Job submit(UUID upload, String mode, String more) throws Exception {
        return jobs.submit("customers", upload, mode, more);
    }

    private String rejectedFile(UUID job) throws Exception {
        ArtifactInfo info = artifacts.list(List.of(job)).get(job).getFirst();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        artifacts.copyTo(info.id(), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private Job find(UUID id) {
        return jobs.find(id);
    }
}
