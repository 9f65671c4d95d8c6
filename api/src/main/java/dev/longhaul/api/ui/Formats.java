package dev.longhaul.api.ui;

import io.quarkus.qute.TemplateExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How the dashboard writes times, durations and numbers: {@code {job.createdAt.utc}}, {@code {n.grouped}}. */
@TemplateExtension
public final class Formats {
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private Formats() {
    }

    /** {@code 2026-11-21 09:30:00Z}, or a dash. */
    static String utc(Instant at) {
        return at == null ? "—" : UTC.format(at);
    }

    /** The instant as a {@code datetime} attribute (ISO-8601). */
    static String iso(Instant at) {
        return at == null ? "" : at.toString();
    }

    /** {@code 1,234,567}, or a dash. */
    static String grouped(Number n) {
        return n == null ? "—" : String.format(Locale.ROOT, "%,d", n.longValue());
    }

    /** A duration in words a person reads at a glance: {@code 4.2 s}, {@code 3 min 20 s}, {@code 2 h 5 min}. */
    static String human(Duration d) {
        if (d == null) return "—";
        long seconds = d.toSeconds();
        if (seconds < 60) return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
        if (seconds < 3600) return seconds / 60 + " min " + seconds % 60 + " s";
        if (seconds < 86_400) return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
        return seconds / 86_400 + " d " + seconds % 86_400 / 3600 + " h";
    }

    /** Seconds as {@link #human(Duration)}. */
    static String seconds(double seconds) {
        return human(Duration.ofMillis(Math.round(seconds * 1000)));
    }
}
