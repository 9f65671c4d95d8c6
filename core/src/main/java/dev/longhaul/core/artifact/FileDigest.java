package dev.longhaul.core.artifact;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The size and sha256 of a file written part by part, kept as the parts are written so that
 * completing the file need not read it back. Not thread-safe.
 */
public final class FileDigest {
    private final MessageDigest sha;
    private long size;

    private FileDigest(MessageDigest sha, long size) {
        this.sha = sha;
        this.size = size;
    }

    public static FileDigest empty() {
        try {
            return new FileDigest(MessageDigest.getInstance("SHA-256"), 0);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    public void update(byte[] part) {
        update(part, 0, part.length);
    }

    public void update(byte[] data, int offset, int length) {
        sha.update(data, offset, length);
        size += length;
    }

    public long size() {
        return size;
    }

    /** An independent copy, to extend without changing this one. */
    public FileDigest copy() {
        try {
            return new FileDigest((MessageDigest) sha.clone(), size);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("this JVM's SHA-256 cannot be copied", e);
        }
    }

    /** The hex sha256 of what was written so far; leaves this digest unchanged. */
    public String sha256() {
        return HexFormat.of().formatHex(copy().sha.digest());
    }
}
