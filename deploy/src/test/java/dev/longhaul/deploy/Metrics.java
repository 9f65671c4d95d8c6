package dev.longhaul.deploy;

import java.util.Set;

/**
 * The Prometheus series the apps export under {@code longhaul_*} (issue 16). A static list for
 * now; e2e checks the dashboard against a live {@code /q/metrics}.
 */
final class Metrics {
    private Metrics() {
    }

    static final Set<String> KNOWN = Set.of(
            "longhaul_jobs_finished_total",
            "longhaul_job_run_seconds_bucket", "longhaul_job_run_seconds_count", "longhaul_job_run_seconds_sum",
            "longhaul_job_wait_seconds_bucket", "longhaul_job_wait_seconds_count", "longhaul_job_wait_seconds_sum",
            "longhaul_lane_depth", "longhaul_lane_oldest_waiting_seconds", "longhaul_jobs_running",
            "longhaul_chunk_rows_total",
            "longhaul_retries_total", "longhaul_rescues_total", "longhaul_dead_letters_total",
            "longhaul_publish_confirm_seconds_bucket", "longhaul_publish_confirm_seconds_count",
            "longhaul_publish_confirm_seconds_sum");
}
