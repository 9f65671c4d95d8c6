package dev.longhaul.core.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChunkSizerTest {
    private final ChunkSizer sizer = new ChunkSizer(100, 50_000, Duration.ofMillis(500));

    @Test
    void aFastChunkGrowsByAtMostTwentyPercent() {
        assertThat(sizer.next(1000, Duration.ofMillis(5))).isEqualTo(1200);
        assertThat(sizer.next(1000, Duration.ofMillis(450))).isEqualTo(1111);
    }

    @Test
    void aFasterGrowthIsBoundedByTheTargetAndTheFactor() {
        ChunkSizer reads = new ChunkSizer(100, 5_000_000, Duration.ofSeconds(2), 4);
        assertThat(reads.next(100_000, Duration.ofMillis(100))).isEqualTo(400_000);
        assertThat(reads.next(100_000, Duration.ofMillis(800))).isEqualTo(250_000);
        assertThatThrownBy(() -> new ChunkSizer(1, 5, Duration.ofSeconds(1), 1.0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSlowChunkShrinksInProportion() {
        assertThat(sizer.next(1000, Duration.ofMillis(1000))).isEqualTo(500);
        assertThat(sizer.next(1000, Duration.ofSeconds(5))).isEqualTo(100);
    }

    @Test
    void sizesStayWithinBounds() {
        assertThat(sizer.next(49_000, Duration.ofMillis(1))).isEqualTo(50_000);
        assertThat(sizer.next(150, Duration.ofMinutes(1))).isEqualTo(100);
        assertThat(sizer.initial(10)).isEqualTo(100);
    }

    @Test
    void aStatementTimeoutHalves() {
        assertThat(sizer.halve(8000)).isEqualTo(4000);
        assertThat(sizer.halve(150)).isEqualTo(100);
    }

    @Test
    void nonsenseBoundsAreRefused() {
        assertThatThrownBy(() -> new ChunkSizer(0, 10, Duration.ofMillis(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChunkSizer(10, 5, Duration.ofMillis(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChunkSizer(1, 5, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
