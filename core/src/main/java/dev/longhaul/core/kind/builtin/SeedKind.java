package dev.longhaul.core.kind.builtin;

import dev.longhaul.core.kind.Kind;
import dev.longhaul.core.message.Lanes;
import jakarta.inject.Singleton;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * {@code seed}: generates demo shop data (customers, then orders) with COPY, in resumable chunks.
 * The rows are a pure function of their id, so a resumed seed writes exactly what an
 * uninterrupted one would.
 *
 * @param customers how many customers to add (default 10,000)
 * @param orders    how many orders to add (default 100,000)
 * @param reset     empty the shop tables first (default false: add after the highest ids)
 */
@Singleton
public class SeedKind extends Kind<SeedKind.Params> {
    public static final String NAME = "seed";

    public SeedKind() {
        super(NAME, Params.class, Lanes.BULK, 3, Duration.ofHours(6));
    }

    public record Params(@Min(1) @Max(50_000_000) Long customers, @Min(0) @Max(500_000_000) Long orders, Boolean reset) {
        public long customersOrDefault() {
            return customers == null ? 10_000 : customers;
        }

        public long ordersOrDefault() {
            return orders == null ? 100_000 : orders;
        }

        public boolean resetting() {
            return Boolean.TRUE.equals(reset);
        }
    }
}
