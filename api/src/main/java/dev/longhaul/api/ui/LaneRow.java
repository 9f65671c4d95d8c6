package dev.longhaul.api.ui;

import dev.longhaul.core.job.JobStats;
import dev.longhaul.core.message.Lanes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One lane as the overview and the queues page show it.
 *
 * @param oldestWait how long its oldest queued job has waited, or null when none waits
 */
record LaneRow(String lane, long queued, long running, long scheduled, Duration oldestWait) {

    /** Every lane, with the figures of those that have jobs (the others show zeros). */
    static List<LaneRow> of(List<JobStats.Lane> active, Instant now) {
        Map<String, JobStats.Lane> byName = active.stream().collect(Collectors.toMap(JobStats.Lane::queue, Function.identity()));
        List<String> names = new ArrayList<>(Lanes.ALL);
        byName.keySet().stream().filter(name -> !names.contains(name)).sorted().forEach(names::add);
        return names.stream().map(name -> {
            JobStats.Lane lane = byName.get(name);
            if (lane == null) return new LaneRow(name, 0, 0, 0, null);
            Duration wait = lane.oldestQueuedAt() == null ? null : Duration.between(lane.oldestQueuedAt(), now);
            return new LaneRow(name, lane.queued(), lane.running(), lane.scheduled(), wait);
        }).toList();
    }
}
