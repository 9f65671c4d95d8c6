package dev.longhaul.api.job;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits of the job API. */
@ConfigMapping(prefix = "longhaul.api")
public interface ApiConfig {
    /** The most jobs one {@code POST /api/jobs/batch} may carry. */
    @WithDefault("1000")
    int batchLimit();

    /** The largest JSON body a job request may have, in bytes (1 MiB). */
    @WithDefault("1048576")
    int maxBodyBytes();

    /** The largest page {@code GET /api/jobs} returns. */
    @WithDefault("500")
    int maxPageSize();

    /**
     * The most requests that may wait for a job to end at once ({@code GET /api/jobs/{id}?wait=N});
     * past it a request answers at once, as without {@code wait}.
     */
    @WithDefault("1000")
    int maxWaiters();
}
