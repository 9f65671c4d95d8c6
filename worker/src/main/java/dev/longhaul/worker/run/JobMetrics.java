package dev.longhaul.worker.run;

import dev.longhaul.core.job.Job;
import dev.longhaul.core.message.Lanes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;

/**
 * The worker's job meters, on its management interface ({@code /q/metrics}), in Prometheus
 * names: {@code longhaul_jobs_finished_total{kind,state}}, {@code longhaul_job_run_seconds} (one
 * slice) and {@code longhaul_job_wait_seconds} (from due to start) histograms per kind,
 * {@code longhaul_jobs_running{lane}}, {@code longhaul_chunk_rows_total{kind}} and
 * {@code longhaul_retries_total{kind}}. Kinds are the registered handlers' names, so the tags
 * stay few.
 */
@ApplicationScoped
public class JobMetrics {
    @Inject
    MeterRegistry meters;

    private final Map<String, Counter> finished = new ConcurrentHashMap<>();
    private final Map<String, Timer> runs = new ConcurrentHashMap<>();
    private final Map<String, Timer> waits = new ConcurrentHashMap<>();
    private final Map<String, Counter> rows = new ConcurrentHashMap<>();
    private final Map<String, Counter> retries = new ConcurrentHashMap<>();

    /** Registers the running gauge of each lane, read from {@code running} (slots held per lane). */
    void watchRunning(ToIntFunction<String> running) {
        for (String lane : Lanes.ALL) {
            Gauge.builder("longhaul.jobs.running", () -> running.applyAsInt(lane)).tag("lane", lane)
                    .description("Jobs this worker is running now").strongReference(true).register(meters);
        }
    }

    void started(Job job, Instant now) {
        // a job's first slice of an attempt: how long it waited once due
        if (job.checkpoint() != null || job.runAt() == null) return;
        waits.computeIfAbsent(job.kind(), k -> Timer.builder("longhaul.job.wait").tag("kind", k)
                .description("From a job being due to a worker starting it").publishPercentileHistogram()
                .register(meters)).record(Duration.between(job.runAt(), now).abs());
    }

    void ran(Job job, Duration slice) {
        runs.computeIfAbsent(job.kind(), k -> Timer.builder("longhaul.job.run").tag("kind", k)
                .description("One slice of a job, from its claim to its handler's return").publishPercentileHistogram()
                .register(meters)).record(slice);
    }

    void finished(Job job, String state) {
        finished.computeIfAbsent(job.kind() + '\0' + state, key -> meters.counter("longhaul.jobs.finished",
                "kind", job.kind(), "state", state)).increment();
    }

    void retrying(Job job) {
        retries.computeIfAbsent(job.kind(), k -> meters.counter("longhaul.retries", "kind", k)).increment();
    }

    /** Rows a chunk of a {@code kind} job walked. */
    public void rows(String kind, long n) {
        if (n > 0) rows.computeIfAbsent(kind, k -> meters.counter("longhaul.chunk.rows", "kind", k)).increment(n);
    }
}
