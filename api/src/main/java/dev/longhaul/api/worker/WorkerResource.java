package dev.longhaul.api.worker;

import dev.longhaul.api.ApiExamples;
import dev.longhaul.api.access.Requires;
import dev.longhaul.api.access.Role;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The workers that reported on their heartbeat, with the jobs each is running ({@link Workers}). */
@Path("/api/workers")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Workers", description = "The worker processes, as their heartbeats report them.")
public class WorkerResource {
    @Inject
    Workers workers;

    @GET
    @Requires(Role.ADMIN)
    @Operation(summary = "List workers", description = """
            Every worker that reported on its heartbeat, most recently seen first, with the jobs it holds a lease \
            on now. A worker whose `lastSeen` stopped moving has died; its jobs are rescued when their leases \
            expire. Needs the `admin` role.""")
    @APIResponse(responseCode = "200", description = "The workers.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = Workers.WorkerView.class),
                    examples = @ExampleObject(name = "workers", value = ApiExamples.WORKERS)))
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    public List<Workers.WorkerView> list() throws SQLException {
        return workers.list();
    }
}
