package dev.longhaul.core.kind.builtin;

import dev.longhaul.core.kind.InvalidRequestException;
import dev.longhaul.core.kind.KindSpec;
import dev.longhaul.core.message.Lanes;
import jakarta.inject.Singleton;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
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
public class ReportKind implements KindSpec<ReportKind.Params> {
    public static final String NAME = "report";
    public static final List<String> REPORTS = List.of("sales-daily", "top-customers");

    /** @param limit rows of {@code top-customers} (default 20) */
    public record Params(@NotNull String report, @NotNull LocalDate from, @NotNull LocalDate to,
            @Min(1) @Max(10_000) Integer limit) {
        public int limitOrDefault() {
            return limit == null ? 20 : limit;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Class<Params> paramsType() {
        return Params.class;
    }

    @Override
    public String defaultQueue() {
        return Lanes.BULK;
    }

    @Override
    public void check(Params params) {
        if (!REPORTS.contains(params.report())) {
            throw new InvalidRequestException("report", "'" + params.report() + "' is not a report; reports: " + REPORTS);
        }
        if (!params.from().isBefore(params.to())) {
            throw new InvalidRequestException("to", "must be after from (the period is [from, to))");
        }
        if (params.from().plusYears(20).isBefore(params.to())) {
            throw new InvalidRequestException("to", "the period may span at most 20 years");
        }
    }
}
