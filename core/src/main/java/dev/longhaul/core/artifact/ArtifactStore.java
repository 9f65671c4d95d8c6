package dev.longhaul.core.artifact;

import dev.longhaul.core.tenant.Quotas;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Job output kept in PostgreSQL ({@code artifact}, {@code artifact_part}), so any api instance can
 * serve any file and a file commits together with the checkpoint of the chunk that wrote it.
 * Writes take the caller's connection and join its transaction; reads take their own short ones.
 */
@ApplicationScoped
public class ArtifactStore {
    @Inject
    AgroalDataSource dataSource;
    @Inject
    Clock clock;
    @Inject
    Quotas quotas;

    /** Creates the job's artifact {@code name}, or returns the existing one (a resumed job). */
    public long create(Connection connection, UUID jobId, String name, String contentType) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("""
                insert into longhaul.artifact (job_id, name, content_type, created_at) values (?, ?, ?, ?)
                on conflict (job_id, name) do update set content_type = excluded.content_type
                returning id""")) {
            s.setObject(1, jobId);
            s.setString(2, name);
            s.setString(3, contentType);
            s.setTimestamp(4, Timestamp.from(clock.instant()));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Appends part {@code seq}; fails if that part exists, which would mean a fencing bug, and with
     * a {@link Quotas.ExceededException} if it takes the job's tenant past its artifact quota (the
     * caller's transaction then keeps nothing of the part).
     */
    public void append(Connection connection, long artifactId, int seq, byte[] data) throws SQLException {
        try (PreparedStatement part = connection.prepareStatement(
                "insert into longhaul.artifact_part (artifact_id, seq, data) values (?, ?, ?)");
                PreparedStatement size = connection.prepareStatement(
                        "update longhaul.artifact set size = size + ? where id = ? returning size")) {
            part.setLong(1, artifactId);
            part.setInt(2, seq);
            part.setBytes(3, data);
            part.executeUpdate();
            size.setLong(1, data.length);
            size.setLong(2, artifactId);
            try (ResultSet rs = size.executeQuery()) {
                rs.next();
                checkQuota(connection, artifactId, rs.getLong(1));
            }
        }
    }

    /**
     * Fails with a {@link Quotas.ExceededException} if the job's tenant would keep more bytes of
     * artifacts than its quota once this artifact holds {@code size} bytes.
     */
    public void checkQuota(Connection connection, long artifactId, long size) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("""
                select o.tenant, (select coalesce(sum(a.size), 0) from longhaul.artifact a
                                  join longhaul.job j on j.id = a.job_id where j.tenant = o.tenant and a.id <> oa.id)
                from longhaul.artifact oa join longhaul.job o on o.id = oa.job_id where oa.id = ?""")) {
            s.setLong(1, artifactId);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) return;
                String tenant = rs.getString(1);
                long used = rs.getLong(2) + size;
                long quota = quotas.artifactBytes(tenant);
                if (used > quota) {
                    throw new Quotas.ExceededException("tenant '" + tenant + "' would keep " + used
                            + " bytes of artifacts, past its quota of " + quota + " bytes; delete old jobs or raise "
                            + "longhaul.quotas.artifact-bytes");
                }
            }
        }
    }

    /** Marks the file complete with its sha256, read back part by part (memory stays one part). */
    public ArtifactInfo complete(Connection connection, long artifactId) throws SQLException {
        return complete(connection, artifactId, digest(connection, artifactId, Integer.MAX_VALUE));
    }

    /** Marks the file complete with a digest its writer kept of every part, without reading it back. */
    public ArtifactInfo complete(Connection connection, long artifactId, FileDigest digest) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(
                "update longhaul.artifact set complete = true, size = ?, sha256 = ? where id = ?")) {
            s.setLong(1, digest.size());
            s.setString(2, digest.sha256());
            s.setLong(3, artifactId);
            s.executeUpdate();
        }
        return find(connection, artifactId).orElseThrow();
    }

    /** The digest of the parts before {@code seq}, read back one part at a time. */
    public FileDigest digest(Connection connection, long artifactId, int seq) throws SQLException {
        FileDigest digest = FileDigest.empty();
        int last = -1;
        while (true) {
            try (PreparedStatement s = connection.prepareStatement("""
                    select seq, data from longhaul.artifact_part
                    where artifact_id = ? and seq > ? and seq < ? order by seq limit 1""")) {
                s.setLong(1, artifactId);
                s.setInt(2, last);
                s.setInt(3, seq);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) return digest;
                    last = rs.getInt(1);
                    digest.update(rs.getBytes(2));
                }
            }
        }
    }

    /**
     * Moves the parts of job {@code from}'s artifact {@code name} to the end of {@code artifactId},
     * numbered from {@code seq} on, and drops the emptied artifact: a partitioned job's parent joins
     * its children's files this way, without copying a byte. Returns the next free part number.
     */
    public int adopt(Connection connection, UUID from, String name, long artifactId, int seq) throws SQLException {
        int next = seq;
        try (PreparedStatement s = connection.prepareStatement("""
                update longhaul.artifact_part p set artifact_id = ?, seq = p.seq + ?
                from longhaul.artifact a where a.id = p.artifact_id and a.job_id = ? and a.name = ?
                returning p.seq""")) {
            s.setLong(1, artifactId);
            s.setInt(2, seq);
            s.setObject(3, from);
            s.setString(4, name);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) next = Math.max(next, rs.getInt(1) + 1);
            }
        }
        try (PreparedStatement s = connection.prepareStatement("delete from longhaul.artifact where job_id = ? and name = ?")) {
            s.setObject(1, from);
            s.setString(2, name);
            s.executeUpdate();
        }
        return next;
    }

    /** Removes a file that will never be complete (a cancelled job's partial output). */
    public void delete(Connection connection, UUID jobId) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("delete from longhaul.artifact where job_id = ?")) {
            s.setObject(1, jobId);
            s.executeUpdate();
        }
    }

    /** The artifacts of these jobs, in one query. */
    public Map<UUID, List<ArtifactInfo>> list(Collection<UUID> jobIds) {
        Map<UUID, List<ArtifactInfo>> result = new LinkedHashMap<>();
        if (jobIds.isEmpty()) return result;
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(SELECT + " where job_id = any(?) order by job_id, name")) {
            s.setArray(1, c.createArrayOf("uuid", jobIds.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ArtifactInfo info = read(rs);
                    result.computeIfAbsent(info.jobId(), k -> new ArrayList<>()).add(info);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not list artifacts: " + e.getMessage(), e);
        }
        return result;
    }

    public Optional<ArtifactInfo> find(UUID jobId, String name) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(SELECT + " where job_id = ? and name = ?")) {
            s.setObject(1, jobId);
            s.setString(2, name);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read artifact: " + e.getMessage(), e);
        }
    }

    /**
     * Writes the file to {@code out} part by part, each part read in its own short statement, so
     * neither memory nor a transaction grows with the file, and no connection is held while the
     * client reads.
     */
    public void copyTo(long artifactId, OutputStream out) throws IOException {
        int seq = -1;
        while (true) {
            byte[] data;
            // the connection goes back to the pool before the part is written: a slow reader
            // holds only its own part, never a connection the API needs
            try (Connection c = dataSource.getConnection();
                    PreparedStatement s = c.prepareStatement(
                            "select seq, data from longhaul.artifact_part where artifact_id = ? and seq > ? order by seq limit 1")) {
                s.setLong(1, artifactId);
                s.setInt(2, seq);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) break;
                    seq = rs.getInt(1);
                    data = rs.getBytes(2);
                }
            } catch (SQLException e) {
                throw new IOException("could not read artifact part: " + e.getMessage(), e);
            }
            out.write(data);
        }
        out.flush();
    }

    private static final String SELECT =
            "select id, job_id, name, content_type, size, sha256, complete from longhaul.artifact";

    private Optional<ArtifactInfo> find(Connection c, long id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(SELECT + " where id = ?")) {
            s.setLong(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    private static ArtifactInfo read(ResultSet rs) throws SQLException {
        return new ArtifactInfo(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                rs.getLong(5), rs.getString(6), rs.getBoolean(7));
    }
}
