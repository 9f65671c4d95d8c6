package dev.longhaul.api.job;

import java.util.UUID;

/** An {@code Idempotency-Key} was reused with a different request body. */
public class IdempotencyConflictException extends RuntimeException {
    public IdempotencyConflictException(String key, UUID existing) {
        super("Idempotency-Key '" + key + "' was already used for job " + existing
                + " with a different request; use a new key for a new job");
    }
}
