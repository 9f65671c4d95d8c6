package dev.longhaul.api.queue;

import dev.longhaul.core.dispatch.LaneWaker;
import dev.longhaul.core.job.LaneControls;
import dev.longhaul.core.kind.FieldError;
import dev.longhaul.core.kind.InvalidRequestException;
import dev.longhaul.core.message.Lanes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Changes a lane's controls, from the API or the dashboard, with the same checks. */
@ApplicationScoped
public class LaneSettings {
    static final int MAX_CONCURRENCY = 100_000;
    static final double MAX_RATE = 1_000_000;

    @Inject
    LaneControls controls;
    @Inject
    LaneWaker waker;

    /** The lane's controls now; a 404 for a name that is no lane. */
    public LaneControls.Control current(String lane) {
        if (!Lanes.ALL.contains(lane)) throw new LaneNotFoundException(lane);
        return controls.current(lane);
    }

    /** Every lane's controls now, in one read. */
    public List<LaneControls.Control> all() {
        return controls.current();
    }

    public LaneControls.Control paused(String lane, boolean paused) throws SQLException {
        LaneControls.Control now = current(lane);
        return set(new LaneControls.Control(lane, paused, now.concurrency(), now.ratePerSecond()));
    }

    /** Sets both limits (null: none), or refuses them naming each bad one. */
    public LaneControls.Control limits(String lane, Integer concurrency, Double ratePerSecond) throws SQLException {
        LaneControls.Control now = current(lane);
        List<FieldError> errors = new ArrayList<>();
        if (concurrency != null && (concurrency < 1 || concurrency > MAX_CONCURRENCY)) {
            errors.add(new FieldError("concurrency", "must be a whole number from 1 to " + MAX_CONCURRENCY + ", or null"));
        }
        if (ratePerSecond != null && !(ratePerSecond > 0 && ratePerSecond <= MAX_RATE)) {
            errors.add(new FieldError("ratePerSecond", "must be a number above 0 and at most " + (long) MAX_RATE + ", or null"));
        }
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
        return set(new LaneControls.Control(lane, now.paused(), concurrency, ratePerSecond));
    }

    private LaneControls.Control set(LaneControls.Control control) throws SQLException {
        controls.set(control);
        // room may have opened: wake workers for the lane's waiting jobs at once
        if (!control.paused()) {
            waker.wake(control.lane(), control.concurrency() != null ? Math.min(control.concurrency(), 1000) : 1000);
        }
        return control;
    }
}
