package dev.longhaul.api.job;

/** The job has no complete artifact of that name (it may still be running). */
public class ArtifactNotFoundException extends RuntimeException {
    public ArtifactNotFoundException(String jobId, String name) {
        super("job " + jobId + " has no complete artifact named '" + name + "'");
    }
}
