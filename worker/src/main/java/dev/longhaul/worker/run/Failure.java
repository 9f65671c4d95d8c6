package dev.longhaul.worker.run;

/** Named failure outcomes a handler may throw. Any other exception is retryable. */
public final class Failure {
    private Failure() {
    }

    /** The job can never succeed (bad input, a missing resource): fail it without retrying. */
    public static class Discard extends RuntimeException {
        public Discard(String message) {
            super(message);
        }
    }
}
