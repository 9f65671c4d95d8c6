package dev.longhaul.worker.run;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Retry backoff after a failed attempt: {@code base * 2^(attempt-1)}, capped, with jitter. */
@ConfigMapping(prefix = "longhaul.retry")
public interface RetryConfig {
    @WithDefault("2s")
    Duration baseDelay();

    @WithDefault("10m")
    Duration maxDelay();
}
