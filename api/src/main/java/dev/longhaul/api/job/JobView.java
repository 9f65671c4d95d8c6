package dev.longhaul.api.job;

import com.fasterxml.jackson.databind.JsonNode;
import dev.longhaul.core.artifact.ArtifactInfo;
import dev.longhaul.core.job.Job;
import dev.longhaul.core.job.JobState;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A job as the API shows it. Timestamps are ISO-8601 in UTC. */
public record JobView(UUID id, String kind, String queue, int priority, JobState state, JsonNode params,
        int attempt, int maxAttempts, Integer timeoutSeconds, Instant runAt, Instant createdAt, Instant startedAt, Instant finishedAt,
        boolean cancelRequested, Progress progress, JsonNode result, String error, List<Artifact> artifacts,
        UUID scheduleId, Instant scheduledFor, String tenant, UUID submittedBy, String traceId, String concurrencyKey,
        Integer concurrencyLimit, Integer partitions, UUID parentId, JsonNode partition, JsonNode dependencyStates) {

    /**
     * @param ratePerSecond units per second over the recent chunks, or null before the first
     * @param etaSeconds    estimated seconds left, or null when the total or the rate is unknown
     */
    public record Progress(long done, Long total, String unit, Double ratePerSecond, Long etaSeconds) {
    }

    /** A job's output file; {@code sha256} is null until the file is complete. */
    public record Artifact(String name, long size, String sha256, String contentType, String url) {
    }

    public static JobView of(Job job) {
        return of(job, List.of());
    }

    public static JobView of(Job job, List<ArtifactInfo> files) {
        return of(job, files, null);
    }

    /**
     * The job with its artifacts; a partitioned job's progress is {@code children}'s, the sum of
     * its children's (null for any other job).
     */
    public static JobView of(Job job, List<ArtifactInfo> files, Progress children) {
        Long eta = null;
        if (job.progressTotal() != null && job.progressRate() != null && job.progressRate() > 0) {
            // totals may be estimates: never a negative ETA
            eta = Math.max(0, Math.round((job.progressTotal() - job.progressDone()) / job.progressRate()));
        }
        var progress = children != null ? children
                : new Progress(job.progressDone(), job.progressTotal(), job.progressUnit(), job.progressRate(), eta);
        return new JobView(job.id(), job.kind(), job.queue(), job.priority(), job.state(), job.params(),
                job.attempt(), job.maxAttempts(), job.timeoutSeconds(), job.runAt(), job.createdAt(), job.startedAt(), job.finishedAt(),
                job.cancelRequested(), progress, job.result(), job.error(),
                files.stream().map(f -> new Artifact(f.name(), f.size(), f.sha256(), f.contentType(),
                        "/api/jobs/" + job.id() + "/artifacts/" + f.name())).toList(),
                job.scheduleId(), job.scheduledFor(), job.tenant(), job.submittedBy(), job.traceId(), job.concurrencyKey(),
                job.concurrencyLimit(), job.partitions(), job.parentId(), job.partition(), job.dependencyStates());
    }

    /** A page of jobs; {@code next} is the {@code after} cursor of the next page, or null at the end. */
    @Schema(name = "JobPage")
    public record Page(List<JobView> items, String next) {
    }

    /** The response of a batch submit, in request order. */
    @Schema(name = "JobBatch")
    public record Batch(List<JobView> jobs, JobView then) {
    }
}
