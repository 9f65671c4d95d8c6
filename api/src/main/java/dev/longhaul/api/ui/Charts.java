package dev.longhaul.api.ui;

import dev.longhaul.core.job.JobState;
import dev.longhaul.core.job.JobStats;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * Charts drawn on the server as SVG: no script, nothing to load, allowed by the page's content
 * security policy, and readable without colour (each chart has a text summary beside it).
 */
final class Charts {
    private static final int HEIGHT = 120;
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    private Charts() {
    }

    /**
     * Jobs finished per minute over the {@code minutes} before {@code now}: a bar per minute,
     * succeeded below and failed stacked on top, on one shared scale.
     */
    static String perMinute(List<JobStats.Minute> data, Instant now, int minutes, String label) {
        Instant start = now.truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(minutes - 1L));
        long[] ok = new long[minutes];
        long[] bad = new long[minutes];
        for (JobStats.Minute m : data) {
            int i = (int) Duration.between(start, m.minute()).toMinutes();
            if (i < 0 || i >= minutes) continue;
            if (m.state() == JobState.FAILED) bad[i] += m.jobs(); else ok[i] += m.jobs();
        }
        long max = 1;
        for (int i = 0; i < minutes; i++) max = Math.max(max, ok[i] + bad[i]);
        int width = Math.max(minutes, 360);
        double bar = (double) width / minutes;
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\" preserveAspectRatio=\"none\">",
                width, HEIGHT + 1, label));
        for (int i = 0; i < minutes; i++) {
            double x = i * bar;
            double okHeight = (double) ok[i] * HEIGHT / max;
            double badHeight = (double) bad[i] * HEIGHT / max;
            if (ok[i] > 0) rect(svg, "ok", x, HEIGHT - okHeight, bar, okHeight);
            if (bad[i] > 0) rect(svg, "bad", x, HEIGHT - okHeight - badHeight, bar, badHeight);
        }
        svg.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\"></line>",
                HEIGHT, width, HEIGHT));
        svg.append("</svg>");
        // the labels are HTML, so a chart stretched to its box keeps them readable
        return svg.append(String.format(Locale.ROOT, "<div class=\"chart-axis\"><span>%s</span><span>peak %,d/min</span>"
                + "<span>%s UTC</span></div>", HOUR.format(start), max, HOUR.format(now))).toString();
    }

    private static void rect(StringBuilder svg, String cls, double x, double y, double w, double h) {
        svg.append(String.format(Locale.ROOT, "<rect class=\"%s\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"></rect>",
                cls, x, y, w, h));
    }
}
