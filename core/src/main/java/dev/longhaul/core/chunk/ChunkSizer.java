package dev.longhaul.core.chunk;

import java.time.Duration;

/**
 * Adapts the number of rows per chunk to a target duration: grows by at most {@code growth} per
 * chunk (x1.2 by default, gentle on a live database), shrinks in proportion, stays within
 * [min, max], and halves after a statement timeout.
 */
public record ChunkSizer(int min, int max, Duration target, double growth) {
    public static final double GENTLE = 1.2;

    public ChunkSizer {
        if (min < 1 || max < min || target.isZero() || target.isNegative()) {
            throw new IllegalArgumentException("need 1 <= min <= max and a positive target");
        }
        if (!(growth > 1)) throw new IllegalArgumentException("need a growth above 1");
    }

    public ChunkSizer(int min, int max, Duration target) {
        this(min, max, target, GENTLE);
    }

    public int initial(int suggested) {
        return clamp(suggested);
    }

    /** The next chunk's size after a chunk of {@code size} rows took {@code took}. */
    public int next(int size, Duration took) {
        double ratio = (double) target.toNanos() / Math.max(1, took.toNanos());
        double scaled = ratio >= 1 ? size * Math.min(growth, ratio) : size * ratio;
        return clamp((int) Math.min(Integer.MAX_VALUE, Math.round(scaled)));
    }

    /** After a statement timeout. */
    public int halve(int size) {
        return clamp(size / 2);
    }

    private int clamp(int size) {
        return Math.max(min, Math.min(max, size));
    }
}
