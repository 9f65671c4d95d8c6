package dev.longhaul.api.schedule;

import dev.longhaul.api.ApiExamples;
import dev.longhaul.api.QueryParams;
import dev.longhaul.api.job.JobService;
import dev.longhaul.api.job.JobView;
import dev.longhaul.api.job.RequestReader;
import dev.longhaul.api.access.Requires;
import dev.longhaul.api.access.Role;
import dev.longhaul.api.problem.Problem;
import dev.longhaul.core.schedule.Schedule;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Recurring jobs: create, read, update, delete, and fire now. */
@Path("/api/schedules")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Schedules", description = "Recurring jobs: a job made on every slot of a Quartz cron, exactly once per slot.")
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
    @Operation(summary = "Create a schedule", description = """
            `cron` is Quartz syntax with seconds (`0 0 2 * * ?` is 02:00 every day), read in `timezone` (an IANA \
            zone). `job` is checked like a submit, without `runAt`. `misfire`: `fireOnce` (default) makes one \
            catch-up job after a downtime, `skip` none; `overlap`: `skip` (default) makes no job while the previous \
            one is still waiting or running, `allow` does. Names are unique per tenant (a taken one is a `400`). \
            Needs the `operate` role.""")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ScheduleRequest.class),
            examples = @ExampleObject(name = "weekly report", value = ApiExamples.SCHEDULE_REQUEST)))
    @APIResponse(responseCode = "201", description = "Created.",
            headers = @Header(name = "Location", description = "The schedule's URL, ending in `/api/schedules/{id}`",
                    schema = @Schema(type = SchemaType.STRING, format = "uri")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ScheduleView.class),
                    examples = @ExampleObject(name = "schedule", value = ApiExamples.SCHEDULE_VIEW)))
    @APIResponse(responseCode = "400", ref = "InvalidRequest")
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "413", ref = "BodyTooLarge")
    @APIResponse(responseCode = "415", ref = "NotJson")
    public Response create(InputStream body) {
        var schedule = service.create(reader.read(body, ScheduleRequest.class));
        return Response.created(URI.create("/api/schedules/" + schedule.id())).entity(service.view(schedule)).build();
    }

    @GET
    @Requires(Role.READ)
    @Operation(summary = "List schedules", description = """
            The key's tenant's schedules (an admin's: every tenant's), by name, each with its next five fire times \
            and its last run. Pages are keyset-paged: pass a page's `next` as `after` to get the following one; \
            `next` is null on the last page. Needs the `read` role.""")
    @APIResponse(responseCode = "200", description = "A page of schedules.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ScheduleView.Page.class)))
    @APIResponse(responseCode = "400", ref = "InvalidRequest")
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    public ScheduleView.Page list(
            @Parameter(description = "Page size, 1 to 1000",
                    schema = @Schema(type = SchemaType.INTEGER, defaultValue = "100", minimum = "1", maximum = "1000"))
            @QueryParam("limit") String limit,
            @Parameter(description = "The `next` of the previous page") @QueryParam("after") String after) {
        int size = QueryParams.limit(limit, 100, 1000);
        List<String> cursor = QueryParams.cursor(after, 2);
        var schedules = cursor == null ? service.list(null, null, size)
                : service.list(cursor.get(0), QueryParams.uuid(cursor.get(1), "after"), size);
        Schedule last = schedules.size() == size ? schedules.getLast() : null;
        return new ScheduleView.Page(service.views(schedules),
                last == null ? null : QueryParams.cursor(last.name(), last.id().toString()));
    }

    @GET
    @Path("/{id}")
    @Requires(Role.READ)
    @Operation(summary = "Read a schedule", description = """
            The schedule, its next five fire times (none while disabled) and its last run. Needs the `read` role.""")
    @APIResponse(responseCode = "200", description = "The schedule.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ScheduleView.class),
                    examples = @ExampleObject(name = "schedule", value = ApiExamples.SCHEDULE_VIEW)))
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", description = "No such schedule in the key's tenant.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ScheduleView get(@PathParam("id") String id) {
        return service.view(service.get(id));
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Requires(Role.OPERATE)
    @Operation(summary = "Replace a schedule", description = """
            Replaces every field, checked as on create; the scheduler picks the change up. Needs the `operate` role.""")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ScheduleRequest.class),
            examples = @ExampleObject(name = "weekly report", value = ApiExamples.SCHEDULE_REQUEST)))
    @APIResponse(responseCode = "200", description = "The schedule as it is now.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ScheduleView.class),
                    examples = @ExampleObject(name = "schedule", value = ApiExamples.SCHEDULE_VIEW)))
    @APIResponse(responseCode = "400", ref = "InvalidRequest")
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", description = "No such schedule in the key's tenant.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", ref = "BodyTooLarge")
    @APIResponse(responseCode = "415", ref = "NotJson")
    public ScheduleView replace(@PathParam("id") String id, InputStream body) {
        return service.view(service.replace(id, reader.read(body, ScheduleRequest.class)));
    }

    @DELETE
    @Path("/{id}")
    @Requires(Role.OPERATE)
    @Operation(summary = "Delete a schedule", description = """
            It makes no more jobs; the jobs it made stay. Needs the `operate` role.""")
    @APIResponse(responseCode = "204", description = "Deleted.")
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", description = "No such schedule in the key's tenant.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response delete(@PathParam("id") String id) {
        service.delete(id);
        return Response.noContent().build();
    }

    /** {@code 202} with the job made for this manual slot. */
    @POST
    @Path("/{id}/trigger")
    @Requires(Role.OPERATE)
    @Operation(summary = "Fire a schedule now", description = """
            Makes the schedule's job now, as a run of its own outside the cron's slots (`manual` in `lastRun`): it \
            neither takes nor skips a slot. The job is checked like a submit first (`400`, `403`). Needs the \
            `operate` role.""")
    @APIResponse(responseCode = "202", description = "Accepted: the job is committed.",
            headers = @Header(name = "Location", description = "The job's URL, ending in `/api/jobs/{id}`",
                    schema = @Schema(type = SchemaType.STRING, format = "uri")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "400", ref = "InvalidRequest")
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    @APIResponse(responseCode = "404", description = "No such schedule in the key's tenant.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response trigger(@PathParam("id") String id) {
        var job = service.trigger(id);
        return Response.accepted(jobs.view(job)).location(URI.create("/api/jobs/" + job.id())).build();
    }
}
