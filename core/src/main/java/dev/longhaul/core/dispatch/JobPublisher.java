package dev.longhaul.core.dispatch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import dev.longhaul.core.job.JobQueries;
import dev.longhaul.core.trace.Traces;
import dev.longhaul.core.message.JobMessage;
import dev.longhaul.core.message.Lanes;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Publishes job messages after their rows committed, with publisher confirms, and clears each
 * job's publish marker once RabbitMQ confirmed it. Nothing waits per message:
 * <ul>
 *   <li>one sender thread takes whatever is queued, publishes it on one confirm-mode channel and
 *       moves on, with many messages in flight;</li>
 *   <li>RabbitMQ's confirms arrive asynchronously, often one for many messages ({@code multiple});</li>
 *   <li>the markers of confirmed jobs are cleared every {@code longhaul.dispatch.marker-delay}: one
 *       statement for all of them.</li>
 * </ul>
 * A message that is nacked, lost with its connection, or not confirmed within
 * {@code longhaul.dispatch.confirm-timeout} leaves its marker set, and {@link DuePublisher} sends it
 * again: a duplicate is harmless, a lost message is not.
 */
@ApplicationScoped
public class JobPublisher {
    private static final Logger LOG = Logger.getLogger(JobPublisher.class);
    private static final int MAX_BATCH = 2000;

    @Inject
    Broker broker;
    @Inject
    ObjectMapper mapper;
    @Inject
    DispatchConfig config;
    @Inject
    JobQueries queries;
    @Inject
    MeterRegistry meters;
    private Timer confirmLatency;

    private final BlockingQueue<Outgoing> queue = new LinkedBlockingQueue<>();
    /** Messages published and not yet confirmed, by their channel's publish sequence number. */
    private final ConcurrentNavigableMap<Long, Outgoing> inFlight = new ConcurrentSkipListMap<>();
    /** Confirmed jobs whose markers are yet to be cleared. */
    private final BlockingQueue<Outgoing> toClear = new LinkedBlockingQueue<>();
    private ScheduledExecutorService markers;
    private Thread sender;
    private volatile boolean stopping;
    private Connection connection;
    private Channel channel;
    private long lastFailureLog;

    /** A job on its way: its future completes true once confirmed and its marker cleared, else false. */
    private static final class Outgoing {
        final JobRef job;
        final CompletableFuture<Boolean> done = new CompletableFuture<>();
        /** When the sender thread published it (System.nanoTime); read by the confirm listener. */
        volatile long sentAt;

        Outgoing(JobRef job) {
            this.job = job;
        }
    }

    @PostConstruct
    void start() {
        confirmLatency = Timer.builder("longhaul.publish.confirm")
                .description("From publishing a job message to RabbitMQ's confirm (or nack) of it")
                .publishPercentileHistogram().register(meters);
        markers = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("longhaul-publish-markers").factory());
        long every = config.markerDelay().toMillis();
        markers.scheduleWithFixedDelay(this::clearMarkers, every, every, TimeUnit.MILLISECONDS);
        this.sender = Thread.ofPlatform().daemon().name("longhaul-publisher").start(this::loop);
    }

    /** Publishes in the background; for request threads that must not wait for RabbitMQ. */
    public void publishLater(Collection<JobRef> jobs) {
        for (JobRef job : jobs) queue.add(new Outgoing(job));
    }

    /**
     * Publishes and waits (up to the confirm timeout) until RabbitMQ confirmed the messages and
     * their markers are cleared.
     *
     * @return the ids RabbitMQ confirmed
     */
    public Set<UUID> publish(Collection<JobRef> jobs) {
        List<Outgoing> sent = new ArrayList<>(jobs.size());
        for (JobRef job : jobs) {
            Outgoing outgoing = new Outgoing(job);
            sent.add(outgoing);
            queue.add(outgoing);
        }
        Set<UUID> confirmed = ConcurrentHashMap.newKeySet();
        long deadline = System.nanoTime() + config.confirmTimeout().toNanos();
        for (Outgoing o : sent) {
            try {
                if (o.done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    confirmed.add(o.job.id());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                // not confirmed in time, or the marker could not be cleared: the republisher covers it
            }
        }
        if (confirmed.size() < sent.size()) {
            LOG.warnf("%d of %d job messages unconfirmed; the republisher will send them again",
                    sent.size() - confirmed.size(), sent.size());
        }
        return Set.copyOf(confirmed);
    }

    private void loop() {
        List<Outgoing> batch = new ArrayList<>(MAX_BATCH);
        while (!stopping) {
            try {
                Outgoing first = queue.poll(250, TimeUnit.MILLISECONDS);
                expireStale();
                if (first == null) continue;
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                send(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warnf("publisher: %s", e.toString());
                batch.forEach(o -> o.done.complete(false));
            } finally {
                batch.clear();
            }
        }
    }

    private void send(List<Outgoing> batch) {
        Channel ch;
        try {
            ch = channel();
        } catch (Exception e) {
            long now = System.currentTimeMillis();
            if (now - lastFailureLog > 10_000) {
                lastFailureLog = now;
                LOG.warnf("cannot reach RabbitMQ at %s (%s); %d jobs stay marked for the republisher",
                        broker.describe(), e.toString(), batch.size());
            }
            batch.forEach(o -> o.done.complete(false));
            return;
        }
        int i = 0;
        try {
            for (; i < batch.size(); i++) {
                Outgoing o = batch.get(i);
                o.sentAt = System.nanoTime();
                inFlight.put(ch.getNextPublishSeqNo(), o);
                ch.basicPublish(Lanes.EXCHANGE, o.job.queue(), false, properties(o.job), body(o.job.id()));
            }
        } catch (Exception e) {
            LOG.warnf("publishing to RabbitMQ failed (%s); unconfirmed jobs stay marked for the republisher", e.toString());
            for (; i < batch.size(); i++) batch.get(i).done.complete(false);
            reset();
        }
    }

    /** The confirm-mode channel, opened if there is none. Only the sender thread calls this. */
    private Channel channel() throws Exception {
        if (channel != null && channel.isOpen()) return channel;
        reset();
        connection = broker.connect("longhaul-publisher");
        Channel ch = connection.createChannel();
        ch.confirmSelect();
        ch.addConfirmListener(new ConfirmListener() {
            @Override
            public void handleAck(long seq, boolean multiple) {
                settle(seq, multiple, true);
            }

            @Override
            public void handleNack(long seq, boolean multiple) {
                settle(seq, multiple, false);
            }
        });
        ch.addShutdownListener(cause -> failInFlight());
        channel = ch;
        return ch;
    }

    private void settle(long seq, boolean multiple, boolean ack) {
        Collection<Outgoing> settled;
        if (multiple) {
            var head = inFlight.headMap(seq, true);
            settled = new ArrayList<>(head.values());
            head.clear();
        } else {
            Outgoing o = inFlight.remove(seq);
            settled = o == null ? List.of() : List.of(o);
        }
        long now = System.nanoTime();
        for (Outgoing o : settled) {
            confirmLatency.record(now - o.sentAt, TimeUnit.NANOSECONDS);
            if (ack) {
                toClear.add(o);
            } else {
                o.done.complete(false);
            }
        }
    }

    /**
     * Clears the markers of the jobs confirmed since the last pass, in one statement. Waiting a
     * little first is cheaper than it looks: a worker's claim clears the marker too, so the jobs
     * already claimed by then cost this statement no write.
     */
    private void clearMarkers() {
        List<Outgoing> batch = new ArrayList<>();
        toClear.drainTo(batch);
        if (batch.isEmpty()) return;
        boolean cleared;
        try {
            queries.markPublished(batch.stream().map(o -> o.job.id()).collect(Collectors.toSet()));
            cleared = true;
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("could not clear the publish marker of %d jobs (%s); they may be sent twice", batch.size(), e.toString());
            cleared = false;
        }
        for (Outgoing o : batch) o.done.complete(cleared);
    }

    /** Messages whose confirm is overdue are given up: their markers stay set, and the channel is reopened. */
    private void expireStale() {
        var oldest = inFlight.firstEntry();
        if (oldest != null && System.nanoTime() - oldest.getValue().sentAt > config.confirmTimeout().toNanos()) {
            LOG.warnf("RabbitMQ confirmed nothing for %d s; reopening the channel", config.confirmTimeout().toSeconds());
            reset();
        }
    }

    private void failInFlight() {
        var all = new ArrayList<>(inFlight.values());
        inFlight.clear();
        all.forEach(o -> o.done.complete(false));
    }

    private void reset() {
        try {
            if (connection != null) connection.abort(2000);
        } catch (RuntimeException e) {
            LOG.debugf("closing the publisher's connection: %s", e);
        }
        connection = null;
        channel = null;
        failInFlight();
    }

    private static AMQP.BasicProperties properties(JobRef job) {
        var properties = new AMQP.BasicProperties.Builder().contentType("application/json").deliveryMode(2)
                .messageId(job.id().toString());
        if (job.traceParent() != null) properties.headers(Map.of(Traces.HEADER, job.traceParent()));
        return properties.build();
    }

    private byte[] body(UUID id) {
        try {
            return mapper.writeValueAsBytes(JobMessage.of(id));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @PreDestroy
    void stop() {
        // let what is queued go out and be confirmed, briefly
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        try {
            while ((!queue.isEmpty() || !inFlight.isEmpty()) && System.nanoTime() < until) Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopping = true;
        try {
            sender.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        markers.shutdown();
        try {
            markers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        clearMarkers();
        reset();
    }
}
