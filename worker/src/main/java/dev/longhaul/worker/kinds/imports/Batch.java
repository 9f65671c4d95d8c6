package dev.longhaul.worker.kinds.imports;

import dev.longhaul.core.csv.CsvReader;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What one batch of records read: its good rows went to a {@link Sink} as they were read, its
 * bad ones are listed here with their reasons (never their values).
 *
 * @param good     the rows that passed the checks
 * @param end      the byte offset just after the batch: where the next one starts
 * @param nextLine the line just after the batch
 * @param eof      whether the file ended within the batch
 */
record Batch(long good, List<Long> badLines, List<String> reasons, long end, long nextLine, boolean eof) {

    /** Where the good rows of a batch go, while it is read: a COPY. */
    @FunctionalInterface
    interface Sink {
        void add(long line, String[] values) throws SQLException;
    }

    /**
     * The most bytes of the file a batch reads, whatever its rows: a file of long rows must not
     * make one transaction, one COPY, outlast the statement timeout.
     */
    static final long MAX_BYTES = 64L << 20;

    /**
     * Reads up to {@code rows} records, and at most about {@link #MAX_BYTES}, from {@code reader},
     * which stands at byte {@code end} and line {@code nextLine}; checks each against
     * {@code target} and hands the good ones to {@code sink}.
     */
    static Batch read(CsvReader reader, TargetTable target, Sink sink, int rows, long end, long nextLine) throws Exception {
        return read(reader, target, sink, rows, MAX_BYTES, end, nextLine);
    }

    /** {@link #read(CsvReader, TargetTable, Sink, int, long, long)} with a bound of {@code maxBytes}. */
    static Batch read(CsvReader reader, TargetTable target, Sink sink, int rows, long maxBytes, long end, long nextLine)
            throws Exception {
        List<Long> badLines = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        long good = 0;
        long start = end;
        while (good + badLines.size() < rows && end - start < maxBytes) {
            CsvReader.Record record = reader.next();
            if (record == null) return new Batch(good, badLines, reasons, end, nextLine, true);
            end = record.endOffset();
            nextLine = record.nextLine();
            List<String> errors = new ArrayList<>(0);
            String[] values = record.error() == null ? target.check(record.fields(), errors) : null;
            if (record.error() != null) errors.add(record.error());
            if (values != null) {
                sink.add(record.line(), values);
                good++;
            } else {
                badLines.add(record.line());
                reasons.add(String.join("; ", errors));
            }
        }
        return new Batch(good, badLines, reasons, end, nextLine, false);
    }

    /** How many rows the batch read, good and bad. */
    long rows() {
        return good + badLines.size();
    }
}
