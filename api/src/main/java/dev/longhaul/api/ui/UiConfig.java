package dev.longhaul.api.ui;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The dashboard's settings. */
@ConfigMapping(prefix = "longhaul.ui")
public interface UiConfig {
    /** How long a sign-in lasts. */
    @WithDefault("12h")
    Duration sessionLifetime();

    /** How often a job's page is sent its job's state and progress while it runs. */
    @WithDefault("1s")
    Duration liveEvery();

    /** Jobs per page of the jobs list. */
    @WithDefault("50")
    int pageSize();

    /** The most jobs a confirmation counts exactly before saying "at least". */
    @WithDefault("100000")
    long countCap();
}
