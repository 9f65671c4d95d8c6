package dev.longhaul.worker.kinds.export;

import dev.longhaul.core.artifact.FileDigest;
import dev.longhaul.core.chunk.Fence;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import javax.sql.DataSource;

/**
 * Streams a chunk's COPY output into artifact parts of {@link #PART_BYTES} while the COPY runs:
 * full parts go to a second connection on another thread, so reading and writing overlap. A
 * chunk of millions of rows needs three part buffers, which go round between the two threads:
 * no part is copied or allocated again, and a part's bytes are streamed to the insert from the
 * buffer itself. Both threads are platform threads, since they do nothing but blocking I/O.
 *
 * <p>Parts are written outside the chunk's transaction, so each insert is fenced itself: it holds
 * a share lock on the job row and inserts only while the lease token is ours, which orders it
 * before any takeover. Parts past the last checkpoint (a chunk that never committed) are removed
 * by {@link #discardAfter} when the job resumes, so the file stays byte-identical.
 */
final class PartWriter extends OutputStream {
    static final int PART_BYTES = 4 * 1024 * 1024;
    /** How long a failed chunk waits for an insert in flight; it is bounded by the statement timeout. */
    private static final java.time.Duration ABANDON_WAIT = java.time.Duration.ofSeconds(90);
    private static final int BUFFERS = 3;
    private static final Part END = new Part(new byte[0], 0, false);
    private static final String INSERT = "insert into longhaul.artifact_part (artifact_id, seq, data) select ?, ?, ? "
            + Fence.WHILE_HELD;

    /** {@code length} bytes of {@code data}; a pooled buffer goes back to the pool once stored. */
    private record Part(byte[] data, int length, boolean pooled) {
    }

    private final long artifactId;
    private final boolean gzip;
    private final FileDigest digest;
    private final BlockingQueue<Part> full = new ArrayBlockingQueue<>(BUFFERS);
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
    private final Thread thread;
    private byte[] buffer = new byte[PART_BYTES];
    private int buffers = 1;
    private int position;
    private final int firstSeq;
    private int nextSeq;
    /** The next part the writer thread will store; parts before it are stored. */
    private volatile int storedUpTo;
    private volatile Exception failure;
    private final DataSource dataSource;
    private final UUID jobId;
    private final UUID token;

    /** @param digest extended with every part, in order, as it is stored */
    PartWriter(DataSource dataSource, UUID jobId, UUID token, long artifactId, int firstSeq, boolean gzip,
            FileDigest digest) {
        this.artifactId = artifactId;
        this.gzip = gzip;
        this.digest = digest;
        this.firstSeq = firstSeq;
        this.nextSeq = firstSeq;
        this.storedUpTo = firstSeq;
        this.dataSource = dataSource;
        this.jobId = jobId;
        this.token = token;
        int seq = firstSeq;
        this.thread = Thread.ofPlatform().daemon().name("export-parts-" + jobId)
                .start(() -> drain(dataSource, jobId, token, seq));
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
        if (position == PART_BYTES) emit();
        buffer[position++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (position == PART_BYTES) emit();
            int n = Math.min(len, PART_BYTES - position);
            System.arraycopy(b, off, buffer, position, n);
            position += n;
            off += n;
            len -= n;
        }
    }

    /** Hands the buffer's bytes to the writer thread as the next part, and takes a free buffer. */
    private void emit() throws IOException {
        check();
        if (gzip) {
            byte[] zipped = gzip(buffer, position);
            position = 0;
            put(new Part(zipped, zipped.length, false));
        } else {
            put(new Part(buffer, position, true));
            buffer = takeFree();
            position = 0;
        }
        nextSeq++;
    }

    /** Writes what is buffered, waits until every part is stored, and returns the next part's number. */
    int finish() throws Exception {
        if (position > 0) emit();
        put(END);
        thread.join();
        if (failure != null) throw failure;
        if (storedUpTo != nextSeq) {
            throw new IOException("the artifact part writer stopped after part " + storedUpTo + " of " + nextSeq);
        }
        return nextSeq;
    }

    /**
     * For a chunk that failed: stops the writer, waits for it, and deletes the parts it stored, so
     * that the chunk can be tried again in this slice (after a statement timeout, with fewer
     * rows) from the same part number. The delete is fenced like the inserts: a worker that lost
     * the job leaves the parts alone, since the new owner may already be writing them.
     */
    void abandon() throws SQLException, InterruptedException {
        thread.interrupt();
        thread.join(ABANDON_WAIT.toMillis());
        if (storedUpTo == firstSeq) return;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            if (Fence.held(connection, jobId, token)) discardAfter(connection, artifactId, firstSeq);
            connection.commit();
        }
    }

    private void put(Part part) throws IOException {
        try {
            // never block for good on a writer that has died
            while (!full.offer(part, 100, TimeUnit.MILLISECONDS)) alive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing artifact parts", e);
        }
    }

    /** A stored part's buffer, or a new one while fewer than {@link #BUFFERS} exist: a small chunk needs one. */
    private byte[] takeFree() throws IOException {
        byte[] ready = free.poll();
        if (ready != null) return ready;
        if (buffers < BUFFERS) {
            buffers++;
            return new byte[PART_BYTES];
        }
        try {
            byte[] next;
            while ((next = free.poll(100, TimeUnit.MILLISECONDS)) == null) alive();
            return next;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing artifact parts", e);
        }
    }

    private void alive() throws IOException {
        check();
        if (!thread.isAlive()) throw new IOException("the artifact part writer stopped");
    }

    private void check() throws IOException {
        if (failure != null) throw new IOException("writing an artifact part failed: " + failure.getMessage(), failure);
    }

    private void drain(DataSource dataSource, UUID jobId, UUID token, int firstSeq) {
        int seq = firstSeq;
        try (Connection connection = dataSource.getConnection(); PreparedStatement s = connection.prepareStatement(INSERT)) {
            connection.setAutoCommit(true);
            while (true) {
                Part part = full.take();
                if (part == END) return;
                s.setLong(1, artifactId);
                s.setInt(2, seq);
                s.setBinaryStream(3, new ByteArrayInputStream(part.data(), 0, part.length()), part.length());
                Fence.bindWhileHeld(s, 4, jobId, token);
                if (s.executeUpdate() != 1) {
                    throw new SQLException("the job's lease was lost while writing part " + seq);
                }
                digest.update(part.data(), 0, part.length());
                if (part.pooled()) free.add(part.data());
                storedUpTo = ++seq;
            }
        } catch (Throwable e) {
            failure = e instanceof Exception x ? x : new IOException("the artifact part writer failed: " + e, e);
            full.clear();
        }
    }

    /** {@code length} bytes of {@code data} as one gzip member. */
    static byte[] gzip(byte[] data, int length) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(length / 4 + 64);
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(data, 0, length);
        }
        return out.toByteArray();
    }
}
