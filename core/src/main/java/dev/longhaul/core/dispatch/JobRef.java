package dev.longhaul.core.dispatch;

import java.util.UUID;

/** What the publisher needs of a job: its id and its lane. */
public record JobRef(UUID id, String queue) {
}
