package dev.longhaul.api.schedule;

import dev.longhaul.api.job.JobService;
import dev.longhaul.api.job.RequestReader;
import dev.longhaul.api.access.Requires;
import dev.longhaul.api.access.Role;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.net.URI;
import java.util.List;

/** Recurring jobs: create, read, update, delete, and fire now. */
@Path("/api/schedules")
@Produces(MediaType.APPLICATION_JSON)
public class ScheduleResource {
    @Inject
    ScheduleService service;
    @Inject
    JobService jobs;
    @Inject
    RequestReader reader;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Requires(Role.OPERATE)
    public Response create(InputStream body) {
        var schedule = service.create(reader.read(body, ScheduleRequest.class));
        return Response.created(URI.create("/api/schedules/" + schedule.id())).entity(service.view(schedule)).build();
    }

    @GET
    @Requires(Role.READ)
    public List<ScheduleView> list() {
        return service.views(service.list());
    }

    @GET
    @Path("/{id}")
    @Requires(Role.READ)
    public ScheduleView get(@PathParam("id") String id) {
        return service.view(service.get(id));
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Requires(Role.OPERATE)
    public ScheduleView replace(@PathParam("id") String id, InputStream body) {
        return service.view(service.replace(id, reader.read(body, ScheduleRequest.class)));
    }

    @DELETE
    @Path("/{id}")
    @Requires(Role.OPERATE)
    public Response delete(@PathParam("id") String id) {
        service.delete(id);
        return Response.noContent().build();
    }

    /** {@code 202} with the job made for this manual slot. */
    @POST
    @Path("/{id}/trigger")
    @Requires(Role.OPERATE)
    public Response trigger(@PathParam("id") String id) {
        var job = service.trigger(id);
        return Response.accepted(jobs.view(job)).location(URI.create("/api/jobs/" + job.id())).build();
    }
}
