package dev.longhaul.worker.kinds.export;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * Chunk sizes for exports. An export chunk's cost is mostly fixed (finding its upper key, the
 * join's hash, the sort's start) plus a small cost per row, and its output streams out whatever
 * its size, so exports use far bigger chunks than the engine's cautious default: a million rows
 * to start, which is about two seconds here, and about {@link #chunkTarget} each after that.
 */
@ConfigMapping(prefix = "longhaul.export")
public interface ExportConfig {
    /** How long one export chunk should take. */
    @WithDefault("4s")
    Duration chunkTarget();

    /** Rows in an export's first chunk. */
    @WithDefault("1000000")
    int initialRows();

    @WithDefault("5000000")
    int maxRows();
}
