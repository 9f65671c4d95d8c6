package dev.longhaul.worker.run;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter: the n-th failed attempt waits a random time between half and
 * all of {@code min(max, base * 2^(n-1))}. Jitter spreads the retries of jobs that failed together.
 */
public final class RetryPolicy {
    private final Duration base;
    private final Duration max;
    private final RandomGenerator random;

    public RetryPolicy(Duration base, Duration max, RandomGenerator random) {
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("need 0 < base <= max, got base " + base + " and max " + max);
        }
        this.base = base;
        this.max = max;
        this.random = random;
    }

    /** The wait after failed attempt {@code attempt} (1 for the first). */
    public Duration delay(int attempt) {
        int doublings = Math.min(Math.max(attempt, 1) - 1, 40);
        long cap = max.toMillis();
        long ceiling = Math.min(cap, base.toMillis() * (1L << Math.min(doublings, 62 - 10)));
        if (ceiling <= 0 || ceiling > cap) ceiling = cap;
        long half = ceiling / 2;
        return Duration.ofMillis(half + (long) (random.nextDouble() * (ceiling - half)));
    }
}
