package dev.longhaul.worker.run;

import dev.longhaul.core.job.JobQueries;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The leases this worker holds. A heartbeat renews them all in one statement and reads each job's
 * cancel flag, so a long slice keeps its job and still notices a cancel request within one
 * heartbeat.
 */
@ApplicationScoped
public class Leases {
    private static final Logger LOG = Logger.getLogger(Leases.class);

    @Inject
    JobQueries queries;
    @Inject
    WorkerConfig config;
    @Inject
    Clock clock;

    private final Map<UUID, UUID> held = new ConcurrentHashMap<>();
    private final Map<UUID, Instant> deadlines = new ConcurrentHashMap<>();
    private final Set<UUID> cancelRequested = ConcurrentHashMap.newKeySet();
    private volatile String workerId;

    public String workerId() {
        if (workerId == null) {
            workerId = config.id().orElseGet(Leases::defaultId);
        }
        return workerId;
    }

    private static String defaultId() {
        try {
            return InetAddress.getLocalHost().getHostName() + ":" + ProcessHandle.current().pid();
        } catch (Exception e) {
            return "worker:" + ManagementFactory.getRuntimeMXBean().getName();
        }
    }

    /**
     * Renews the lease until {@code attemptDeadline}: a handler stuck inside one long chunk past
     * its job's timeout then loses the job to the sweeper, which counts the attempt as failed.
     */
    void hold(UUID jobId, UUID token, Instant attemptDeadline) {
        held.put(jobId, token);
        deadlines.put(jobId, attemptDeadline);
    }

    void release(UUID jobId) {
        held.remove(jobId);
        deadlines.remove(jobId);
        cancelRequested.remove(jobId);
    }

    public boolean cancelRequested(UUID jobId) {
        return cancelRequested.contains(jobId);
    }

    @Scheduled(every = "${longhaul.worker.heartbeat:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void heartbeat() {
        if (held.isEmpty()) return;
        try {
            renewAll();
        } catch (RuntimeException e) {
            LOG.warnf("lease renewal failed, will try again: %s", e.toString());
        }
    }

    private void renewAll() {
        var now = clock.instant();
        Map<UUID, UUID> renew = new HashMap<>();
        held.forEach((jobId, token) -> {
            Instant deadline = deadlines.get(jobId);
            if (deadline != null && now.isAfter(deadline)) {
                LOG.warnf("job %s is past its timeout; its lease is no longer renewed", jobId);
            } else {
                renew.put(jobId, token);
            }
        });
        try {
            queries.renew(renew, now.plus(config.lease())).forEach((jobId, cancel) -> {
                if (cancel) cancelRequested.add(jobId);
            });
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
