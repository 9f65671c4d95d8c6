package dev.longhaul.core.config;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses to start a production app (the prod profile) on the development passwords that
 * {@code bin/services} creates ({@code longhaul}/{@code longhaul} for PostgreSQL and RabbitMQ),
 * unless {@code LONGHAUL_ALLOW_DEFAULT_CREDENTIALS=true}, which {@code bin/run} and
 * {@code bin/test} set for the local services. Dev and test profiles are not checked.
 */
@ApplicationScoped
public class DefaultCredentials {
    static final String DEVELOPMENT_PASSWORD = "longhaul";

    @ConfigProperty(name = "quarkus.datasource.password", defaultValue = "")
    String databasePassword;
    @ConfigProperty(name = "rabbitmq-password", defaultValue = "")
    String brokerPassword;
    @ConfigProperty(name = "longhaul.allow-default-credentials", defaultValue = "false")
    boolean allowed;

    void check(@Observes @Priority(100) StartupEvent event) {
        if (LaunchMode.current() != LaunchMode.NORMAL) return;
        refusal(databasePassword, brokerPassword, allowed).ifPresent(message -> {
            throw new IllegalStateException(message);
        });
    }

    /** Why these credentials may not be used, or empty when they may. */
    static Optional<String> refusal(String databasePassword, String brokerPassword, boolean allowed) {
        if (allowed) return Optional.empty();
        List<String> defaults = new ArrayList<>();
        if (DEVELOPMENT_PASSWORD.equals(databasePassword)) defaults.add("PostgreSQL (QUARKUS_DATASOURCE_PASSWORD)");
        if (DEVELOPMENT_PASSWORD.equals(brokerPassword)) defaults.add("RabbitMQ (RABBITMQ_PASSWORD)");
        if (defaults.isEmpty()) return Optional.empty();
        return Optional.of("refusing to start with the development password for " + String.join(" and ", defaults)
                + ": set real credentials, or LONGHAUL_ALLOW_DEFAULT_CREDENTIALS=true for local services");
    }
}
