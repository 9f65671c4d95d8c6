package dev.longhaul.worker.kinds.export;

import dev.longhaul.core.artifact.FileDigest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.zip.GZIPOutputStream;
import javax.sql.DataSource;

/**
 * Streams a chunk's COPY output into artifact parts of {@link #PART_BYTES} while the COPY runs:
 * full parts go to a second connection on another thread, so reading and writing overlap and a
 * chunk of millions of rows needs only a few parts of memory.
 *
 * <p>Parts are written outside the chunk's transaction, so each insert is fenced itself: it holds
 * a share lock on the job row and inserts only while the lease token is ours, which orders it
 * before any takeover. Parts past the last checkpoint (a chunk that never committed) are removed
 * by {@link #discardAfter} when the job resumes, so the file stays byte-identical.
 */
final class PartWriter extends OutputStream {
    static final int PART_BYTES = 4 * 1024 * 1024;
    private static final byte[] END = new byte[0];
    private static final String INSERT = """
            insert into longhaul.artifact_part (artifact_id, seq, data)
            select ?, ?, ? from longhaul.job
            where id = ? and lease_token = ? and state = 'RUNNING' for share""";

    private final long artifactId;
    private final boolean gzip;
    private final FileDigest digest;
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(2);
    private final Thread thread;
    private ByteArrayOutputStream buffer = new ByteArrayOutputStream(PART_BYTES + 64 * 1024);
    private int nextSeq;
    private volatile Exception failure;

    /** @param digest extended with every part, in order, as it is stored */
    PartWriter(DataSource dataSource, UUID jobId, UUID token, long artifactId, int firstSeq, boolean gzip,
            FileDigest digest) {
        this.artifactId = artifactId;
        this.gzip = gzip;
        this.digest = digest;
        this.nextSeq = firstSeq;
        int seq = firstSeq;
        this.thread = Thread.ofVirtual().name("export-parts-" + jobId).start(() -> drain(dataSource, jobId, token, seq));
    }

    /** Deletes parts at or after {@code seq}: output of a chunk whose checkpoint never committed. */
    static void discardAfter(Connection connection, long artifactId, int seq) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(
                "delete from longhaul.artifact_part where artifact_id = ? and seq >= ?")) {
            s.setLong(1, artifactId);
            s.setInt(2, seq);
            s.executeUpdate();
        }
    }

    @Override
    public void write(int b) throws IOException {
        buffer.write(b);
        if (buffer.size() >= PART_BYTES) emit();
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        buffer.write(b, off, len);
        if (buffer.size() >= PART_BYTES) emit();
    }

    private void emit() throws IOException {
        check();
        byte[] part = buffer.toByteArray();
        buffer = new ByteArrayOutputStream(PART_BYTES + 64 * 1024);
        if (gzip) part = gzip(part);
        put(part);
        nextSeq++;
    }

    /** Writes what is buffered, waits until every part is stored, and returns the next part's number. */
    int finish() throws Exception {
        if (buffer.size() > 0) emit();
        put(END);
        thread.join();
        if (failure != null) throw failure;
        return nextSeq;
    }

    /** Stops the writer without waiting for the rest; for a chunk that failed. */
    void abandon() {
        thread.interrupt();
    }

    private void put(byte[] part) throws IOException {
        try {
            // never block for good on a writer that has died
            while (!queue.offer(part, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                check();
                if (!thread.isAlive()) throw new IOException("the artifact part writer stopped");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing artifact parts", e);
        }
    }

    private void check() throws IOException {
        if (failure != null) throw new IOException("writing an artifact part failed: " + failure.getMessage(), failure);
    }

    private void drain(DataSource dataSource, UUID jobId, UUID token, int firstSeq) {
        int seq = firstSeq;
        try (Connection connection = dataSource.getConnection(); PreparedStatement s = connection.prepareStatement(INSERT)) {
            connection.setAutoCommit(true);
            while (true) {
                byte[] part = queue.take();
                if (part == END) return;
                s.setLong(1, artifactId);
                s.setInt(2, seq);
                s.setBytes(3, part);
                s.setObject(4, jobId);
                s.setObject(5, token);
                if (s.executeUpdate() != 1) {
                    throw new SQLException("the job's lease was lost while writing part " + seq);
                }
                digest.update(part);
                seq++;
            }
        } catch (Exception e) {
            failure = e;
            queue.clear();
        }
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 4 + 64);
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(data);
        }
        return out.toByteArray();
    }
}
