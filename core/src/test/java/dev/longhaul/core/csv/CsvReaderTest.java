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
    void aReaderResumesAtARecordsEndOffsetAndNextLine() throws Exception {
        String csv = "h1,h2\n1,one\n2,\"t\nwo\"\n3,three\n4,four";
        List<CsvReader.Record> whole = all(csv, 0, 1);
        byte[] bytes = csv.getBytes(StandardCharsets.UTF_8);
        // after a one-line record, and after one whose quoted field spans two lines
        for (int after : new int[] {1, 2}) {
            CsvReader.Record last = whole.get(after);
            String rest = new String(bytes, (int) last.endOffset(), bytes.length - (int) last.endOffset(), StandardCharsets.UTF_8);
            List<CsvReader.Record> resumed = all(rest, last.endOffset(), last.nextLine());
            assertThat(resumed).isEqualTo(whole.subList(after + 1, whole.size()));
        }
        assertThat(whole.get(2).nextLine()).isEqualTo(5);
        assertThat(whole.get(4).line()).isEqualTo(6);
    }

    private static List<CsvReader.Record> all(String csv, long offset, long line) throws Exception {
        CsvReader reader = new CsvReader(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), offset, line);
        List<CsvReader.Record> records = new ArrayList<>();
        for (CsvReader.Record r = reader.next(); r != null; r = reader.next()) records.add(r);
        return records;
    }
}
