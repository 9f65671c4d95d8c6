package dev.longhaul.core.tenant;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;

/**
 * How many bytes of uploads and of job artifacts each tenant may keep in PostgreSQL: a default
 * for every tenant, and overrides by tenant name ({@code longhaul.quotas.tenants.<tenant>.*}).
 * Retention frees space as it purges old uploads and jobs.
 */
@ApplicationScoped
public class Quotas {

    @ConfigMapping(prefix = "longhaul.quotas")
    public interface Config {
        /** Bytes of uploads per tenant (20 GiB). */
        @WithDefault("21474836480")
        long uploadBytes();

        /** Bytes of artifacts per tenant (100 GiB). */
        @WithDefault("107374182400")
        long artifactBytes();

        /** Overrides for named tenants. */
        Map<String, Tenant> tenants();

        interface Tenant {
            Optional<Long> uploadBytes();

            Optional<Long> artifactBytes();
        }
    }

    /** A tenant went past a quota; nothing of the write that would have done it is kept. */
    public static class ExceededException extends RuntimeException {
        public ExceededException(String message) {
            super(message);
        }
    }

    @Inject
    Config config;

    public long uploadBytes(String tenant) {
        Config.Tenant own = config.tenants().get(tenant);
        return own == null ? config.uploadBytes() : own.uploadBytes().orElse(config.uploadBytes());
    }

    public long artifactBytes(String tenant) {
        Config.Tenant own = config.tenants().get(tenant);
        return own == null ? config.artifactBytes() : own.artifactBytes().orElse(config.artifactBytes());
    }
}
