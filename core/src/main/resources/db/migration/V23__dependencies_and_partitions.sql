-- Dependencies: a job submitted with dependsOn, a batch's `then` job, and a partitioned job's
-- parent wait in WAITING until the jobs they depend on have ended.
ALTER TABLE job DROP CONSTRAINT job_state_known;
ALTER TABLE job ADD CONSTRAINT job_state_known
    CHECK (state IN ('WAITING', 'SCHEDULED', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'));

-- one row per edge: job_id waits for depends_on. must_succeed: a dependency that fails or is
-- cancelled cancels the job (dependsOn); without it the job runs once every dependency has
-- ended, whatever its state (a batch's `then`, a partitioned job's parent).
CREATE TABLE job_dependency (
    job_id       uuid    NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    depends_on   uuid    NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    must_succeed boolean NOT NULL,
    PRIMARY KEY (job_id, depends_on),
    CONSTRAINT job_dependency_not_self CHECK (job_id <> depends_on)
);
-- a job that ends finds the jobs waiting for it
CREATE INDEX job_dependency_on_idx ON job_dependency (depends_on);
-- the sweeper's pass over waiting jobs
CREATE INDEX job_waiting_idx ON job (id) WHERE state = 'WAITING';

-- counts by state of a job's dependencies, written when they let it run: what a `then` job sees
ALTER TABLE job ADD COLUMN dependency_states jsonb;

-- Partitioned jobs: the parent asks for `partitions` children, each a key range of the same
-- kind and params; a child names its parent and its range ({index, of, after, upTo}).
ALTER TABLE job ADD COLUMN partitions smallint CHECK (partitions BETWEEN 2 AND 64);
ALTER TABLE job ADD COLUMN parent_id uuid REFERENCES job (id) ON DELETE CASCADE;
ALTER TABLE job ADD COLUMN partition jsonb;
ALTER TABLE job ADD CONSTRAINT job_partition_has_parent CHECK ((partition IS NULL) = (parent_id IS NULL));
CREATE INDEX job_parent_idx ON job (parent_id, id) WHERE parent_id IS NOT NULL;
