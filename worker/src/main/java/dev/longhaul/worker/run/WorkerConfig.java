package dev.longhaul.worker.run;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** How a worker runs jobs. */
@ConfigMapping(prefix = "longhaul.worker")
public interface WorkerConfig {
    /** Jobs run at once; also the prefetch of each lane's consumer. */
    @WithDefault("8")
    int concurrency();

    /** How long a claim stays valid without renewal; a dead worker's jobs are free after this. */
    @WithDefault("60s")
    Duration lease();

    /** How often the leases of running jobs are renewed and their cancel flags read. */
    @WithDefault("5s")
    Duration heartbeat();

    /** The longest a job holds a delivery before it is re-queued with its checkpoint. */
    @WithDefault("30s")
    Duration slice();

    /** This worker's name in leases and history; defaults to host name and pid. */
    Optional<String> id();

    /**
     * On shutdown, how long running jobs have to end their slice (finish the chunk in hand,
     * checkpoint, re-queue) before the worker exits anyway.
     */
    @WithDefault("25s")
    Duration drainGrace();
}
