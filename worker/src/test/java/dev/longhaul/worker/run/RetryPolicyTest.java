package dev.longhaul.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(2), Duration.ofMinutes(10), new Random(42));

    @Test
    void delaysGrowExponentiallyWithinTheirJitterBand() {
        for (int attempt = 1; attempt <= 8; attempt++) {
            long ceiling = Math.min(2_000L << (attempt - 1), 600_000L);
            for (int i = 0; i < 100; i++) {
                long ms = policy.delay(attempt).toMillis();
                assertThat(ms).isBetween(ceiling / 2, ceiling);
            }
        }
    }

    @Test
    void theCapHoldsForAnyAttempt() {
        for (int attempt : new int[] {10, 30, 63, 64, 1_000, Integer.MAX_VALUE}) {
            assertThat(policy.delay(attempt)).isBetween(Duration.ofMinutes(5), Duration.ofMinutes(10));
        }
    }

    @Test
    void jitterSpreadsJobsThatFailedTogether() {
        long distinct = java.util.stream.IntStream.range(0, 50).mapToLong(i -> policy.delay(5).toMillis()).distinct().count();
        assertThat(distinct).isGreaterThan(40);
    }

    @Test
    void nonsenseBoundsAreRefused() {
        assertThatThrownBy(() -> new RetryPolicy(Duration.ZERO, Duration.ofSeconds(1), new Random()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(5), Duration.ofSeconds(1), new Random()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
