package dev.longhaul.api.ui;

import dev.longhaul.api.access.ApiKeys;
import dev.longhaul.api.access.Caller;
import dev.longhaul.api.access.Requires;
import dev.longhaul.api.access.Role;
import dev.longhaul.api.job.JobNotFoundException;
import dev.longhaul.api.job.JobResource;
import dev.longhaul.api.job.JobService;
import dev.longhaul.core.artifact.ArtifactInfo;
import dev.longhaul.core.artifact.ArtifactStore;
import dev.longhaul.core.job.IllegalTransitionException;
import dev.longhaul.core.chunk.KeyRange;
import dev.longhaul.core.job.Job;
import dev.longhaul.core.job.JobSearch;
import dev.longhaul.core.job.Transition;
import dev.longhaul.core.tenant.Scope;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * One job: its state, params, attempts, history, checkpoint, lease and files, and a progress bar
 * that follows it live (server-sent events from {@code /live}) until it ends. Cancel and Retry are
 * shown when the state allows them and the key has {@code operate}; the server checks both again.
 */
@Path("/ui/jobs/{id}")
public class JobPage {
    /** Why a cancel or retry did not happen, by a fixed code in the redirect (never free text). */
    private static final Map<String, String> NOTICES = Map.of(
            "cancel-refused", "This job has already finished, so it cannot be cancelled.",
            "retry-refused", "Only a failed or cancelled job can be retried.",
            "cancelled", "Cancel requested.",
            "retried", "Queued again, to start over.");

    @Inject
    @Location("ui/job.html")
    Template page;
    @Inject
    @Location("ui/not-found.html")
    Template notFound;
    @Inject
    Pages pages;
    @Inject
    JobService jobs;
    @Inject
    JobSearch search;
    @Inject
    ArtifactStore artifacts;
    @Inject
    ApiKeys keys;
    @Inject
    Caller caller;
    @Inject
    UiConfig config;
    @Inject
    Vertx vertx;

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Requires(Role.READ)
    public Response show(@PathParam("id") String id, @QueryParam("notice") String notice) {
        Job job;
        try {
            job = jobs.get(id);
        } catch (JobNotFoundException e) {
            return Response.status(404).entity(pages.page(notFound, "jobs").data("what", "job").render()).build();
        }
        var events = jobs.events(id);
        boolean operate = caller.has(Role.OPERATE);
        String submitter = job.submittedBy() == null ? null
                : keys.find(job.submittedBy()).map(ApiKeys.Key::name).orElse(job.submittedBy().toString());
        List<ArtifactInfo> files = artifacts.list(List.of(job.id())).getOrDefault(job.id(), List.of());
        String html = pages.page(page, "jobs")
                .data("job", job)
                .data("children", job.partitions() == null ? List.of()
                        : jobs.list(null, null, null, null, job.id(), null, 64).reversed())
                .data("partition", job.partition() == null ? null : KeyRange.from(job.partition()))
                .data("dependencyStates", job.dependencyStates() == null ? null : job.dependencyStates().toString())
                .data("live", Live.of(job))
                .data("submitter", submitter)
                .data("events", events)
                .data("attempts", Attempts.of(events))
                .data("files", files.stream().filter(ArtifactInfo::complete).toList())
                .data("params", JsonTree.html(job.params()))
                .data("result", JsonTree.html(job.result()))
                .data("checkpoint", JsonTree.html(job.checkpoint()))
                .data("mayCancel", operate && Transition.CANCEL.allowedFrom(job.state()) && !job.cancelRequested())
                .data("mayRetry", operate && Transition.RETRY.allowedFrom(job.state()))
                .data("notice", notice == null ? null : NOTICES.get(notice))
                .render();
        return Response.ok(html, MediaType.TEXT_HTML_TYPE.withCharset("utf-8")).build();
    }

    /**
     * The job's {@link Live} view every {@code longhaul.ui.live-every} while it changes, until it
     * has ended (that last view included). The reads run on worker threads, outside the request.
     */
    @GET
    @Path("/live")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Requires(Role.READ)
    @Blocking
    public Multi<Live> live(@PathParam("id") String id) {
        UUID uuid = jobs.get(id).id();
        Scope scope = caller.scope();
        long every = Math.max(50, config.liveEvery().toMillis());
        return Multi.createFrom().emitter(emitter -> {
            AtomicReference<Live> last = new AtomicReference<>();
            long timer = vertx.setPeriodic(0, every, tick -> vertx.<Live>executeBlocking(() ->
                    search.find(uuid, scope).map(Live::of).orElse(null), false).onComplete(read -> {
                        if (read.failed()) {
                            emitter.fail(read.cause());
                        } else if (read.result() == null) {
                            emitter.complete();
                        } else if (!read.result().equals(last.getAndSet(read.result()))) {
                            emitter.emit(read.result());
                            if (read.result().finished()) emitter.complete();
                        }
                    }));
            emitter.onTermination(() -> vertx.cancelTimer(timer));
        });
    }

    /** A file of the job, streamed as the API's download streams it. */
    @GET
    @Path("/artifacts/{name}")
    @Produces(MediaType.WILDCARD)
    @Requires(Role.READ)
    public Response artifact(@PathParam("id") String id, @PathParam("name") String name) {
        return JobResource.download(jobs.artifact(id, name), artifacts);
    }

    @POST
    @Path("/cancel")
    @Requires(Role.OPERATE)
    public Response cancel(@PathParam("id") String id) {
        try {
            jobs.cancel(id);
            return back(id, "cancelled");
        } catch (IllegalTransitionException e) {
            return back(id, "cancel-refused");
        }
    }

    @POST
    @Path("/retry")
    @Requires(Role.OPERATE)
    public Response retry(@PathParam("id") String id) {
        try {
            jobs.retry(id);
            return back(id, "retried");
        } catch (IllegalTransitionException e) {
            return back(id, "retry-refused");
        }
    }

    private static Response back(String id, String notice) {
        return Response.seeOther(URI.create("/ui/jobs/" + UUID.fromString(id) + "?notice=" + notice)).build();
    }
}
