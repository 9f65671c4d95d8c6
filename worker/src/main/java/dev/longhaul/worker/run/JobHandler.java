package dev.longhaul.worker.run;

import dev.longhaul.core.kind.KindSpec;

/**
 * Runs one kind of job. Implement it as a CDI bean in the worker; the built-in kinds are written
 * the same way and serve as examples.
 *
 * <p>{@link #run} is called for one slice of the job, on a virtual thread, outside any
 * transaction. It returns {@link Outcome.Done} when the job is complete, or
 * {@link Outcome.Continue} with a checkpoint when the slice deadline ({@link JobContext#sliceDeadline()})
 * has come: the job is then re-queued and the next slice, on any worker, starts from that
 * checkpoint. Throwing {@link Failure.Discard} fails the job at once; any other exception is retried
 * with backoff while attempts remain. A handler may be called concurrently for different jobs.
 *
 * @param <P> the kind's params record, already validated
 */
public interface JobHandler<P extends Record> {
    KindSpec<P> spec();

    Outcome run(JobContext<P> context) throws Exception;
}
