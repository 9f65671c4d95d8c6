package dev.longhaul.core.dispatch;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * How many messages a lane's queue holds ready (not yet delivered), as RabbitMQ counts them, on a
 * connection of its own. Unknown (RabbitMQ unreachable) is -1, which callers treat as "not empty".
 */
@ApplicationScoped
public class LaneDepths {
    private static final Logger LOG = Logger.getLogger(LaneDepths.class);

    @Inject
    Broker broker;

    private Connection connection;

    /** The ready messages of {@code queue}, or -1 if RabbitMQ cannot say. */
    public synchronized long ready(String queue) {
        try {
            if (connection == null || !connection.isOpen()) connection = broker.connect("longhaul-lane-depths");
            try (Channel channel = connection.createChannel()) {
                return channel.queueDeclarePassive(queue).getMessageCount();
            }
        } catch (Exception e) {
            LOG.debugf("cannot read the depth of %s: %s", queue, e.toString());
            close();
            return -1;
        }
    }

    @PreDestroy
    synchronized void close() {
        try {
            if (connection != null) connection.abort(1000);
        } catch (RuntimeException e) {
            LOG.debugf("closing: %s", e);
        }
        connection = null;
    }
}
