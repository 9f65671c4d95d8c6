package dev.longhaul.api.schedule;

import dev.longhaul.api.job.SubmitRequest;
import dev.longhaul.api.access.Caller;
import dev.longhaul.api.job.JobService;
import dev.longhaul.core.sql.DatabaseErrors;
import dev.longhaul.core.dispatch.JobPublisher;
import dev.longhaul.core.dispatch.JobRef;
import dev.longhaul.core.job.Job;
import dev.longhaul.core.job.JobIds;
import dev.longhaul.core.job.JobSpec;
import dev.longhaul.core.job.JobStore;
import dev.longhaul.core.kind.FieldError;
import dev.longhaul.core.kind.InvalidRequestException;
import dev.longhaul.core.schedule.Crons;
import dev.longhaul.core.schedule.Schedule;
import dev.longhaul.core.tenant.Scope;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.UUID;

/** Creating, changing, deleting and triggering schedules. The scheduler app picks changes up. */
@ApplicationScoped
public class ScheduleService {
    /** The longest cron Quartz stores (its trigger table's column). */
    static final int MAX_CRON = 120;

    @Inject
    EntityManager em;
    @Inject
    JobService jobs;
    @Inject
    JobStore store;
    @Inject
    JobPublisher publisher;
    @Inject
    Clock clock;
    @Inject
    Caller caller;

    public Schedule create(ScheduleRequest request) {
        Valid v = validate(request);
        Schedule schedule = new Schedule(JobIds.next(clock), caller.tenant(), clock.instant());
        apply(schedule, request, v);
        try {
            // flushed inside the transaction, so a taken name fails here as a constraint violation
            QuarkusTransaction.requiringNew().run(() -> {
                em.persist(schedule);
                em.flush();
            });
        } catch (RuntimeException e) {
            throw nameTakenOr(request.name(), e);
        }
        return schedule;
    }

    public Schedule replace(String id, ScheduleRequest request) {
        Valid v = validate(request);
        UUID uuid = parse(id);
        try {
            return QuarkusTransaction.requiringNew().call(() -> {
                Schedule schedule = em.find(Schedule.class, uuid);
                if (schedule == null || !caller.scope().includes(schedule.tenant())) throw new ScheduleNotFoundException(id);
                apply(schedule, request, v);
                em.flush();
                return schedule;
            });
        } catch (RuntimeException e) {
            throw nameTakenOr(request.name(), e);
        }
    }

    public void delete(String id) {
        UUID uuid = parse(id);
        Scope scope = caller.scope();
        int rows = QuarkusTransaction.requiringNew().call(() -> scope.bind(em.createQuery(
                "delete from Schedule where id = :id and " + Scope.predicate("tenant")).setParameter("id", uuid)).executeUpdate());
        if (rows == 0) throw new ScheduleNotFoundException(id);
    }

    public Schedule get(String id) {
        UUID uuid = parse(id);
        Schedule schedule = QuarkusTransaction.requiringNew().call(() -> em.find(Schedule.class, uuid));
        // another tenant's schedule is as absent as a missing one
        if (schedule == null || !caller.scope().includes(schedule.tenant())) throw new ScheduleNotFoundException(id);
        return schedule;
    }

    /**
     * A page of the caller's schedules (an admin's: every tenant's), by name and then id (names
     * are unique per tenant only), after the schedule named {@code afterName} with id {@code afterId}.
     */
    public List<Schedule> list(String afterName, UUID afterId, int limit) {
        Scope scope = caller.scope();
        String after = afterName == null ? "" : " and (name > :name or (name = :name and id > :id))";
        return QuarkusTransaction.requiringNew().call(() -> {
            var query = scope.bind(em.createQuery(
                    "from Schedule where " + Scope.predicate("tenant") + after + " order by name, id", Schedule.class));
            if (afterName != null) query.setParameter("name", afterName).setParameter("id", afterId);
            return query.setMaxResults(limit).getResultList();
        });
    }

    public ScheduleView view(Schedule s) {
        return views(List.of(s)).getFirst();
    }

    /** Schedules with their next fire times, and their last runs read in one query. */
    public List<ScheduleView> views(List<Schedule> schedules) {
        Map<UUID, ScheduleView.LastRun> last = new HashMap<>();
        if (!schedules.isEmpty()) {
            List<?> rows = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery("""
                    select distinct on (schedule_id) schedule_id, scheduled_for, outcome, job_id, at, catch_up, manual
                    from longhaul.schedule_run where schedule_id in (?1)
                    order by schedule_id, scheduled_for desc""")
                    .setParameter(1, schedules.stream().map(Schedule::id).toList()).getResultList());
            for (Object row : rows) {
                Object[] r = (Object[]) row;
                last.put((UUID) r[0], new ScheduleView.LastRun(instant(r[1]), (String) r[2], (UUID) r[3], instant(r[4]),
                        (Boolean) r[5], (Boolean) r[6]));
            }
        }
        Instant now = clock.instant();
        return schedules.stream().map(s -> ScheduleView.of(s,
                s.enabled() ? Crons.next(Crons.parse(s.cron(), s.timezone()), now, 5) : List.of(),
                last.get(s.id()))).toList();
    }

    /** Turns the schedule on or off, changing nothing else (the dashboard's switch). */
    public Schedule setEnabled(String id, boolean enabled) {
        Schedule s = get(id);
        return replace(id, new ScheduleRequest(s.name(), s.cron(), s.timezone(), template(s), s.misfire().name(),
                s.overlap().name(), enabled));
    }

    /**
     * The latest {@code perSchedule} runs of each schedule, newest first, read in one query: the
     * slots it fired, skipped or missed, its catch-ups and its manual runs.
     */
    public Map<UUID, List<ScheduleView.LastRun>> recentRuns(List<Schedule> schedules, int perSchedule) {
        Map<UUID, List<ScheduleView.LastRun>> runs = new HashMap<>();
        if (schedules.isEmpty()) return runs;
        List<?> rows = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery("""
                select s.id, r.scheduled_for, r.outcome, r.job_id, r.at, r.catch_up, r.manual
                from longhaul.schedule s
                cross join lateral (select * from longhaul.schedule_run where schedule_id = s.id
                                    order by scheduled_for desc limit ?2) r
                where s.id in (?1)
                order by s.id, r.scheduled_for desc""")
                .setParameter(1, schedules.stream().map(Schedule::id).toList())
                .setParameter(2, perSchedule).getResultList());
        for (Object row : rows) {
            Object[] r = (Object[]) row;
            runs.computeIfAbsent((UUID) r[0], k -> new ArrayList<>()).add(new ScheduleView.LastRun(instant(r[1]),
                    (String) r[2], (UUID) r[3], instant(r[4]), (Boolean) r[5], (Boolean) r[6]));
        }
        return runs;
    }

    /**
     * Fires the schedule now, as a run of its own, named by its time to the microsecond and never
     * a whole second, so it never takes a cron slot; the job is returned once committed.
     */
    public Job trigger(String id) {
        Schedule schedule = get(id);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Instant slot = now.getNano() == 0 ? now.plus(1, ChronoUnit.MICROS) : now;
        JobSpec spec = jobs.validate(template(schedule), null, "job");
        Job job = Job.forSlot(spec, schedule.id(), slot, schedule.tenant(), clock);
        QuarkusTransaction.requiringNew().run(() -> {
            store.insert(job);
            em.flush();
            em.createNativeQuery("""
                    insert into longhaul.schedule_run (schedule_id, scheduled_for, outcome, job_id, at, manual)
                    values (?1, ?2, 'created', ?3, ?4, true)""")
                    .setParameter(1, schedule.id()).setParameter(2, slot).setParameter(3, job.id())
                    .setParameter(4, clock.instant()).executeUpdate();
        });
        publisher.publishLater(List.of(new JobRef(job.id(), job.queue(), job.traceParent())));
        return job;
    }

    private static SubmitRequest template(Schedule s) {
        return new SubmitRequest(s.jobKind(), s.jobParams(), s.jobQueue(), null, null, null, null);
    }

    private record Valid(Schedule.Misfire misfire, Schedule.Overlap overlap, JobSpec spec) {
    }

    private Valid validate(ScheduleRequest request) {
        List<FieldError> errors = new ArrayList<>();
        if (request.name() == null || request.name().isBlank() || request.name().length() > 200) {
            errors.add(new FieldError("name", "is required, 1 to 200 characters"));
        }
        if (request.cron() != null && request.cron().length() > MAX_CRON) {
            errors.add(new FieldError("cron", "is " + request.cron().length() + " characters long; at most " + MAX_CRON));
        } else {
            try {
                var cron = Crons.parse(request.cron(), request.timezone());
                if (Crons.next(cron, clock.instant(), 1).isEmpty()) {
                    errors.add(new FieldError("cron", "never fires after now: '" + request.cron() + "'"));
                }
            } catch (InvalidRequestException e) {
                errors.addAll(e.errors());
            }
        }
        JobSpec spec = null;
        if (request.job() == null) {
            errors.add(new FieldError("job", "is required: {kind, params}"));
        } else if (request.job().runAt() != null) {
            errors.add(new FieldError("job.runAt", "is not allowed: the cron decides when the job runs"));
        } else {
            try {
                spec = jobs.validate(request.job(), null, "job");
            } catch (InvalidRequestException e) {
                errors.addAll(e.errors());
            }
        }
        Schedule.Misfire misfire = Schedule.Misfire.fireOnce;
        if (request.misfire() != null) {
            try {
                misfire = Schedule.Misfire.valueOf(request.misfire());
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("misfire", "'" + request.misfire() + "' is not one of fireOnce, skip"));
            }
        }
        Schedule.Overlap overlap = Schedule.Overlap.skip;
        if (request.overlap() != null) {
            try {
                overlap = Schedule.Overlap.valueOf(request.overlap());
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("overlap", "'" + request.overlap() + "' is not one of skip, allow"));
            }
        }
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
        return new Valid(misfire, overlap, spec);
    }

    private void apply(Schedule schedule, ScheduleRequest request, Valid v) {
        schedule.define(request.name().trim(), request.cron().trim(), request.timezone().trim(), v.spec().kind(),
                v.spec().params(), request.job().queue(), v.misfire(), v.overlap(),
                request.enabled() == null || request.enabled(), clock.instant());
    }

    /**
     * The schedule name unique per tenant was taken (also by a request racing this one): a 400
     * naming the field; any other failure is rethrown as it is.
     */
    private static RuntimeException nameTakenOr(String name, RuntimeException e) {
        return DatabaseErrors.has(e, "23505")
                ? new InvalidRequestException("name", "a schedule named '" + name + "' already exists")
                : e;
    }

    private static UUID parse(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new ScheduleNotFoundException(id);
        }
    }

    private static Instant instant(Object value) {
        return value instanceof java.sql.Timestamp t ? t.toInstant() : (Instant) value;
    }
}
