package dev.longhaul.core.dispatch;

import dev.longhaul.core.job.JobMaintenance;
import dev.longhaul.core.job.JobStore;
import dev.longhaul.core.job.Transition;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * Takes back running jobs whose lease expired: their worker is presumed dead. Each is re-queued
 * with its checkpoint, so the next claim resumes it as a new attempt (a worker that dies under a
 * job may have died of it); a job that has used all its attempts ends {@code FAILED}, and one with
 * a cancel request its owner never honoured ends {@code CANCELLED}. Each rescue is recorded in the
 * job's history. Should the old owner still be alive, its next fenced update finds a different (or
 * no) lease token and changes nothing. The statement is {@link JobMaintenance#rescueExpired}.
 */
@ApplicationScoped
public class Rescuer {
    @Inject
    JobMaintenance maintenance;
    @Inject
    JobStore store;
    @Inject
    DispatchConfig config;
    @Inject
    MeterRegistry meters;
    private Counter rescues;

    @PostConstruct
    void meters() {
        rescues = Counter.builder("longhaul.rescues").description("Jobs taken back from a worker whose lease expired")
                .register(meters);
    }

    /** One pass, in the caller's transaction; returns the re-queued jobs, for the caller to publish. */
    List<JobRef> rescueExpired() {
        List<JobMaintenance.Rescued> rescued = maintenance.rescueExpired(config.republishBatch());
        rescues.increment(rescued.size());
        for (JobMaintenance.Rescued r : rescued) {
            boolean failed = r.state() == Transition.FAIL.to();
            store.event(r.id(), failed ? "failed" : "rescued", r.attempt(), null,
                    "lease of " + r.expiredOwner() + " expired" + (failed ? " on the last attempt" : ""));
        }
        return rescued.stream().filter(r -> r.state() == Transition.REQUEUE.to())
                .map(r -> new JobRef(r.id(), r.queue())).toList();
    }
}
