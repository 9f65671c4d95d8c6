package dev.longhaul.core.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobIdsTest {
    @Test
    void idsMadeInTheSameMillisecondStillSortInCreationOrder() {
        Clock frozen = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(JobIds.next(frozen));
        }
        // PostgreSQL compares uuids as unsigned bytes, which is the order of their string form
        List<String> strings = ids.stream().map(UUID::toString).toList();
        assertThat(strings).isSorted().doesNotHaveDuplicates();
        assertThat(ids).allSatisfy(id -> assertThat(id.version()).isEqualTo(7));
        assertThat(ids.getFirst().getMostSignificantBits() >>> 16).isEqualTo(frozen.millis());
    }
}
