package dev.longhaul.api.ui;

import dev.longhaul.api.access.Caller;
import dev.longhaul.api.access.Requires;
import dev.longhaul.api.access.Role;
import dev.longhaul.api.queue.LaneSettings;
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
        List<Broker> broker = caller.has(Role.ADMIN)
                ? Lanes.ALL.stream().map(l -> new Broker(l, Lanes.queueName(l), depths.ready(Lanes.queueName(l)))).toList()
                : List.of();
        return pages.page(page, "queues")
                .data("lanes", LaneRow.of(stats.lanes(caller.scope()), clock.instant()))
                .data("broker", broker)
                .data("controls", caller.has(Role.ADMIN) ? Lanes.ALL.stream().map(settings::current).toList() : List.of())
                .render();
    }

    @POST
    @Path("/{lane}/paused")
    @Requires(Role.ADMIN)
    public Response paused(@PathParam("lane") String lane, @RestForm boolean paused) throws SQLException {
        settings.paused(lane, paused);
        return Response.seeOther(URI.create("/ui/queues")).build();
    }

    /** Empty fields clear a limit; a value that is no number is refused like a bad one, naming the field. */
    @POST
    @Path("/{lane}/limits")
    @Requires(Role.ADMIN)
    public Response limits(@PathParam("lane") String lane, @RestForm String concurrency, @RestForm String ratePerSecond)
            throws SQLException {
        settings.limits(lane, number(concurrency, "concurrency", Integer::valueOf), number(ratePerSecond, "ratePerSecond", Double::valueOf));
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
