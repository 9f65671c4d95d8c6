package dev.longhaul.api.job;

/** A request body over the configured limit; nothing of it was acted on. */
public class BodyTooLargeException extends RuntimeException {
    public BodyTooLargeException(long limit) {
        super("the request body is larger than the limit of " + limit + " bytes");
    }
}
