package dev.longhaul.core.artifact;

import dev.longhaul.core.tenant.Quotas;
import dev.longhaul.core.job.JobIds;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.postgresql.PGStatement;

/**
 * Uploaded files ({@code upload}, {@code upload_part}): streamed in by the api in parts, each
 * committed on its own so no transaction lasts as long as a slow client, and read back by a worker
 * from any byte offset. An upload is usable once {@code complete}; one that fails half-way is
 * deleted, and one abandoned by a crash is never complete and goes with retention.
 */
@ApplicationScoped
public class UploadStore {
    public static final int PART_BYTES = 4 * 1024 * 1024;

    @Inject
    AgroalDataSource dataSource;
    @Inject
    Clock clock;
    @Inject
    Quotas quotas;

    /** Why an upload was refused. */
    public static class RefusedException extends RuntimeException {
        public enum Reason { TOO_LARGE, QUOTA, NOT_TEXT, EMPTY }

        private final Reason reason;

        RefusedException(String message, Reason reason) {
            super(message);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    /**
     * Stores {@code body} as text: it must be UTF-8 without NUL bytes, non-empty and at most
     * {@code maxBytes}, and keep the tenant within its upload quota; otherwise nothing is kept and a
     * {@link RefusedException} says why. Two uploads racing may together pass the quota by at most
     * one upload's size.
     */
    public UploadInfo store(InputStream body, String name, String contentType, long maxBytes, String tenant) {
        return store(body, name, contentType, maxBytes, tenant, PART_BYTES);
    }

    /** {@link #store(InputStream, String, String, long, String)} in parts of {@code partBytes}. */
    public UploadInfo store(InputStream body, String name, String contentType, long maxBytes, String tenant, int partBytes) {
        UUID id = JobIds.next(clock);
        PartWrite writing = null;
        try {
            long quota = quotas.uploadBytes(tenant);
            long used = usage(tenant);
            FileDigest digest = FileDigest.empty();
            TextCheck text = new TextCheck();
            int seq = 0;
            while (true) {
                // each part is read from the client before a connection is taken, and written in a
                // short statement of its own: a slow client holds no connection while it sends.
                // The part before it is written meanwhile, so reading and checking one part
                // overlap with storing the last.
                byte[] part = body.readNBytes(partBytes);
                if (part.length == 0) break;
                if (digest.size() + part.length > maxBytes) {
                    throw new RefusedException("is larger than the limit of " + maxBytes + " bytes", RefusedException.Reason.TOO_LARGE);
                }
                if (used + digest.size() + part.length > quota) {
                    throw new RefusedException("would take tenant '" + tenant + "' past its upload quota of " + quota
                            + " bytes (" + used + " in use; delete uploads or wait for retention)", RefusedException.Reason.QUOTA);
                }
                text.check(part, digest.size(), false);
                long start = digest.size();
                digest.update(part);
                if (writing != null) writing.await();
                writing = new PartWrite(id, seq, start, part, seq == 0 ? new Header(name, contentType, tenant) : null);
                seq++;
            }
            if (writing != null) writing.await();
            text.check(new byte[0], digest.size(), true);
            if (digest.size() == 0) throw new RefusedException("is empty: expected CSV text", RefusedException.Reason.EMPTY);
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                complete(c, id, digest);
            }
            return find(id).orElseThrow();
        } catch (RuntimeException | IOException | SQLException | InterruptedException e) {
            if (writing != null) {
                // a write still running would land after the delete
                writing.settle();
                deleteQuietly(id);
            }
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            if (e instanceof IOException io) throw new UncheckedIOException(io);
            if (e instanceof SQLException sql) throw new IllegalStateException("could not store the upload: " + sql.getMessage(), sql);
            if (e instanceof InterruptedException) throw new IllegalStateException("interrupted while storing the upload", e);
            throw (RuntimeException) e;
        }
    }

    /** The upload's row, written with its first part. */
    private record Header(String name, String contentType, String tenant) {
    }

    /** One part being written on a virtual thread of its own, in an autocommit statement. */
    private final class PartWrite {
        private final FutureTask<Void> task;

        PartWrite(UUID id, int seq, long start, byte[] data, Header header) {
            task = new FutureTask<>(() -> {
                try (Connection c = dataSource.getConnection()) {
                    c.setAutoCommit(true);
                    if (header != null) insert(c, id, header.name(), header.contentType(), header.tenant());
                    writePart(c, id, seq, start, data);
                }
                return null;
            });
            Thread.ofVirtual().name("upload-part-" + id + "-" + seq).start(task);
        }

        /** Waits for the write; its failure is thrown as it was. */
        void await() throws SQLException, InterruptedException {
            try {
                task.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof SQLException sql) throw sql;
                if (e.getCause() instanceof RuntimeException runtime) throw runtime;
                throw new IllegalStateException("could not store an upload part: " + e.getCause(), e.getCause());
            }
        }

        /** Waits for the write however it ends. */
        void settle() {
            boolean interrupted = false;
            while (true) {
                try {
                    task.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    break;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** Bytes of uploads the tenant keeps, finished or under way. */
    private long usage(String tenant) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "select coalesce(sum(size), 0) from longhaul.upload where tenant = ?")) {
            s.setString(1, tenant);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private void deleteQuietly(UUID id) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            delete(c, id);
        } catch (SQLException e) {
            // an incomplete upload is never used, and purge removes it
        }
    }

    /** The upload, whichever tenant's it is; the API filters by the caller's scope. */
    public Optional<UploadInfo> find(UUID id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "select id, name, content_type, size, sha256, complete, created_at, tenant from longhaul.upload where id = ?")) {
            s.setObject(1, id);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.of(new UploadInfo(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getLong(4),
                        rs.getString(5), rs.getBoolean(6), rs.getTimestamp(7).toInstant(), rs.getString(8)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read upload " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * The upload from byte {@code offset} on, read one part at a time, each in its own short
     * statement, so neither memory nor a transaction grows with the file.
     */
    public InputStream open(UUID id, long offset) {
        return new InputStream() {
            private byte[] part = new byte[0];
            private int position;
            private long next = offset;

            @Override
            public int read() throws IOException {
                if (position == part.length && !load()) return -1;
                return part[position++] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                if (position == part.length && !load()) return -1;
                int n = Math.min(len, part.length - position);
                System.arraycopy(part, position, b, off, n);
                position += n;
                return n;
            }

            /** The part holding byte {@code next}, from that byte on. */
            private boolean load() throws IOException {
                try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                        select start, data from longhaul.upload_part
                        where upload_id = ? and start <= ? order by seq desc limit 1""")) {
                    // prepared on the server from the first run, so the part comes in binary, not
                    // as hex text of twice its size
                    s.unwrap(PGStatement.class).setPrepareThreshold(-1);
                    s.setObject(1, id);
                    s.setLong(2, next);
                    try (ResultSet rs = s.executeQuery()) {
                        if (!rs.next()) return false;
                        long start = rs.getLong(1);
                        byte[] data = rs.getBytes(2);
                        if (start + data.length <= next) return false;
                        part = data;
                        position = (int) (next - start);
                        next = start + data.length;
                        return true;
                    }
                } catch (SQLException e) {
                    throw new IOException("could not read upload " + id + ": " + e.getMessage(), e);
                }
            }
        };
    }

    private void insert(Connection c, UUID id, String name, String contentType, String tenant) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "insert into longhaul.upload (id, name, content_type, created_at, tenant) values (?, ?, ?, ?, ?)")) {
            s.setObject(1, id);
            s.setString(2, name);
            s.setString(3, contentType);
            s.setTimestamp(4, Timestamp.from(clock.instant()));
            s.setString(5, tenant);
            s.executeUpdate();
        }
    }

    private static void writePart(Connection c, UUID id, int seq, long start, byte[] data) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "insert into longhaul.upload_part (upload_id, seq, start, data) values (?, ?, ?, ?)")) {
            s.setObject(1, id);
            s.setInt(2, seq);
            s.setLong(3, start);
            s.setBytes(4, data);
            s.executeUpdate();
        }
    }

    private static void complete(Connection c, UUID id, FileDigest digest) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "update longhaul.upload set size = ?, sha256 = ?, complete = true where id = ?")) {
            s.setLong(1, digest.size());
            s.setString(2, digest.sha256());
            s.setObject(3, id);
            s.executeUpdate();
        }
    }

    private static void delete(Connection c, UUID id) {
        try (PreparedStatement s = c.prepareStatement("delete from longhaul.upload where id = ?")) {
            s.setObject(1, id);
            s.executeUpdate();
        } catch (SQLException ignored) {
            // the connection is gone; the incomplete upload goes with retention
        }
    }

    /** Checks that bytes arriving in pieces are UTF-8 text without NUL, across piece boundaries. */
    private static final class TextCheck {
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private final CharBuffer chars = CharBuffer.allocate(64 * 1024);
        private byte[] carry = new byte[0];

        void check(byte[] piece, long pieceOffset, boolean last) {
            for (int i = 0; i < piece.length; i++) {
                if (piece[i] == 0) throw notText("byte " + (pieceOffset + i) + " is NUL: this looks like a binary file");
            }
            ByteBuffer in = ByteBuffer.allocate(carry.length + piece.length).put(carry).put(piece).flip();
            long base = pieceOffset - carry.length;
            while (true) {
                chars.clear();
                CoderResult result = decoder.decode(in, chars, last);
                if (result.isError()) throw notText("byte " + (base + in.position()) + " is not UTF-8");
                if (result.isUnderflow()) break;
            }
            if (last) {
                chars.clear();
                if (decoder.flush(chars).isError()) throw notText("it ends inside a UTF-8 character");
            }
            carry = new byte[in.remaining()];
            in.get(carry);
        }

        private static RefusedException notText(String why) {
            return new RefusedException("is not CSV text: " + why, RefusedException.Reason.NOT_TEXT);
        }
    }
}
