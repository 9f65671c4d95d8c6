package dev.longhaul.core.schedule;

import dev.longhaul.core.kind.InvalidRequestException;
import java.text.ParseException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.TimeZone;
import org.quartz.CronExpression;

/** Quartz cron expressions (with seconds) in an IANA time zone: parsing and slot arithmetic. */
public final class Crons {
    private Crons() {
    }

    /** The parsed cron, or a 400 naming {@code cron} / {@code timezone}. */
    public static CronExpression parse(String cron, String timezone) {
        ZoneId zone = zone(timezone);
        if (cron == null || cron.isBlank()) throw new InvalidRequestException("cron", "is required, e.g. \"0 0 2 * * ?\"");
        try {
            CronExpression expression = new CronExpression(cron.trim());
            expression.setTimeZone(TimeZone.getTimeZone(zone));
            return expression;
        } catch (ParseException e) {
            throw new InvalidRequestException("cron", "'" + cron + "' is not a Quartz cron expression (seconds minutes hours "
                    + "day-of-month month day-of-week [year]): " + e.getMessage());
        }
    }

    public static ZoneId zone(String timezone) {
        if (timezone == null || timezone.isBlank()) throw new InvalidRequestException("timezone", "is required, e.g. \"UTC\" or \"Europe/Paris\"");
        try {
            return ZoneId.of(timezone.trim());
        } catch (DateTimeException e) {
            throw new InvalidRequestException("timezone", "'" + timezone + "' is not an IANA time zone");
        }
    }

    /** The next {@code n} slots after {@code after}. */
    public static List<Instant> next(CronExpression cron, Instant after, int n) {
        List<Instant> slots = new ArrayList<>(n);
        Date t = Date.from(after);
        for (int i = 0; i < n; i++) {
            t = cron.getNextValidTimeAfter(t);
            if (t == null) break;
            slots.add(t.toInstant());
        }
        return slots;
    }

    /** The slots in (from, to), at most {@code limit}. */
    public static List<Instant> between(CronExpression cron, Instant from, Instant to, int limit) {
        List<Instant> slots = new ArrayList<>();
        Date t = Date.from(from);
        while (slots.size() < limit) {
            t = cron.getNextValidTimeAfter(t);
            if (t == null || !t.toInstant().isBefore(to)) break;
            slots.add(t.toInstant());
        }
        return slots;
    }

    /**
     * The latest slot in (after, before), or null if none: searched in windows back from
     * {@code before} that grow eightfold, so a long gap of frequent slots is not walked from its
     * start.
     */
    public static Instant latestBefore(CronExpression cron, Instant after, Instant before) {
        for (Duration window = Duration.ofMinutes(1); ; window = window.multipliedBy(8)) {
            Instant from = before.minus(window).isAfter(after) ? before.minus(window) : after;
            List<Instant> slots = between(cron, from, before, Integer.MAX_VALUE);
            if (!slots.isEmpty()) return slots.getLast();
            if (from.equals(after)) return null;
        }
    }

    /** The latest slot in [from, t], or null if none. */
    public static Instant latestAtOrBefore(CronExpression cron, Instant from, Instant t) {
        return latestBefore(cron, from.minusMillis(1), t.plusMillis(1));
    }
}
