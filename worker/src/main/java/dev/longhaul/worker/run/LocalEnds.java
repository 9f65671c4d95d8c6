package dev.longhaul.worker.run;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This worker's jobs of each lane between their claim and the end of their slice (outcome
 * recorded), and a signal when one ends. A delivery that a lane's limit held back waits here for
 * the room one of them leaves, and claims again, instead of being acked and woken by a message
 * later: under a limit the count of RUNNING jobs includes jobs whose success is still being
 * written, so a claim is often held back for a few milliseconds only. Thread-safe.
 */
final class LocalEnds {
    private static final class Lane {
        int running;
        long ends;
    }

    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

    private Lane lane(String name) {
        return lanes.computeIfAbsent(name, n -> new Lane());
    }

    /** How many of the lane's jobs have ended here so far: the mark that {@link #awaitEnd} waits past. */
    long mark(String name) {
        Lane lane = lane(name);
        synchronized (lane) {
            return lane.ends;
        }
    }

    /** A job of the lane was claimed here. */
    void started(String name) {
        Lane lane = lane(name);
        synchronized (lane) {
            lane.running++;
        }
    }

    /** A job of the lane claimed here ended its slice, its outcome recorded. */
    void ended(String name) {
        Lane lane = lane(name);
        synchronized (lane) {
            lane.running = Math.max(0, lane.running - 1);
            lane.ends++;
            lane.notifyAll();
        }
    }

    /**
     * Waits up to {@code atMost} for a job of the lane to end here after {@code mark}; false at once
     * when none runs here (nothing local will leave room), or when none ended in time.
     */
    boolean awaitEnd(String name, long mark, Duration atMost) {
        Lane lane = lane(name);
        long until = System.nanoTime() + atMost.toNanos();
        synchronized (lane) {
            while (lane.ends == mark) {
                long left = until - System.nanoTime();
                if (lane.running == 0 || left <= 0) return false;
                try {
                    lane.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }
}
