package dev.longhaul.api.ui;

import dev.longhaul.core.job.JobStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A job's attempts, read from its history: each with the workers that ran it, when it started and
 * ended, how it ended, and its error.
 */
record Attempts() {
    private static final Set<String> ENDINGS = Set.of("succeeded", "failed", "retrying", "cancelled", "rescued");

    /** One attempt; {@code outcome} and {@code endedAt} are null while it runs. */
    record Attempt(int number, String workers, Instant startedAt, Instant endedAt, String outcome, String error) {
    }

    static List<Attempt> of(List<JobStore.Event> events) {
        Map<Integer, List<JobStore.Event>> byAttempt = new LinkedHashMap<>();
        for (JobStore.Event e : events) {
            if (e.attempt() > 0) byAttempt.computeIfAbsent(e.attempt(), n -> new ArrayList<>()).add(e);
        }
        List<Attempt> attempts = new ArrayList<>();
        byAttempt.forEach((number, list) -> {
            Set<String> workers = new LinkedHashSet<>();
            JobStore.Event end = null;
            String error = null;
            for (JobStore.Event e : list) {
                if (e.worker() != null) workers.add(e.worker());
                if (ENDINGS.contains(e.type())) {
                    end = e;
                    if (!"succeeded".equals(e.type()) && e.detail() != null) error = e.detail();
                }
            }
            attempts.add(new Attempt(number, workers.isEmpty() ? "—" : String.join(", ", workers), list.getFirst().at(),
                    end == null ? null : end.at(), end == null ? null : end.type(), error));
        });
        return attempts;
    }
}
