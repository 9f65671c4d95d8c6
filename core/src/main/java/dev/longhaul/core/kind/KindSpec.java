package dev.longhaul.core.kind;

import dev.longhaul.core.message.Lanes;

/**
 * What the api needs to know of a job kind to accept it: its name, its parameters as a validated
 * record, and where it runs. Declare one as a CDI bean beside the params record; the worker's
 * handler for the kind refers to the same spec.
 *
 * @param <P> the params record; Jakarta Validation annotations on its components are checked
 */
public interface KindSpec<P extends Record> {
    /** The kind's name in requests, e.g. {@code export}: lowercase letters, digits and dashes. */
    String name();

    Class<P> paramsType();

    /** The lane a job of this kind goes to unless the request names one. */
    default String defaultQueue() {
        return Lanes.DEFAULT;
    }

    default int defaultMaxAttempts() {
        return 5;
    }

    /** How long one attempt may run unless the job says otherwise: an hour. */
    default java.time.Duration defaultTimeout() {
        return java.time.Duration.ofHours(1);
    }

    /**
     * Whether a job of this kind may ask for {@code partitions}: it walks one dataset by key, and
     * its worker handler can run a key range and join the ranges' results.
     */
    default boolean partitionable() {
        return false;
    }

    /**
     * Checks that need more than annotations (e.g. that a dataset and its columns exist). Runs
     * after Bean Validation passed; throw {@link InvalidRequestException} naming fields relative to
     * {@code params} (e.g. {@code columns[2]}).
     */
    default void check(P params) {
    }
}
