package dev.longhaul.core.dispatch;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How job messages reach RabbitMQ, and how the unpublished ones are found again. */
@ConfigMapping(prefix = "longhaul.dispatch")
public interface DispatchConfig {
    /** How long to wait for RabbitMQ's publisher confirms before leaving a job to the republisher. */
    @WithDefault("10s")
    Duration confirmTimeout();

    /**
     * How often the publish markers of confirmed jobs are cleared, all in one statement. Must stay
     * well under the republish grace; a claim clears the marker too, so most jobs of a busy lane
     * need no write by then.
     */
    @WithDefault("500ms")
    Duration markerDelay();

    /** Whether this app runs the loop that promotes due jobs and republishes unconfirmed ones. */
    @WithDefault("false")
    boolean republishEnabled();

    /** How often that loop runs. */
    @WithDefault("2s")
    Duration republishEvery();

    /**
     * How long a committed job may wait for its confirm before the loop sends it again. Shorter
     * means faster recovery and more duplicate messages, which are harmless.
     */
    @WithDefault("5s")
    Duration republishGrace();

    /**
     * How long a queued job may wait, unclaimed, before it is published again whatever its marker
     * says (its message may have been dead-lettered during a database outage) — only while its
     * lane's queue holds no ready message, so a backlog draws no duplicates.
     */
    @WithDefault("60s")
    Duration staleAfter();

    /**
     * Whether the loop also empties the dead-letter queue: the jobs of dead-lettered messages that
     * still wait are published again, the rest is dropped with a log line.
     */
    @WithDefault("true")
    boolean deadLetterOwner();

    /** The most jobs one pass of the loop promotes or republishes. */
    @WithDefault("500")
    int republishBatch();

    /** Deliveries of one message before RabbitMQ dead-letters it ({@code x-delivery-limit}). */
    @WithDefault("10")
    int deliveryLimit();
}
