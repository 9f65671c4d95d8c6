package dev.longhaul.core.artifact;

import java.time.Instant;
import java.util.UUID;

/** A stored upload. */
public record UploadInfo(UUID id, String name, String contentType, long size, String sha256, boolean complete,
        Instant createdAt, String tenant) {
}
