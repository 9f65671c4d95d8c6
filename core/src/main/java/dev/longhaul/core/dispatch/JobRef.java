package dev.longhaul.core.dispatch;

import java.util.UUID;

/** What the publisher needs of a job: its id, its lane and the traceparent its message carries (or null). */
public record JobRef(UUID id, String queue, String traceParent) {
    public JobRef(UUID id, String queue) {
        this(id, queue, null);
    }
}
