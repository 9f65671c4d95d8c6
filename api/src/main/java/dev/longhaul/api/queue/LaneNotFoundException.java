package dev.longhaul.api.queue;

import dev.longhaul.core.message.Lanes;

/** No lane has this name. */
public class LaneNotFoundException extends RuntimeException {
    public LaneNotFoundException(String name) {
        super("no lane named '" + name + "'; lanes: " + Lanes.ALL);
    }
}
