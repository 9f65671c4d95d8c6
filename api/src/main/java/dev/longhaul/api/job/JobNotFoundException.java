package dev.longhaul.api.job;

/** No job has this id (or the id is not even a UUID, so none could). */
public class JobNotFoundException extends RuntimeException {
    public JobNotFoundException(String id) {
        super("no job with id " + id);
    }
}
