package dev.longhaul.core.dispatch;

import dev.longhaul.core.job.Dependencies;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Settles waiting jobs through {@link Dependencies} and publishes the ones it released. A failure
 * is logged and left: the sweeper's pass ({@link #settleReady}) settles whatever is left, so no
 * waiting job is stranded.
 */
@ApplicationScoped
public class Settler {
    private static final Logger LOG = Logger.getLogger(Settler.class);

    @Inject
    Dependencies dependencies;
    @Inject
    JobPublisher publisher;

    /** The given waiting jobs (just accepted, say): released if their dependencies have ended. */
    public void settle(Collection<UUID> waiting) {
        run(() -> dependencies.settle(waiting), "jobs " + waiting);
    }

    /** The jobs waiting for any of {@code ended}, jobs that just ended. */
    public void settleWaitingFor(Collection<UUID> ended) {
        run(() -> dependencies.settleWaitingFor(ended), "the jobs waiting for " + ended);
    }

    /** The sweeper's pass; returns how many jobs it released. */
    public int settleReady(int limit) {
        return run(() -> dependencies.settleReady(limit), "waiting jobs");
    }

    @FunctionalInterface
    private interface Settling {
        List<Dependencies.Released> run() throws SQLException;
    }

    private int run(Settling settling, String what) {
        try {
            List<Dependencies.Released> released = settling.run();
            if (!released.isEmpty()) {
                publisher.publishLater(released.stream().map(r -> new JobRef(r.id(), r.queue(), r.traceParent())).toList());
            }
            return released.size();
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("settling %s failed; the sweeper settles them: %s", what, e.toString());
            return 0;
        }
    }

}
