package dev.longhaul.core.kind;

import java.time.Duration;

/**
 * A {@link KindSpec} from its facts: extend it with a constructor call, and override
 * {@link #check} when annotations on the params record are not enough.
 */
public abstract class Kind<P extends Record> implements KindSpec<P> {
    private final String name;
    private final Class<P> paramsType;
    private final String defaultQueue;
    private final int defaultMaxAttempts;
    private final Duration defaultTimeout;

    /** A kind whose attempts may run for an hour. */
    protected Kind(String name, Class<P> paramsType, String defaultQueue, int defaultMaxAttempts) {
        this(name, paramsType, defaultQueue, defaultMaxAttempts, Duration.ofHours(1));
    }

    protected Kind(String name, Class<P> paramsType, String defaultQueue, int defaultMaxAttempts, Duration defaultTimeout) {
        this.name = name;
        this.paramsType = paramsType;
        this.defaultQueue = defaultQueue;
        this.defaultMaxAttempts = defaultMaxAttempts;
        this.defaultTimeout = defaultTimeout;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Class<P> paramsType() {
        return paramsType;
    }

    @Override
    public final String defaultQueue() {
        return defaultQueue;
    }

    @Override
    public final int defaultMaxAttempts() {
        return defaultMaxAttempts;
    }

    @Override
    public final Duration defaultTimeout() {
        return defaultTimeout;
    }
}
