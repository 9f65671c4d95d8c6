package dev.longhaul.worker.run;

import dev.longhaul.core.dataset.Dataset;
import dev.longhaul.core.dataset.Filter;
import dev.longhaul.core.job.Job;
import java.util.List;

/**
 * A handler whose jobs may ask for {@code partitions}: its work is a keyset walk of one dataset,
 * so {@link Partitions} can split the walk's keys into ranges, run each range as a child job of
 * the same kind (whose {@link JobContext#partition()} names its range; the handler narrows its
 * filter with it), and hand the children to {@link #join} once they have all succeeded.
 */
public interface PartitionedHandler<P extends Record> extends JobHandler<P> {
    /** What the job walks: its dataset and filter, whose matching keys the partitions split. */
    Walk walk(P params);

    /**
     * Joins the children's work into the parent's result, in the parent's slice: the children are
     * given in key order, each {@code SUCCEEDED}. It may run again after a crash, so it must be
     * idempotent (commit its effects with the parent's checkpoint, or have none).
     */
    Outcome join(JobContext<P> parent, List<Job> children) throws Exception;

    /** A dataset and the filter of the rows a job walks. */
    record Walk(Dataset dataset, Filter filter) {
    }
}
