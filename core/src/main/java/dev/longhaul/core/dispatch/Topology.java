package dev.longhaul.core.dispatch;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.longhaul.core.message.Lanes;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Declares the RabbitMQ topology explicitly, before any messaging channel starts (priority 500 runs
 * ahead of the messaging lifecycle at 1000): the durable direct exchange {@code longhaul.jobs}, one
 * quorum queue per lane with a delivery limit and a dead-letter exchange, and the dead-letter queue.
 * Declarations are idempotent; the connector's own declarations are switched off in configuration.
 * {@code deploy/rabbitmq/definitions.json} holds the same topology for operators.
 */
@ApplicationScoped
public class Topology {
    private static final Logger LOG = Logger.getLogger(Topology.class);

    @Inject
    DispatchConfig config;
    @Inject
    Broker broker;
    @ConfigProperty(name = "longhaul.topology.declare", defaultValue = "true")
    boolean declare;

    void onStart(@Observes @Priority(500) StartupEvent event) throws Exception {
        if (declare) {
            declare();
        }
    }

    public void declare() throws Exception {
        try (Connection connection = broker.connect("longhaul-topology");
                Channel channel = connection.createChannel()) {
            channel.exchangeDeclare(Lanes.EXCHANGE, "direct", true);
            channel.exchangeDeclare(Lanes.DEAD_LETTER_EXCHANGE, "fanout", true);
            channel.queueDeclare(Lanes.DEAD_LETTER_QUEUE, true, false, false, Map.of("x-queue-type", "quorum"));
            channel.queueBind(Lanes.DEAD_LETTER_QUEUE, Lanes.DEAD_LETTER_EXCHANGE, "");
            for (String lane : Lanes.ALL) {
                Map<String, Object> args = new HashMap<>();
                args.put("x-queue-type", "quorum");
                args.put("x-delivery-limit", config.deliveryLimit());
                args.put("x-dead-letter-exchange", Lanes.DEAD_LETTER_EXCHANGE);
                channel.queueDeclare(Lanes.queueName(lane), true, false, false, args);
                channel.queueBind(Lanes.queueName(lane), Lanes.EXCHANGE, lane);
            }
        }
        LOG.infof("RabbitMQ topology declared on %s: exchange %s, lanes %s", broker.describe(), Lanes.EXCHANGE, Lanes.ALL);
    }
}
