package dev.longhaul.api.ui;

import dev.longhaul.api.access.Caller;
import dev.longhaul.api.access.Requires;
import dev.longhaul.api.access.Role;
import dev.longhaul.api.queue.LaneSettings;
import dev.longhaul.core.kind.FieldError;
import dev.longhaul.core.kind.InvalidRequestException;
import dev.longhaul.core.dispatch.LaneDepths;
import dev.longhaul.core.job.JobStats;
import dev.longhaul.core.message.Lanes;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.jboss.resteasy.reactive.RestForm;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;

/**
 * The lanes: per lane, the jobs waiting, running and scheduled and the oldest wait, from
 * PostgreSQL, beside the messages RabbitMQ holds ready in the lane's queue (admin: the broker's
 * count is not a tenant's).
 */
@Path("/ui/queues")
@Produces(MediaType.TEXT_HTML)
public class QueuesPage {
    @Inject
    @Location("ui/queues.html")
    Template page;
    @Inject
    Pages pages;
    @Inject
    JobStats stats;
    @Inject
    LaneDepths depths;
    @Inject
    Caller caller;
    @Inject
    Clock clock;
    @Inject
    LaneSettings settings;

    /** A lane's queue in RabbitMQ: its ready messages, or -1 when RabbitMQ cannot say. */
    record Broker(String lane, String queue, long ready) {
    }

    @GET
    @Requires(Role.READ)
    public String queues() throws SQLException {
        return render(List.of());
    }

    /** The page, with the problems of a refused change of limits (none on a plain visit). */
    private String render(List<FieldError> errors) throws SQLException {
        boolean admin = caller.has(Role.ADMIN);
        List<Broker> broker = admin
                ? Lanes.ALL.stream().map(l -> new Broker(l, Lanes.queueName(l), depths.ready(Lanes.queueName(l)))).toList()
                : List.of();
        return pages.page(page, "queues")
                .data("lanes", LaneRow.of(stats.lanes(caller.scope()), clock.instant()))
                .data("broker", broker)
                .data("controls", admin ? settings.all() : List.of())
                .data("errors", errors)
                .render();
    }

    @POST
    @Path("/{lane}/paused")
    @Requires(Role.ADMIN)
    public Response paused(@PathParam("lane") String lane, @RestForm boolean paused) throws SQLException {
        settings.paused(lane, paused);
        return Response.seeOther(URI.create("/ui/queues")).build();
    }

    /**
     * Empty fields clear a limit; a value that is no number, or out of range, shows the page again
     * with the problem named.
     */
    @POST
    @Path("/{lane}/limits")
    @Requires(Role.ADMIN)
    public Response limits(@PathParam("lane") String lane, @RestForm String concurrency, @RestForm String ratePerSecond)
            throws SQLException {
        try {
            settings.limits(lane, number(concurrency, "concurrency", Integer::valueOf),
                    number(ratePerSecond, "ratePerSecond", Double::valueOf));
        } catch (InvalidRequestException e) {
            // the page again, its alert naming the problem (a 200: a browser logs a 4xx document as an error)
            return Response.ok(render(e.errors()), MediaType.TEXT_HTML).build();
        }
        return Response.seeOther(URI.create("/ui/queues")).build();
    }

    private static <T> T number(String value, String field, java.util.function.Function<String, T> parse) {
        if (value == null || value.isBlank()) return null;
        try {
            return parse.apply(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(field, "must be a number, or empty for no limit");
        }
    }
}
