package dev.longhaul.core.csv;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads RFC 4180 CSV from a byte stream, one record at a time, in flat memory: quoted fields may
 * hold commas, doubled quotes and line breaks; records end with LF or CRLF; blank lines are
 * skipped. It counts physical lines and bytes, so a record is reported by the line it starts on
 * and a reader can be resumed at a record's end offset. A malformed record (an unclosed quote,
 * text after a closing quote, a row over {@link #MAX_RECORD_BYTES}) comes back with an error and
 * reading goes on at the next line. Not thread-safe.
 */
public final class CsvReader {
    public static final int MAX_RECORD_BYTES = 1 << 20;

    /**
     * One record.
     *
     * @param line      the physical line it starts on, from 1
     * @param endOffset the byte offset just after it: where the next record starts
     * @param nextLine  the line just after it (a quoted field may span lines): where the next record starts
     * @param error     why it is malformed, or null
     */
    public record Record(long line, List<String> fields, long endOffset, long nextLine, String error) {
    }

    private final InputStream in;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private long offset;
    private long line;
    private final byte[] field = new byte[MAX_RECORD_BYTES];
    private int fieldLength;
    private int recordBytes;

    /** Reads from {@code in}, whose first byte is at {@code offset} of the file and on {@code line}. */
    public CsvReader(InputStream in, long offset, long line) {
        this.in = in;
        this.offset = offset;
        this.line = line;
    }

    /** The next record, or null at the end of the stream. */
    public Record next() throws IOException {
        while (true) {
            int first = peek();
            if (first < 0) return null;
            if (first == '\n' || first == '\r') { // a blank line
                endOfLine(read());
                continue;
            }
            return record();
        }
    }

    private Record record() throws IOException {
        long start = line;
        List<String> fields = new ArrayList<>();
        fieldLength = 0;
        recordBytes = 0;
        boolean quoted = false;
        boolean closed = false; // a quoted field whose closing quote has been read
        while (true) {
            int b = read();
            if (b < 0) {
                if (quoted && !closed) return new Record(start, fields, offset, line, "a quoted field is never closed");
                fields.add(text());
                return new Record(start, fields, offset, line, null);
            }
            if (++recordBytes > MAX_RECORD_BYTES) {
                skipLine(b);
                return new Record(start, fields, offset, line, "the row is longer than " + MAX_RECORD_BYTES + " bytes (an unclosed quote?)");
            }
            if (quoted && !closed) {
                if (b == '"') {
                    if (peek() == '"') {
                        read();
                        append('"');
                    } else {
                        closed = true;
                    }
                } else {
                    if (b == '\n') line++;
                    append(b);
                }
                continue;
            }
            switch (b) {
                case ',' -> {
                    fields.add(text());
                    quoted = false;
                    closed = false;
                }
                case '\n', '\r' -> {
                    endOfLine(b);
                    fields.add(text());
                    return new Record(start, fields, offset, line, null);
                }
                case '"' -> {
                    if (closed || fieldLength > 0) {
                        skipLine(b);
                        return new Record(start, fields, offset, line, "a quote inside an unquoted field, or after a closing quote");
                    }
                    quoted = true;
                }
                default -> {
                    if (closed) {
                        skipLine(b);
                        return new Record(start, fields, offset, line, "text after a closing quote");
                    }
                    append(b);
                }
            }
        }
    }

    private String text() {
        String s = new String(field, 0, fieldLength, StandardCharsets.UTF_8);
        fieldLength = 0;
        return s;
    }

    private void append(int b) {
        field[fieldLength++] = (byte) b;
    }

    /** After {@code b} (CR or LF) was read: takes the LF of a CRLF and counts the line. */
    private void endOfLine(int b) throws IOException {
        if (b == '\r' && peek() == '\n') read();
        line++;
    }

    /** Drops the rest of the physical line that {@code b} is on. */
    private void skipLine(int b) throws IOException {
        while (b >= 0 && b != '\n' && b != '\r') b = read();
        if (b >= 0) endOfLine(b);
    }

    private int peek() throws IOException {
        if (position == limit && !fill()) return -1;
        return buffer[position] & 0xff;
    }

    private int read() throws IOException {
        if (position == limit && !fill()) return -1;
        offset++;
        return buffer[position++] & 0xff;
    }

    private boolean fill() throws IOException {
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) return false;
        position = 0;
        limit = n;
        return true;
    }
}
