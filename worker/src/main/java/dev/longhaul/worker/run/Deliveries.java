package dev.longhaul.worker.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.longhaul.core.message.JobMessage;
import dev.longhaul.core.message.Lanes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Consumes every lane with manual acks. Each delivery is handed to a virtual thread at once, so
 * the broker's prefetch ({@code max-outstanding-messages}, {@code longhaul.worker.lanes.<lane>.prefetch})
 * is what bounds the deliveries in hand; {@link JobRunner} bounds how many of each lane run at once. The
 * prefetch is larger than the concurrency, so the next job is already here while the last one's
 * success is recorded and its ack travels. A delivery is acked when its slice is over, whatever the outcome:
 * the job's state in PostgreSQL is what counts. It is nacked (and requeued by RabbitMQ, up to the
 * queue's delivery limit) only when the worker could not reach PostgreSQL to decide.
 *
 * <p>On shutdown (SIGTERM) the worker drains: it takes no new job, and running jobs end their
 * slice at the next chunk, checkpoint and re-queue, using no attempt, within
 * {@code longhaul.worker.drain-grace}. Deliveries that arrive meanwhile are left unacked, so
 * RabbitMQ gives them to another worker once this one's channel closes.
 */
@ApplicationScoped
public class Deliveries {
    private static final Logger LOG = Logger.getLogger(Deliveries.class);

    @Inject
    JobRunner runner;
    @Inject
    ObjectMapper mapper;
    @Inject
    WorkerConfig config;
    @Inject
    MeterRegistry meters;

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<JobRunner.Result, Counter> counters = new ConcurrentHashMap<>();

    @Incoming("lane-default")
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> onDefault(Message<?> message) {
        return accept(message, Lanes.DEFAULT);
    }

    @Incoming("lane-bulk")
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> onBulk(Message<?> message) {
        return accept(message, Lanes.BULK);
    }

    @Incoming("lane-email")
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> onEmail(Message<?> message) {
        return accept(message, Lanes.EMAIL);
    }

    CompletionStage<Void> accept(Message<?> message, String lane) {
        UUID jobId;
        try {
            jobId = mapper.readValue(bytes(message.getPayload()), JobMessage.class).jobId();
            if (jobId == null) throw new IllegalArgumentException("no jobId");
        } catch (Exception e) {
            LOG.warnf("dropping a message that is not a job message: %s", e.getMessage());
            return message.ack();
        }
        threads.execute(() -> runOne(jobId, lane, message));
        return CompletableFuture.completedFuture(null);
    }

    private void runOne(UUID jobId, String lane, Message<?> message) {
        try {
            JobRunner.Result result = runner.run(jobId, lane);
            // stop consuming: left unacked, the delivery goes back to the queue, and to another
            // worker, when this one closes its channel
            if (result == JobRunner.Result.DRAINING) return;
            LOG.debugf("job %s: %s", jobId, result);
            counters.computeIfAbsent(result, r -> meters.counter("longhaul.worker.deliveries", "result", r.name().toLowerCase()))
                    .increment();
            message.ack();
        } catch (Throwable e) {
            LOG.warnf("job %s: could not run or record it (%s); the delivery goes back to the queue", jobId, e.toString());
            message.nack(e);
        }
    }

    private static byte[] bytes(Object payload) {
        return switch (payload) {
            case byte[] b -> b;
            case Buffer b -> b.getBytes();
            case JsonObject o -> o.encode().getBytes(StandardCharsets.UTF_8);
            case String s -> s.getBytes(StandardCharsets.UTF_8);
            default -> String.valueOf(payload).getBytes(StandardCharsets.UTF_8);
        };
    }

    void drain(@Observes @Priority(1000) ShutdownEvent event) throws InterruptedException {
        LOG.infof("draining: %d running jobs end their slice at the next chunk", runner.running());
        int left = runner.drain(config.drainGrace());
        if (left > 0) LOG.warnf("drain grace over with %d jobs still running; their leases will expire", left);
        else LOG.info("drained");
    }

    @PreDestroy
    void stop() {
        threads.shutdown();
        try {
            threads.awaitTermination(config.slice().toSeconds() + 5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
