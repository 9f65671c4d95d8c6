package dev.longhaul.api.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.longhaul.api.access.Caller;
import dev.longhaul.api.access.Requires;
import dev.longhaul.api.access.Role;
import dev.longhaul.api.job.JobNotFoundException;
import dev.longhaul.api.job.JobService;
import dev.longhaul.api.job.SubmitRequest;
import dev.longhaul.core.job.IllegalTransitionException;
import dev.longhaul.core.job.Job;
import dev.longhaul.core.job.JobFilter;
import dev.longhaul.core.job.JobSearch;
import dev.longhaul.core.job.JobState;
import dev.longhaul.core.kind.InvalidRequestException;
import dev.longhaul.core.kind.builtin.BulkJobsKind;
import dev.longhaul.core.message.Lanes;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * The jobs list: filtered by the URL, keyset-paged on the id (newest first, never OFFSET), with the
 * planner's estimate of how many match. Operators cancel or retry the selected rows here, or every
 * row that matches, which runs as a {@code bulk-jobs} job after a count and a confirmation.
 */
@Path("/ui")
@Produces(MediaType.TEXT_HTML)
public class JobsPage {
    @Inject
    @Location("ui/jobs.html")
    Template list;
    @Inject
    @Location("ui/confirm.html")
    Template confirm;
    @Inject
    Pages pages;
    @Inject
    JobSearch search;
    @Inject
    JobService jobs;
    @Inject
    Caller caller;
    @Inject
    UiConfig config;
    @Inject
    ObjectMapper mapper;

    /** The outcome of an action on the selected rows, shown above the list. */
    record Done(String action, int changed, int unchanged) {
    }

    @GET
    @Path("/jobs")
    @Requires(Role.READ)
    public Response list(@Context UriInfo uri, @RestQuery String after, @RestQuery String before,
            @RestQuery String done, @RestQuery Integer changed, @RestQuery Integer unchanged) throws SQLException {
        ListFilter form = ListFilter.of(uri.getQueryParameters());
        Optional<UUID> id = form.id();
        if (id.isPresent()) return Response.seeOther(URI.create("/ui/jobs/" + id.get())).build();
        JobFilter filter;
        try {
            filter = form.parse();
        } catch (InvalidRequestException e) {
            return Response.status(400).entity(page(form).data("errors", e.errors()).data("rows", List.of())
                    .data("estimate", null).data("older", null).data("newer", null).render()).build();
        }
        int size = config.pageSize();
        UUID afterId = cursor(after);
        UUID beforeId = afterId == null ? cursor(before) : null;
        List<Job> rows = search.page(caller.scope(), filter, afterId, beforeId, size + 1);
        boolean more = rows.size() > size;
        if (more) rows = beforeId == null ? rows.subList(0, size) : rows.subList(1, rows.size());
        String query = form.query();
        String base = "/ui/jobs?" + (query.isEmpty() ? "" : query + "&");
        boolean hasOlder = beforeId != null || more;
        boolean hasNewer = afterId != null || beforeId != null && more;
        String html = page(form)
                .data("errors", List.of())
                .data("rows", rows)
                .data("estimate", search.estimate(caller.scope(), filter))
                .data("older", hasOlder && !rows.isEmpty() ? base + "after=" + rows.getLast().id() : null)
                .data("newer", hasNewer && !rows.isEmpty() ? base + "before=" + rows.getFirst().id() : null)
                .data("done", done == null ? null : new Done(done, changed == null ? 0 : changed, unchanged == null ? 0 : unchanged))
                .render();
        return Response.ok(html).build();
    }

    private TemplateInstance page(ListFilter form) {
        return pages.page(list, "jobs")
                .data("filter", form)
                .data("query", form.query())
                .data("states", JobState.values())
                .data("lanes", Lanes.ALL)
                .data("done", null);
    }

    /** Cancel or retry the rows ticked on one page: each as its own guarded move, the rest left as they are. */
    @POST
    @Path("/bulk/selected")
    @Requires(Role.OPERATE)
    public Response selected(@RestForm String action, @RestForm List<String> ids, @RestForm String back) {
        BulkJobsKind.Action verb = action(action);
        if (ids == null || ids.isEmpty()) throw new InvalidRequestException("ids", "tick at least one job");
        if (ids.size() > 500) throw new InvalidRequestException("ids", "at most 500 jobs at a time");
        int changed = 0;
        for (String id : ids) {
            try {
                if (verb == BulkJobsKind.Action.CANCEL) jobs.cancel(id); else jobs.retry(id);
                changed++;
            } catch (IllegalTransitionException | JobNotFoundException e) {
                // a job that finished meanwhile, or was never this key's: left as it is, and counted
            }
        }
        String list = back != null && back.startsWith("/ui/jobs") && !back.startsWith("/ui/jobs/") ? back : "/ui/jobs";
        String done = "done=" + action + "&changed=" + changed + "&unchanged=" + (ids.size() - changed);
        try {
            return Response.seeOther(URI.create(list + (list.contains("?") ? "&" : "?") + done)).build();
        } catch (IllegalArgumentException e) {
            // a back link that is no URI (a hand-made form): the plain list
            return Response.seeOther(URI.create("/ui/jobs?" + done)).build();
        }
    }

    /** The count and the confirmation before an action on every matching job. */
    @GET
    @Path("/bulk")
    @Requires(Role.OPERATE)
    public Response confirm(@Context UriInfo uri, @RestQuery String action) throws SQLException {
        BulkJobsKind.Action verb = action(action);
        ListFilter form = ListFilter.of(uri.getQueryParameters());
        JobFilter filter = form.parse();
        Optional<UUID> newest = search.newest(caller.scope(), filter);
        long count = newest.isEmpty() ? 0 : search.countUpTo(caller.scope(), filter, newest.get(), config.countCap());
        String html = pages.page(confirm, "jobs")
                .data("action", action)
                .data("verb", verb == BulkJobsKind.Action.CANCEL ? "Cancel" : "Retry")
                .data("filter", form)
                .data("query", form.query())
                .data("count", count)
                .data("atLeast", count >= config.countCap())
                .data("upTo", newest.map(UUID::toString).orElse(null))
                .render();
        return Response.ok(html).build();
    }

    /** Starts the {@code bulk-jobs} job for every matching job up to {@code upTo}, and shows its page. */
    @POST
    @Path("/bulk/all")
    @Requires(Role.OPERATE)
    public Response all(@Context UriInfo uri, @RestForm String action, @RestForm String upTo, @RestForm String state,
            @RestForm String kind, @RestForm String lane, @RestForm String tenant, @RestForm String from,
            @RestForm String to, @RestForm String q) {
        BulkJobsKind.Action verb = action(action);
        JobFilter asked = new ListFilter(blank(state), blank(kind), blank(lane), blank(tenant), blank(from), blank(to), blank(q))
                .parse();
        UUID last = cursor(upTo);
        if (last == null) throw new InvalidRequestException("upTo", "is required: confirm from the count page");
        // a key that is not an admin's acts on its own tenant only
        String within = caller.has(Role.ADMIN) ? asked.tenant() : caller.tenant();
        JobFilter filter = new JobFilter(asked.state(), asked.kind(), asked.queue(), within, asked.createdFrom(),
                asked.createdBefore(), asked.idempotencyKey());
        JsonNode params = mapper.valueToTree(new BulkJobsKind.Params(verb, filter, last));
        Job job = jobs.submit(new SubmitRequest(BulkJobsKind.NAME, params, null, null, null, null, null), null).job();
        return Response.seeOther(URI.create("/ui/jobs/" + job.id())).build();
    }

    private static BulkJobsKind.Action action(String action) {
        if ("cancel".equals(action)) return BulkJobsKind.Action.CANCEL;
        if ("retry".equals(action)) return BulkJobsKind.Action.RETRY;
        throw new InvalidRequestException("action", "must be cancel or retry");
    }

    private static UUID cursor(String value) {
        if (value == null || value.isBlank()) return null;
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("after", "is not a job id");
        }
    }

    private static String blank(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
