package dev.longhaul.core.chunk;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Defaults of the chunk engine; a job kind may override the target per job. */
@ConfigMapping(prefix = "longhaul.chunk")
public interface ChunkConfig {
    /** How long one chunk's transaction should take. */
    @WithDefault("500ms")
    Duration target();

    /** Rows in the first chunk of a job. */
    @WithDefault("2000")
    int initialRows();

    @WithDefault("100")
    int minRows();

    @WithDefault("200000")
    int maxRows();

    default ChunkSizer sizer() {
        return new ChunkSizer(minRows(), maxRows(), target());
    }
}
