package dev.longhaul.api.ui;

import dev.longhaul.api.access.Caller;
import dev.longhaul.api.access.Requires;
import dev.longhaul.api.access.Role;
import dev.longhaul.core.job.Job;
import dev.longhaul.core.job.JobFilter;
import dev.longhaul.core.job.JobSearch;
import dev.longhaul.core.job.JobState;
import dev.longhaul.core.job.JobStats;
import dev.longhaul.core.tenant.Scope;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The overview: jobs finished and failed per minute over the last hour and the last day, each
 * lane's depth and oldest wait, run times per kind, and the jobs running now with their progress.
 */
@Path("/ui")
@Produces(MediaType.TEXT_HTML)
public class OverviewPage {
    private static final int RUNNING_SHOWN = 20;

    @Inject
    @Location("ui/overview.html")
    Template page;
    @Inject
    Pages pages;
    @Inject
    JobStats stats;
    @Inject
    JobSearch search;
    @Inject
    Caller caller;
    @Inject
    Clock clock;

    /** Totals of a period, for the text beside its chart. */
    record Totals(long succeeded, long failed) {
        static Totals of(List<JobStats.Minute> minutes) {
            long ok = minutes.stream().filter(m -> m.state() == JobState.SUCCEEDED).mapToLong(JobStats.Minute::jobs).sum();
            long bad = minutes.stream().filter(m -> m.state() == JobState.FAILED).mapToLong(JobStats.Minute::jobs).sum();
            return new Totals(ok, bad);
        }
    }

    /** A running job with its progress. */
    record Running(Job job, Live live) {
    }

    @GET
    @Requires(Role.READ)
    public String overview() throws SQLException {
        Scope scope = caller.scope();
        Instant now = clock.instant();
        List<JobStats.Minute> day = stats.finishedPerMinute(scope, now.minus(Duration.ofDays(1)));
        Instant hourStart = now.minus(Duration.ofMinutes(59)).truncatedTo(ChronoUnit.MINUTES);
        List<JobStats.Minute> hour = day.stream().filter(m -> !m.minute().isBefore(hourStart)).toList();
        JobFilter running = new JobFilter(JobState.RUNNING, null, null, null, null, null, null);
        return pages.page(page, "overview")
                .data("hourChart", Charts.perMinute(hour, now, 60, "Jobs finished per minute, last hour"))
                .data("dayChart", Charts.perMinute(day, now, 1440, "Jobs finished per minute, last day"))
                .data("hour", Totals.of(hour))
                .data("day", Totals.of(day))
                .data("lanes", LaneRow.of(stats.lanes(scope), now))
                .data("runTimes", stats.runTimes(scope, now.minus(Duration.ofDays(1))))
                .data("running", search.page(scope, running, null, null, RUNNING_SHOWN).stream()
                        .map(job -> new Running(job, Live.of(job))).toList())
                .render();
    }
}
