package dev.longhaul.worker.mail;

import io.quarkus.mailer.Mail;
import io.quarkus.mailer.Mailer;
import io.quarkus.mailer.MockMailbox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Where the worker's mails go. With an SMTP server configured, to it. In mock mode (the default,
 * so {@code bin/run} needs no SMTP server) the mails are dropped once handed over: the mock mailbox
 * would otherwise keep every message of a campaign in memory, and its INFO log of each recipient
 * and body is silenced in the configuration.
 */
@ApplicationScoped
public class Outbox {
    @Inject
    Mailer mailer;
    @Inject
    Instance<MockMailbox> mockMailbox;
    @ConfigProperty(name = "quarkus.mailer.mock", defaultValue = "false")
    boolean mock;

    /** Sends the mail; throws what the mailer throws. */
    public void send(Mail mail) {
        mailer.send(mail);
        if (mock && mockMailbox.isResolvable()) mockMailbox.get().clear();
    }
}
