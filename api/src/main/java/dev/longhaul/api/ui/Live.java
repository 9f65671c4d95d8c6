package dev.longhaul.api.ui;

import dev.longhaul.api.job.JobView;
import dev.longhaul.core.job.Job;
import dev.longhaul.core.job.JobState;
import java.util.Locale;

/**
 * A running job's state and progress as its page shows them, sent again over server-sent events
 * while it runs.
 *
 * @param percent  0 to 100, or null while the total is unknown
 * @param progress the line under the bar: done of total, rate and ETA
 * @param finished true once the job ended: the page loads once more and the stream stops
 */
public record Live(String state, Integer percent, String progress, boolean cancelRequested, boolean finished) {

    static Live of(Job job) {
        JobView.Progress p = JobView.of(job).progress();
        Integer percent = null;
        if (job.state() == JobState.SUCCEEDED) {
            percent = 100;
        } else if (p.total() != null && p.total() > 0) {
            percent = (int) Math.max(0, Math.min(100, p.done() * 100 / p.total()));
        }
        String unit = p.unit() == null ? "" : " " + p.unit();
        StringBuilder text = new StringBuilder(Formats.grouped(p.done()));
        if (p.total() != null) text.append(" of ").append(Formats.grouped(p.total()));
        text.append(unit);
        if (!job.state().isFinished() && p.ratePerSecond() != null) {
            text.append(String.format(Locale.ROOT, " · %,.0f%s/s", p.ratePerSecond(), unit));
            if (p.etaSeconds() != null) text.append(" · about ").append(Formats.seconds(p.etaSeconds())).append(" left");
        }
        return new Live(job.state().name(), percent, text.toString(), job.cancelRequested(), job.state().isFinished());
    }
}
