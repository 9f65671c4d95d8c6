package dev.longhaul.api.schedule;

/** No schedule has this id. */
public class ScheduleNotFoundException extends RuntimeException {
    public ScheduleNotFoundException(String id) {
        super("no schedule with id " + id);
    }
}
