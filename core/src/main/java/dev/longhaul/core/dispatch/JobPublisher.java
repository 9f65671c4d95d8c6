package dev.longhaul.core.dispatch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.longhaul.core.job.JobStore;
import dev.longhaul.core.message.JobMessage;
import dev.longhaul.core.message.Lanes;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.reactive.messaging.rabbitmq.OutgoingRabbitMQMetadata;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Publishes job messages after their rows committed, and clears each job's publish marker once
 * RabbitMQ confirmed it (publisher confirms are on for the {@code jobs-out} channel). A message
 * that is not confirmed in time leaves its marker set, and {@link DuePublisher} sends it again:
 * a duplicate is harmless, a lost message is not.
 */
@ApplicationScoped
public class JobPublisher {
    private static final Logger LOG = Logger.getLogger(JobPublisher.class);

    @Inject
    @Channel(Lanes.OUT_CHANNEL)
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 20_000)
    Emitter<String> emitter;
    @Inject
    ObjectMapper mapper;
    @Inject
    JobStore store;
    @Inject
    DispatchConfig config;

    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();

    /** Publishes in the background; for request threads that must not wait for RabbitMQ. */
    public void publishLater(Collection<JobRef> jobs) {
        List<JobRef> copy = List.copyOf(jobs);
        background.execute(() -> publish(copy));
    }

    /**
     * Publishes and waits for the confirms (up to the configured timeout), then clears the publish
     * marker of the confirmed jobs in one statement. Must be called outside a transaction.
     *
     * @return the ids RabbitMQ confirmed
     */
    public Set<UUID> publish(Collection<JobRef> jobs) {
        Set<UUID> confirmed = ConcurrentHashMap.newKeySet();
        List<CompletableFuture<Void>> pending = new ArrayList<>(jobs.size());
        for (JobRef job : jobs) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            pending.add(done.thenRun(() -> confirmed.add(job.id())));
            try {
                emitter.send(message(job, done));
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                    .get(config.confirmTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warnf("%d of %d job messages unconfirmed (%s); the republisher will send them again",
                    jobs.size() - confirmed.size(), jobs.size(), e.getCause() != null ? e.getCause() : e);
        }
        if (!confirmed.isEmpty()) {
            try {
                QuarkusTransaction.requiringNew().run(() -> store.markPublished(confirmed));
            } catch (RuntimeException e) {
                LOG.warnf("could not clear the publish marker of %d jobs (%s); they may be sent twice",
                        confirmed.size(), e.toString());
            }
        }
        return Set.copyOf(confirmed);
    }

    private Message<String> message(JobRef job, CompletableFuture<Void> done) {
        String body;
        try {
            body = mapper.writeValueAsString(JobMessage.of(job.id()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        var metadata = OutgoingRabbitMQMetadata.builder()
                .withRoutingKey(job.queue())
                .withContentType("application/json")
                .withDeliveryMode(2)
                .withMessageId(job.id().toString())
                .build();
        return Message.of(body, Metadata.of(metadata),
                () -> {
                    done.complete(null);
                    return CompletableFuture.completedFuture(null);
                },
                failure -> {
                    done.completeExceptionally(failure);
                    return CompletableFuture.completedFuture(null);
                });
    }

    @PreDestroy
    void stop() {
        background.shutdown();
        try {
            background.awaitTermination(config.confirmTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
