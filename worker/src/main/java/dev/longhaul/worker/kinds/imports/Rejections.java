package dev.longhaul.worker.kinds.imports;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.longhaul.core.artifact.ArtifactStore;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/**
 * An import's rejected lines, in {@code longhaul.import_rejection}: each with its line and a
 * reason that names columns and checks, never values. They are written in the transaction of the
 * range or batch that found them, and become {@code rejected.csv} at the end, read back a page at
 * a time and written a part at a time, so memory stays flat however many there are.
 */
final class Rejections {
    private static final int MAX_REASON = 500;
    /** Rejections read back at a time. */
    private static final int PAGE = 10_000;
    /** About the size of a part of {@code rejected.csv}. */
    private static final int PART_BYTES = 1 << 20;
    /** Rejections that the job's result quotes; the rest are in the file. */
    private static final int SAMPLE = 20;

    private Rejections() {
    }

    static void record(Connection connection, UUID jobId, List<Long> lines, List<String> reasons) throws SQLException {
        if (lines.isEmpty()) return;
        try (PreparedStatement s = connection.prepareStatement(
                "insert into longhaul.import_rejection (job_id, line, reason) values (?, ?, ?)")) {
            for (int i = 0; i < lines.size(); i++) {
                s.setObject(1, jobId);
                s.setLong(2, lines.get(i));
                // the bound keeps rejected.csv's parts small
                String reason = reasons.get(i);
                s.setString(3, reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON) + "…");
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /** A job retried from scratch starts with none. */
    static void clear(Connection connection, UUID jobId) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("delete from longhaul.import_rejection where job_id = ?")) {
            s.setObject(1, jobId);
            s.executeUpdate();
        }
    }

    /**
     * Writes {@code rejected.csv} in line order, if there is any rejection, and the first
     * {@link #SAMPLE} into {@code sample}; returns how many there are.
     */
    static long writeFile(Connection connection, ArtifactStore artifacts, UUID jobId, ArrayNode sample) throws SQLException {
        long rejected = 0;
        long after = 0;
        int part = 0;
        long artifact = -1;
        ByteArrayOutputStream csv = new ByteArrayOutputStream(PART_BYTES + 64 * 1024);
        csv.writeBytes("line,reason\n".getBytes(StandardCharsets.UTF_8));
        try (PreparedStatement s = connection.prepareStatement("""
                select line, reason from longhaul.import_rejection where job_id = ? and line > ?
                order by line limit ?""")) {
            while (true) {
                s.setObject(1, jobId);
                s.setLong(2, after);
                s.setInt(3, PAGE);
                int n = 0;
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        after = rs.getLong(1);
                        String reason = rs.getString(2);
                        csv.writeBytes((after + ",\"" + reason.replace("\"", "\"\"") + "\"\n").getBytes(StandardCharsets.UTF_8));
                        if (sample.size() < SAMPLE) sample.addObject().put("line", after).put("reason", reason);
                        n++;
                        if (csv.size() >= PART_BYTES) {
                            if (artifact < 0) artifact = artifacts.create(connection, jobId, "rejected.csv", "text/csv; charset=utf-8");
                            artifacts.append(connection, artifact, part++, csv.toByteArray());
                            csv.reset();
                        }
                    }
                }
                rejected += n;
                if (n < PAGE) break;
            }
        }
        if (rejected == 0) return 0;
        if (artifact < 0) artifact = artifacts.create(connection, jobId, "rejected.csv", "text/csv; charset=utf-8");
        if (csv.size() > 0) artifacts.append(connection, artifact, part, csv.toByteArray());
        artifacts.complete(connection, artifact);
        return rejected;
    }

    /** The first rejection, as "line N: reason", or "" if there is none. */
    static String first(Connection connection, UUID jobId) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(
                "select line, reason from longhaul.import_rejection where job_id = ? order by line limit 1")) {
            s.setObject(1, jobId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? "line " + rs.getLong(1) + ": " + rs.getString(2) : "";
            }
        }
    }
}
