package dev.longhaul.api.ui;

import dev.longhaul.api.access.Requires;
import dev.longhaul.api.access.Role;
import dev.longhaul.api.worker.Workers;
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

/** The workers, as their heartbeats report them: admin only, as {@code GET /api/workers}. */
@Path("/ui/workers")
@Produces(MediaType.TEXT_HTML)
public class WorkersPage {
    @Inject
    @Location("ui/workers.html")
    Template page;
    @Inject
    Pages pages;
    @Inject
    Workers workers;
    @Inject
    Clock clock;

    /** A worker and how long ago it last reported. */
    record Row(Workers.WorkerView worker, Duration silentFor) {
    }

    @GET
    @Requires(Role.ADMIN)
    public String workers() throws SQLException {
        var now = clock.instant();
        return pages.page(page, "workers")
                .data("workers", workers.list().stream().map(w -> new Row(w, Duration.between(w.lastSeen(), now))).toList())
                .render();
    }
}
