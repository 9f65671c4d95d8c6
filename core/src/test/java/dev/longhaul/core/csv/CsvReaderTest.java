package dev.longhaul.core.csv;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvReaderTest {
    @Test
    void quotedFieldsHoldCommasQuotesAndLineBreaksAndLinesAreCountedPhysically() throws Exception {
        String csv = "email,name\r\na@example.com,\"Smith, Ann\"\r\n\r\nb@example.com,\"say \"\"hi\"\"\nthere\"\nc@example.com,Ünal\n";
        List<CsvReader.Record> records = all(csv, 0, 1);
        assertThat(records).extracting(CsvReader.Record::line).containsExactly(1L, 2L, 4L, 6L);
        assertThat(records.get(1).fields()).containsExactly("a@example.com", "Smith, Ann");
        assertThat(records.get(2).fields()).containsExactly("b@example.com", "say \"hi\"\nthere");
        assertThat(records.get(3).fields()).containsExactly("c@example.com", "Ünal");
        assertThat(records).allMatch(r -> r.error() == null);
    }

    @Test
    void malformedRowsAreReportedAndReadingGoesOnAtTheNextLine() throws Exception {
        List<CsvReader.Record> records = all("a,\"b\"x,c\nd,e\"f\ng,h\ni,\"never closed\n", 0, 1);
        assertThat(records).extracting(CsvReader.Record::line).containsExactly(1L, 2L, 3L, 4L);
        assertThat(records.get(0).error()).contains("after a closing quote");
        assertThat(records.get(1).error()).contains("quote inside an unquoted field");
        assertThat(records.get(2).fields()).containsExactly("g", "h");
        assertThat(records.get(3).error()).contains("never closed");
    }

    @Test
    void aReaderResumesAtARecordsEndOffset() throws Exception {
        String csv = "h1,h2\n1,one\n2,\"t\nwo\"\n3,three";
        List<CsvReader.Record> whole = all(csv, 0, 1);
        CsvReader.Record second = whole.get(1);
        byte[] bytes = csv.getBytes(StandardCharsets.UTF_8);
        String rest = new String(bytes, (int) second.endOffset(), bytes.length - (int) second.endOffset(), StandardCharsets.UTF_8);
        List<CsvReader.Record> resumed = all(rest, second.endOffset(), second.line() + 1);
        assertThat(resumed).isEqualTo(whole.subList(2, 4));
        assertThat(resumed.get(1).fields()).containsExactly("3", "three");
    }

    private static List<CsvReader.Record> all(String csv, long offset, long line) throws Exception {
        CsvReader reader = new CsvReader(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), offset, line);
        List<CsvReader.Record> records = new ArrayList<>();
        for (CsvReader.Record r = reader.next(); r != null; r = reader.next()) records.add(r);
        return records;
    }
}
