package dev.longhaul.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.quartz.CronExpression;

class CronsTest {
    private static final CronExpression EVERY_SECOND = Crons.parse("* * * * * ?", "UTC");
    private static final CronExpression NIGHTLY = Crons.parse("0 0 2 * * ?", "Europe/Paris");

    @Test
    void theLatestSlotOfALongGapOfFrequentSlotsIsFoundFromItsEnd() {
        // three days of a per-second cron: more slots than a walk from the start would take
        Instant after = Instant.parse("2026-03-01T00:00:00Z");
        Instant before = Instant.parse("2026-03-04T00:00:00Z");
        assertThat(Crons.latestBefore(EVERY_SECOND, after, before)).isEqualTo(Instant.parse("2026-03-03T23:59:59Z"));
        assertThat(Crons.latestAtOrBefore(EVERY_SECOND, after, before)).isEqualTo(before);
    }

    @Test
    void boundsAreExclusiveForLatestBeforeAndInclusiveForLatestAtOrBefore() {
        Instant slot = Instant.parse("2026-03-02T01:00:00Z"); // 02:00 in Paris
        assertThat(Crons.latestBefore(NIGHTLY, slot, slot.plusSeconds(86_400))).isNull();
        assertThat(Crons.latestBefore(NIGHTLY, slot.minusMillis(500), slot.plusMillis(1))).isEqualTo(slot);
        assertThat(Crons.latestAtOrBefore(NIGHTLY, slot, slot)).isEqualTo(slot);
        assertThat(Crons.latestAtOrBefore(NIGHTLY, slot.plusMillis(1), slot.plusSeconds(86_399))).isNull();
        // a gap of years is searched in growing windows and still ends
        assertThat(Crons.latestBefore(NIGHTLY, Instant.parse("2020-01-01T00:00:00Z"), slot)).isEqualTo(slot.minusSeconds(86_400));
        assertThat(Crons.latestBefore(Crons.parse("0 0 0 1 1 ? 2021", "UTC"), Instant.parse("2020-06-01T00:00:00Z"), slot))
                .isEqualTo(Instant.parse("2021-01-01T00:00:00Z"));
    }
}
