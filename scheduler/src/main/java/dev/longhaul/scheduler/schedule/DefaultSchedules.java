package dev.longhaul.scheduler.schedule;

import dev.longhaul.core.job.JobIds;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * On the first start of an installation (whichever scheduler instance gets there first), adds the
 * housekeeping schedules: the nightly {@code sales-daily} report for the previous day at 02:00 UTC,
 * and a daily purge at 03:30 UTC. A schedule a user deleted stays deleted.
 */
@ApplicationScoped
public class DefaultSchedules {
    private static final Logger LOG = Logger.getLogger(DefaultSchedules.class);

    @Inject
    EntityManager em;
    @Inject
    Clock clock;
    @Inject
    com.fasterxml.jackson.databind.ObjectMapper mapper;
    @ConfigProperty(name = "longhaul.scheduler.seed-defaults", defaultValue = "true")
    boolean enabled;
    /** Where the nightly report is mailed, if anywhere (the worker's mailer must be configured). */
    @ConfigProperty(name = "longhaul.reports.email-to")
    java.util.Optional<String> reportEmail;

    void onStart(@Observes StartupEvent event) {
        if (!enabled) return;
        QuarkusTransaction.requiringNew().run(() -> {
            int first = em.createNativeQuery("""
                    insert into longhaul.setting (key, value, at) values ('default-schedules', 'seeded', ?1)
                    on conflict do nothing""").setParameter(1, clock.instant()).executeUpdate();
            if (first == 0) return;
            var params = mapper.createObjectNode().put("report", "sales-daily").put("period", "previous-day");
            reportEmail.ifPresent(to -> params.put("emailTo", to));
            add("nightly-sales-report", "0 0 2 * * ?", "report", params.toString());
            add("daily-purge", "0 30 3 * * ?", "purge", "{}");
            LOG.info("added the default schedules nightly-sales-report and daily-purge");
        });
    }

    private void add(String name, String cron, String kind, String params) {
        em.createNativeQuery("""
                insert into longhaul.schedule (id, name, cron, timezone, job_kind, job_params, misfire, overlap, enabled,
                    created_at, updated_at, version)
                values (?1, ?2, ?3, 'UTC', ?4, cast(?5 as jsonb), 'fireOnce', 'skip', true, ?6, ?6, 1)
                on conflict (tenant, name) do nothing""")
                .setParameter(1, JobIds.next(clock)).setParameter(2, name).setParameter(3, cron)
                .setParameter(4, kind).setParameter(5, params).setParameter(6, clock.instant())
                .executeUpdate();
    }
}
