package dev.longhaul.core.job;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

/**
 * Job ids are UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, a 12-bit sequence, then random
 * bits. Ids therefore sort by creation time, which lets the job list page by id alone and keeps the
 * primary-key index append-mostly. Within one process ids are strictly increasing, also inside one
 * millisecond (the sequence counts up from a random start, and borrows the next millisecond when it
 * runs out); across processes they are ordered to the millisecond.
 */
public final class JobIds {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static long lastMillis;
    private static int sequence;

    private JobIds() {
    }

    public static UUID next(Clock clock) {
        long millis;
        int seq;
        synchronized (JobIds.class) {
            millis = Math.max(clock.millis(), lastMillis);
            if (millis == lastMillis) {
                sequence++;
                if (sequence > 0xFFF) {
                    millis++;
                    sequence = RANDOM.nextInt(0x800);
                }
            } else {
                sequence = RANDOM.nextInt(0x800);
            }
            lastMillis = millis;
            seq = sequence;
        }
        long high = (millis << 16) | 0x7000L | seq;
        long low = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low);
    }

    /**
     * The lowest id a job created at {@code at} can have: ids sort by creation time, so a time range
     * is an id range.
     */
    public static UUID floor(Instant at) {
        return new UUID((at.toEpochMilli() << 16) | 0x7000L, 0x8000000000000000L);
    }
}
