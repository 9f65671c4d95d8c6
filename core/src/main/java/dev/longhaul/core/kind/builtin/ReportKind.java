package dev.longhaul.core.kind.builtin;

import dev.longhaul.core.kind.InvalidRequestException;
import dev.longhaul.core.kind.Kind;
import dev.longhaul.core.message.Lanes;
import jakarta.inject.Singleton;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;

/**
 * {@code report}: a built-in report over the {@code orders} dataset for the days [from, to),
 * aggregated in SQL per chunk and merged, written as CSV and as a self-contained HTML page.
 * <ul>
 * <li>{@code sales-daily}: paid and shipped orders and revenue, by day and country;</li>
 * <li>{@code top-customers}: the {@code limit} customers with the most revenue.</li>
 * </ul>
 */
@Singleton
public class ReportKind extends Kind<ReportKind.Params> {
    public static final String NAME = "report";

    public ReportKind() {
        super(NAME, Params.class, Lanes.BULK, 5, Duration.ofHours(6));
    }

    @Override
    public boolean partitionable() {
        return true;
    }

    public static final List<String> REPORTS = List.of("sales-daily", "top-customers");

    public static final List<String> PERIODS = List.of("previous-day", "previous-week", "previous-month");

    /**
     * @param from   first day, or null with {@code period}
     * @param to     the day after the last, or null with {@code period}
     * @param period instead of from/to, relative to the job's slot (scheduled jobs) or creation,
     *               in UTC: previous-day, previous-week (Monday to Sunday) or previous-month
     * @param limit  rows of {@code top-customers} (default 20)
     * @param emailTo an address to send the finished report to (the HTML page, with the CSV attached)
     */
    public record Params(@NotNull String report, LocalDate from, LocalDate to, String period,
            @Min(1) @Max(10_000) Integer limit, @Email @Size(max = 320) String emailTo) {
        public int limitOrDefault() {
            return limit == null ? 20 : limit;
        }

        /** [from, to) as days, resolving {@code period} against {@code asOf}. */
        public LocalDate[] days(java.time.Instant asOf) {
            if (period == null) return new LocalDate[] {from, to};
            LocalDate today = asOf.atZone(java.time.ZoneOffset.UTC).toLocalDate();
            return switch (period) {
                case "previous-day" -> new LocalDate[] {today.minusDays(1), today};
                case "previous-week" -> {
                    LocalDate monday = today.with(java.time.DayOfWeek.MONDAY);
                    yield new LocalDate[] {monday.minusWeeks(1), monday};
                }
                default -> new LocalDate[] {today.withDayOfMonth(1).minusMonths(1), today.withDayOfMonth(1)};
            };
        }
    }

    @Override
    public void check(Params params) {
        if (!REPORTS.contains(params.report())) {
            throw new InvalidRequestException("report", "'" + params.report() + "' is not a report; reports: " + REPORTS);
        }
        if (params.period() != null) {
            if (!PERIODS.contains(params.period())) {
                throw new InvalidRequestException("period", "'" + params.period() + "' is not a period; periods: " + PERIODS);
            }
            if (params.from() != null || params.to() != null) {
                throw new InvalidRequestException("period", "give either period or from and to, not both");
            }
            return;
        }
        if (params.from() == null) throw new InvalidRequestException("from", "is required (or give a period)");
        if (params.to() == null) throw new InvalidRequestException("to", "is required (or give a period)");
        if (!params.from().isBefore(params.to())) {
            throw new InvalidRequestException("to", "must be after from (the period is [from, to))");
        }
        if (params.from().plusYears(20).isBefore(params.to())) {
            throw new InvalidRequestException("to", "the period may span at most 20 years");
        }
    }
}
