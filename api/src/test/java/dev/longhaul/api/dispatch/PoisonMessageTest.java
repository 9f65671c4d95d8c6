package dev.longhaul.api.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import dev.longhaul.core.message.Lanes;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A message that no consumer can get through (every delivery comes back) is not redelivered
 * forever: the lane's delivery limit hands it to the dead-letter queue, where an operator can
 * look at it. The consumer here is the test, nacking every delivery as a crashing worker would.
 */
@QuarkusTest
class PoisonMessageTest {
    @ConfigProperty(name = "rabbitmq-host")
    String host;
    @ConfigProperty(name = "rabbitmq-port")
    int port;
    @ConfigProperty(name = "rabbitmq-username")
    String username;
    @ConfigProperty(name = "rabbitmq-password")
    String password;
    @ConfigProperty(name = "rabbitmq-virtual-host")
    String vhost;
    @ConfigProperty(name = "longhaul.dispatch.delivery-limit", defaultValue = "10")
    int deliveryLimit;

    @Test
    void aMessageReturnedMoreThanTheDeliveryLimitIsDeadLettered() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(host);
        factory.setPort(port);
        factory.setUsername(username);
        factory.setPassword(password);
        factory.setVirtualHost(vhost);
        String lane = Lanes.queueName(Lanes.BULK);
        try (Connection connection = factory.newConnection("poison-test"); Channel channel = connection.createChannel()) {
            channel.queuePurge(lane);
            channel.queuePurge(Lanes.DEAD_LETTER_QUEUE);
            String poison = "{\"jobId\":\"" + UUID.randomUUID() + "\",\"poison\":true}";
            channel.confirmSelect();
            channel.basicPublish(Lanes.EXCHANGE, Lanes.BULK, MessageProperties.PERSISTENT_BASIC,
                    poison.getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(10_000);

            int deliveries = 0;
            while (true) {
                GetResponse delivery = channel.basicGet(lane, false);
                if (delivery == null) break;
                assertThat(new String(delivery.getBody(), StandardCharsets.UTF_8)).isEqualTo(poison);
                deliveries++;
                channel.basicNack(delivery.getEnvelope().getDeliveryTag(), false, true);
                assertThat(deliveries).as("deliveries before the limit took it away").isLessThanOrEqualTo(deliveryLimit + 1);
            }
            assertThat(deliveries).isEqualTo(deliveryLimit + 1);
            // dead-lettering is asynchronous
            AtomicReference<GetResponse> got = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                got.set(channel.basicGet(Lanes.DEAD_LETTER_QUEUE, true));
                return got.get() != null;
            });
            GetResponse dead = got.get();
            assertThat(new String(dead.getBody(), StandardCharsets.UTF_8)).isEqualTo(poison);
            assertThat(dead.getProps().getHeaders()).containsKey("x-death");
        }
    }
}
