package dev.longhaul.core.dispatch;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Connections to RabbitMQ with the RabbitMQ Java client, for what the messaging connector does not
 * do well: declaring the topology, and publishing with confirms collected in batches. Reads the
 * same {@code rabbitmq-*} settings as the connector. Recovery is off: each user reopens a connection
 * itself, and decides what a lost connection means for the messages in flight.
 */
@ApplicationScoped
public class Broker {
    @ConfigProperty(name = "rabbitmq-host", defaultValue = "127.0.0.1")
    String host;
    @ConfigProperty(name = "rabbitmq-port", defaultValue = "5672")
    int port;
    @ConfigProperty(name = "rabbitmq-username", defaultValue = "guest")
    String username;
    @ConfigProperty(name = "rabbitmq-password", defaultValue = "guest")
    String password;
    @ConfigProperty(name = "rabbitmq-virtual-host", defaultValue = "/")
    String virtualHost;

    /** A new connection named {@code name} (shown in the management UI). */
    public Connection connect(String name) throws IOException, TimeoutException {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(host);
        factory.setPort(port);
        factory.setUsername(username);
        factory.setPassword(password);
        factory.setVirtualHost(virtualHost);
        factory.setConnectionTimeout(10_000);
        factory.setAutomaticRecoveryEnabled(false);
        factory.setTopologyRecoveryEnabled(false);
        return factory.newConnection(name);
    }

    /** Work on a channel; the channel is closed after it. */
    public interface ChannelWork<T> {
        T run(Channel channel) throws IOException;
    }

    private Connection maintenance;

    /**
     * Runs {@code work} on a new channel of this app's maintenance connection, which is opened on
     * first use and again after a failure. For the sweeper's short reads (lane depths, the
     * dead-letter queue); calls are serialized.
     */
    public synchronized <T> T onChannel(ChannelWork<T> work) throws IOException, TimeoutException {
        try {
            if (maintenance == null || !maintenance.isOpen()) maintenance = connect("longhaul-maintenance");
            try (Channel channel = maintenance.createChannel()) {
                return work.run(channel);
            }
        } catch (IOException | TimeoutException | RuntimeException e) {
            closeMaintenance();
            throw e;
        }
    }

    @PreDestroy
    synchronized void closeMaintenance() {
        try {
            if (maintenance != null) maintenance.abort(1000);
        } catch (RuntimeException e) {
            // closing anyway
        }
        maintenance = null;
    }

    /** Where the connections go, for logs. */
    public String describe() {
        return host + ":" + port + " vhost " + virtualHost;
    }
}
