-- Flow control per lane, shared by every worker: a paused lane starts nothing, a concurrency limit
-- caps the lane's RUNNING jobs across the cluster, a rate limit its starts per second (a token
-- bucket, refilled as claims read it). A lane without a row has no controls.
CREATE TABLE lane_control (
    lane            text             PRIMARY KEY CHECK (lane ~ '^[a-z][a-z0-9-]{0,63}$'),
    paused          boolean          NOT NULL DEFAULT false,
    concurrency     integer          CHECK (concurrency BETWEEN 1 AND 100000),
    rate_per_second double precision CHECK (rate_per_second > 0 AND rate_per_second <= 1000000),
    tokens          double precision NOT NULL DEFAULT 0,
    refilled_at     timestamptz      NOT NULL DEFAULT now(),
    updated_at      timestamptz      NOT NULL DEFAULT now()
);

-- the claim picks a lane's next jobs by priority, then age
CREATE INDEX job_queued_priority_idx ON job (queue, priority DESC, id) WHERE state = 'QUEUED';
