package dev.longhaul.core.job;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/**
 * Job ids are UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids therefore
 * sort by creation time, which lets the job list page by id alone and keeps the primary-key index
 * append-mostly.
 */
public final class JobIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private JobIds() {
    }

    public static UUID next(Clock clock) {
        long millis = clock.millis();
        long rand = RANDOM.nextLong();
        long high = (millis << 16) | 0x7000L | ((rand >>> 52) & 0x0FFFL);
        long low = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low);
    }
}
