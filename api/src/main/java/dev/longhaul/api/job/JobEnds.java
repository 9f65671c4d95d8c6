package dev.longhaul.api.job;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.Driver;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Wakes the requests that wait for a job to end ({@code GET /api/jobs/{id}?wait=N}). One
 * connection LISTENs on {@code longhaul_job_ended}, which a trigger on the job table notifies with
 * the job's id when the job reaches an end state (V26); each notification wakes the waiters of that
 * job, which then read it again. The connection is its own, not the pool's. Without it (the
 * database restarting) nothing is missed for long: every waiter is woken when the connection comes
 * back, and each reads its job again every {@link #RECHECK} anyway.
 */
@ApplicationScoped
public class JobEnds {
    private static final Logger LOG = Logger.getLogger(JobEnds.class);
    static final String CHANNEL = "longhaul_job_ended";
    /** The listening connection's application_name. */
    static final String APPLICATION_NAME = "longhaul-api job-ends";
    /** How often a waiter reads its job again even when no notification came. */
    static final Duration RECHECK = Duration.ofSeconds(5);
    private static final Duration RECONNECT = Duration.ofSeconds(1);

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String url;
    @ConfigProperty(name = "quarkus.datasource.username")
    Optional<String> username;
    @ConfigProperty(name = "quarkus.datasource.password")
    Optional<String> password;
    @Inject
    ApiConfig config;

    private final ConcurrentHashMap<UUID, Set<Waiter>> waiters = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private volatile boolean running;
    private volatile boolean listening;
    private Thread listener;

    /** One request's wait for one job; close it when done. */
    public final class Waiter implements AutoCloseable {
        private final UUID job;
        private final Semaphore woken = new Semaphore(0);

        private Waiter(UUID job) {
            this.job = job;
        }

        /**
         * Returns when the job may have ended (a notification, a reconnect) or after {@code nanos},
         * whichever is first; the caller reads the job again either way.
         */
        public void await(long nanos) throws InterruptedException {
            if (woken.tryAcquire(nanos, TimeUnit.NANOSECONDS)) woken.drainPermits();
        }

        private void wake() {
            woken.release();
        }

        @Override
        public void close() {
            waiters.computeIfPresent(job, (id, set) -> {
                set.remove(this);
                return set.isEmpty() ? null : set;
            });
            count.decrementAndGet();
        }
    }

    void start(@Observes StartupEvent event) {
        running = true;
        listener = Thread.ofPlatform().daemon().name("job-ends").start(this::listen);
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (listener != null) listener.interrupt();
    }

    /**
     * A waiter for the job, or null when {@code longhaul.api.max-waiters} requests wait already:
     * the request then answers at once, and its client asks again.
     */
    public Waiter register(UUID job) {
        if (count.incrementAndGet() > config.maxWaiters()) {
            count.decrementAndGet();
            return null;
        }
        Waiter waiter = new Waiter(job);
        waiters.computeIfAbsent(job, id -> ConcurrentHashMap.newKeySet()).add(waiter);
        return waiter;
    }

    /** Requests waiting now. */
    public int waiting() {
        return count.get();
    }

    /** Whether the notifications are being received now. */
    public boolean listening() {
        return listening;
    }

    private void listen() {
        while (running) {
            try (Connection connection = connect(); Statement s = connection.createStatement()) {
                s.execute("listen " + CHANNEL);
                listening = true;
                // a job may have ended while no one listened
                wakeAll();
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications((int) RECONNECT.toMillis());
                    if (notifications == null) continue;
                    for (PGNotification n : notifications) wake(n.getParameter());
                }
            } catch (SQLException | RuntimeException e) {
                listening = false;
                if (!running) return;
                LOG.warnf("listening for job ends failed, listening again in %s: %s", RECONNECT, e.getMessage());
                wakeAll();
                try {
                    Thread.sleep(RECONNECT); // the database is away; try again in a while
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
        listening = false;
    }

    /**
     * A connection of its own, outside the pool: one the database ended must not go back to the
     * pool for a request to find, and the pool keeps its size.
     */
    private Connection connect() throws SQLException {
        Properties properties = new Properties();
        username.ifPresent(u -> properties.setProperty("user", u));
        password.ifPresent(p -> properties.setProperty("password", p));
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("ApplicationName", APPLICATION_NAME);
        Connection connection = new Driver().connect(url, properties);
        if (connection == null) throw new SQLException("not a PostgreSQL URL: " + url);
        return connection;
    }

    private void wake(String id) {
        try {
            Set<Waiter> set = waiters.get(UUID.fromString(id));
            if (set != null) set.forEach(Waiter::wake);
        } catch (IllegalArgumentException e) {
            // not a job id: someone else notified the channel
        }
    }

    private void wakeAll() {
        waiters.values().forEach(set -> set.forEach(Waiter::wake));
    }
}
