package dev.longhaul.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DefaultCredentialsTest {
    @Test
    void theDevelopmentPasswordsAreRefusedAndNamed() {
        assertThat(DefaultCredentials.refusal("longhaul", "longhaul", false)).hasValueSatisfying(m ->
                assertThat(m).contains("PostgreSQL", "RabbitMQ", "LONGHAUL_ALLOW_DEFAULT_CREDENTIALS"));
        assertThat(DefaultCredentials.refusal("s3cret", "longhaul", false)).hasValueSatisfying(m ->
                assertThat(m).contains("RabbitMQ").doesNotContain("PostgreSQL"));
    }

    @Test
    void realPasswordsOrAnExplicitAllowanceStart() {
        assertThat(DefaultCredentials.refusal("s3cret", "an0ther", false)).isEmpty();
        assertThat(DefaultCredentials.refusal("longhaul", "longhaul", true)).isEmpty();
    }
}
