package dev.longhaul.core.kind;

import static org.assertj.core.api.Assertions.assertThat;

import dev.longhaul.core.kind.builtin.ReportKind;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class ReportPeriodTest {
    private static final Instant NIGHTLY_SLOT = Instant.parse("2026-03-02T02:00:00Z"); // a Monday

    @Test
    void previousDayIsTheDayBeforeTheSlotInUtc() {
        var params = new ReportKind.Params("sales-daily", null, null, "previous-day", null, null);
        assertThat(params.days(NIGHTLY_SLOT)).containsExactly(LocalDate.parse("2026-03-01"), LocalDate.parse("2026-03-02"));
    }

    @Test
    void previousWeekRunsMondayToSunday() {
        var params = new ReportKind.Params("sales-daily", null, null, "previous-week", null, null);
        assertThat(params.days(NIGHTLY_SLOT)).containsExactly(LocalDate.parse("2026-02-23"), LocalDate.parse("2026-03-02"));
    }

    @Test
    void previousMonthCoversTheWholeMonth() {
        var params = new ReportKind.Params("sales-daily", null, null, "previous-month", null, null);
        assertThat(params.days(NIGHTLY_SLOT)).containsExactly(LocalDate.parse("2026-02-01"), LocalDate.parse("2026-03-01"));
    }

    @Test
    void explicitDaysStandAsGiven() {
        var params = new ReportKind.Params("sales-daily", LocalDate.parse("2025-01-01"), LocalDate.parse("2025-02-01"), null, null, null);
        assertThat(params.days(NIGHTLY_SLOT)).containsExactly(LocalDate.parse("2025-01-01"), LocalDate.parse("2025-02-01"));
    }
}
