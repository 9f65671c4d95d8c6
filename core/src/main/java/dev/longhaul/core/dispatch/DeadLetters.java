package dev.longhaul.core.dispatch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import dev.longhaul.core.job.JobMaintenance;
import dev.longhaul.core.message.JobMessage;
import dev.longhaul.core.message.Lanes;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The owner of the dead-letter queue. A message lands there after RabbitMQ's delivery limit, most
 * often because workers could not reach PostgreSQL to decide on it; its job still waits, with its
 * publish marker cleared. Each pass takes what is there: jobs that still wait are marked to publish
 * and returned to be published again; messages of jobs that ran or ended, and anything that is not
 * a job message, are dropped with a log line. The messages are acked only after the jobs were
 * marked, so a crash in between leaves them for the next pass.
 */
@ApplicationScoped
public class DeadLetters {
    private static final Logger LOG = Logger.getLogger(DeadLetters.class);

    @Inject
    Broker broker;
    @Inject
    ObjectMapper mapper;
    @Inject
    JobMaintenance maintenance;
    @Inject
    MeterRegistry meters;
    private Counter deadLetters;

    @PostConstruct
    void meters() {
        deadLetters = Counter.builder("longhaul.dead.letters").description("Messages taken from the dead-letter queue")
                .register(meters);
    }

    /** Takes up to {@code limit} dead-lettered messages; returns the jobs to publish again. */
    public List<JobRef> drain(int limit) {
        try {
            return broker.onChannel(channel -> drain(channel, limit));
        } catch (Exception e) {
            LOG.debugf("cannot read the dead-letter queue: %s", e.toString());
            return List.of();
        }
    }

    private List<JobRef> drain(Channel channel, int limit) throws IOException {
        List<UUID> ids = new ArrayList<>();
        long lastTag = -1;
        int notJobs = 0;
        for (int i = 0; i < limit; i++) {
            GetResponse message = channel.basicGet(Lanes.DEAD_LETTER_QUEUE, false);
            if (message == null) break;
            lastTag = message.getEnvelope().getDeliveryTag();
            UUID id = jobId(message.getBody());
            if (id == null) notJobs++; else ids.add(id);
        }
        if (lastTag < 0) return List.of();
        // acked only once the jobs are marked: a crash in between leaves the messages for the next pass
        List<JobRef> waiting = QuarkusTransaction.requiringNew().call(() -> maintenance.takeDeadLettered(ids, JobRef::new));
        channel.basicAck(lastTag, true);
        deadLetters.increment(ids.size() + notJobs);
        LOG.infof("dead-letter queue: %d messages; %d jobs still waiting are published again, %d of jobs that ran "
                + "or ended and %d that were not job messages dropped", ids.size() + notJobs, waiting.size(),
                ids.size() - waiting.size(), notJobs);
        return waiting;
    }

    private UUID jobId(byte[] body) {
        try {
            return mapper.readValue(body, JobMessage.class).jobId();
        } catch (Exception e) {
            return null;
        }
    }
}
