package dev.longhaul.core.time;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * The one source of "now" for leases, backoff, {@code runAt} and fire times. Tests replace it with
 * an alternative bean to control time instead of sleeping.
 */
public class ClockProducer {
    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
