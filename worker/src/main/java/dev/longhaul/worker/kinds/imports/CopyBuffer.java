package dev.longhaul.worker.kinds.imports;

import java.sql.SQLException;
import org.postgresql.copy.CopyIn;

/**
 * The bytes of a COPY on their way to the server: gathered in one fixed buffer and handed on in
 * pieces of about {@link #FLUSH_BYTES}, so a batch of any size streams in flat memory. Not
 * thread-safe.
 */
final class CopyBuffer {
    static final int FLUSH_BYTES = 64 * 1024;
    private final CopyIn copy;
    private final byte[] buffer = new byte[FLUSH_BYTES + 8 * 1024];
    private int length;

    CopyBuffer(CopyIn copy) {
        this.copy = copy;
    }

    void int16(short value) throws SQLException {
        room(2);
        buffer[length++] = (byte) (value >>> 8);
        buffer[length++] = (byte) value;
    }

    void int32(int value) throws SQLException {
        room(4);
        for (int shift = 24; shift >= 0; shift -= 8) buffer[length++] = (byte) (value >>> shift);
    }

    void int64(long value) throws SQLException {
        room(8);
        for (int shift = 56; shift >= 0; shift -= 8) buffer[length++] = (byte) (value >>> shift);
    }

    void bytes(byte[] bytes) throws SQLException {
        if (bytes.length > buffer.length) { // a long field goes straight through
            flush();
            copy.writeToCopy(bytes, 0, bytes.length);
            return;
        }
        room(bytes.length);
        System.arraycopy(bytes, 0, buffer, length, bytes.length);
        length += bytes.length;
    }

    void ascii(char c) throws SQLException {
        room(1);
        buffer[length++] = (byte) c;
    }

    /** Hands the gathered bytes on once there are enough of them; called at the end of each row. */
    void flushIfFull() throws SQLException {
        if (length >= FLUSH_BYTES) flush();
    }

    void flush() throws SQLException {
        if (length == 0) return;
        copy.writeToCopy(buffer, 0, length);
        length = 0;
    }

    private void room(int bytes) throws SQLException {
        if (length + bytes > buffer.length) flush();
    }
}
