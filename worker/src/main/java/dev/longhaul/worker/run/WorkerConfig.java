package dev.longhaul.worker.run;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** How a worker runs jobs. */
@ConfigMapping(prefix = "longhaul.worker")
public interface WorkerConfig {
    /**
     * Jobs of one lane that run at once (from the claim until the handler returns), for a lane
     * with no {@code lanes.<lane>.concurrency} of its own.
     */
    @WithDefault("8")
    int concurrency();

    /** Settings of single lanes, by lane name. */
    Map<String, Lane> lanes();

    /** One lane's settings. */
    interface Lane {
        /** Jobs of this lane that run at once; {@code longhaul.worker.concurrency} when unset. */
        OptionalInt concurrency();

        /**
         * Deliveries of this lane the worker may hold unacked (the consumer's prefetch), read by the
         * lane's channel ({@code max-outstanding-messages}). More than the concurrency keeps the
         * next job in hand while the last one's outcome is recorded and acked.
         */
        OptionalInt prefetch();
    }

    /** Jobs of {@code lane} that run at once. */
    default int concurrency(String lane) {
        Lane settings = lanes().get(lane);
        return settings != null && settings.concurrency().isPresent() ? settings.concurrency().getAsInt() : concurrency();
    }

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
