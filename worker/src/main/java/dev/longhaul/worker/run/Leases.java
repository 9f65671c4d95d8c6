package dev.longhaul.worker.run;

import dev.longhaul.core.job.JobState;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The leases this worker holds. A heartbeat renews them and reads each job's cancel flag, so a
 * long slice keeps its job and still notices a cancel request within one heartbeat.
 */
@ApplicationScoped
public class Leases {
    private static final Logger LOG = Logger.getLogger(Leases.class);

    @Inject
    EntityManager em;
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
            QuarkusTransaction.requiringNew().run(this::renewAll);
        } catch (RuntimeException e) {
            LOG.warnf("lease renewal failed, will try again: %s", e.toString());
        }
    }

    private void renewAll() {
        var now = clock.instant();
        var expires = now.plus(config.lease());
        held.forEach((jobId, token) -> {
            Instant deadline = deadlines.get(jobId);
            if (deadline != null && now.isAfter(deadline)) {
                LOG.warnf("job %s is past its timeout; its lease is no longer renewed", jobId);
                return;
            }
            var rows = em.createNativeQuery("""
                    update longhaul.job set lease_expires_at = ?1
                    where id = ?2 and lease_token = ?3 and state = ?4
                    returning cancel_requested""")
                    .setParameter(1, expires)
                    .setParameter(2, jobId)
                    .setParameter(3, token)
                    .setParameter(4, JobState.RUNNING.name())
                    .getResultList();
            if (!rows.isEmpty() && Boolean.TRUE.equals(rows.getFirst())) {
                cancelRequested.add(jobId);
            }
        });
    }
}
