package dev.longhaul.api.ui;

import dev.longhaul.api.QueryParams;
import dev.longhaul.api.access.Requires;
import dev.longhaul.api.access.Role;
import dev.longhaul.api.schedule.ScheduleService;
import dev.longhaul.api.schedule.ScheduleView;
import dev.longhaul.core.schedule.Schedule;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * The schedules: their next fire times and recent slots (fired, missed, skipped, caught up, run by
 * hand), with "Run now" and a switch to enable or disable each, for operators.
 */
@Path("/ui/schedules")
@Produces(MediaType.TEXT_HTML)
public class SchedulesPage {
    private static final int PAGE = 100;
    private static final int RECENT = 12;

    @Inject
    @Location("ui/schedules.html")
    Template page;
    @Inject
    Pages pages;
    @Inject
    ScheduleService schedules;

    /**
     * One recent slot as the page names it.
     *
     * @param label fired, missed, skipped, catch-up or run now
     */
    record Slot(ScheduleView.LastRun run, String label) {
        static Slot of(ScheduleView.LastRun run) {
            String label = switch (run.outcome()) {
                case "skipped-misfire" -> "missed";
                case "skipped-overlap" -> "skipped";
                default -> run.manual() ? "run now" : run.catchUp() ? "catch-up" : "fired";
            };
            return new Slot(run, label);
        }

        public String cls() {
            return "slot-" + label.replace(' ', '-');
        }
    }

    /** A schedule with its recent slots. */
    record Row(ScheduleView schedule, List<Slot> recent) {
    }

    @GET
    @Requires(Role.READ)
    public String list(@RestQuery String afterName, @RestQuery String afterId) {
        UUID after = afterName == null ? null : QueryParams.uuid(afterId, "afterId");
        List<Schedule> page = schedules.list(after == null ? null : afterName, after, PAGE);
        Map<UUID, List<ScheduleView.LastRun>> recent = schedules.recentRuns(page, RECENT);
        List<Row> rows = schedules.views(page).stream().map(v -> new Row(v,
                recent.getOrDefault(v.id(), List.of()).stream().map(Slot::of).toList())).toList();
        String next = page.size() == PAGE ? "/ui/schedules?afterName=" + URLEncoder.encode(page.getLast().name(),
                StandardCharsets.UTF_8) + "&afterId=" + page.getLast().id() : null;
        return pages.page(this.page, "schedules").data("rows", rows).data("next", next).render();
    }

    @POST
    @Path("/{id}/trigger")
    @Requires(Role.OPERATE)
    public Response runNow(@PathParam("id") String id) {
        var job = schedules.trigger(id);
        return Response.seeOther(URI.create("/ui/jobs/" + job.id())).build();
    }

    @POST
    @Path("/{id}/enabled")
    @Requires(Role.OPERATE)
    public Response enable(@PathParam("id") String id, @RestForm boolean enabled) {
        schedules.setEnabled(id, enabled);
        return Response.seeOther(URI.create("/ui/schedules")).build();
    }
}
