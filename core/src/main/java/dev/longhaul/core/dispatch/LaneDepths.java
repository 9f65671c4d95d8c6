package dev.longhaul.core.dispatch;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * How many messages a lane's queue holds ready (not yet delivered), as RabbitMQ counts them. Unknown
 * (RabbitMQ unreachable) is -1, which callers treat as "not empty".
 */
@ApplicationScoped
public class LaneDepths {
    private static final Logger LOG = Logger.getLogger(LaneDepths.class);

    @Inject
    Broker broker;

    /** The ready messages of {@code queue}, or -1 if RabbitMQ cannot say. */
    public long ready(String queue) {
        try {
            return broker.onChannel(channel -> (long) channel.queueDeclarePassive(queue).getMessageCount());
        } catch (Exception e) {
            LOG.debugf("cannot read the depth of %s: %s", queue, e.toString());
            return -1;
        }
    }
}
