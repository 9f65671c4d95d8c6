package dev.longhaul.core.artifact;

import java.util.UUID;

/** A job's output file as stored in PostgreSQL. {@code sha256} is set once the file is complete. */
public record ArtifactInfo(long id, UUID jobId, String name, String contentType, long size, String sha256,
        boolean complete) {
}
