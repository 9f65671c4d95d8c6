-- Whether the next claim continues the current attempt: set when a worker hands a job back on
-- purpose (its slice ended, it drained on shutdown, or it snoozed), cleared by every claim. A
-- failure or an expired lease leaves it false, so the next claim is a new attempt.
ALTER TABLE job ADD COLUMN resume boolean NOT NULL DEFAULT false;

-- Workers report here on every heartbeat; GET /api/workers lists them.
CREATE TABLE worker (
    id          text PRIMARY KEY,
    host        text        NOT NULL,
    pid         bigint      NOT NULL,
    started_at  timestamptz NOT NULL,
    last_seen   timestamptz NOT NULL,
    concurrency integer     NOT NULL,
    running     integer     NOT NULL,
    draining    boolean     NOT NULL DEFAULT false
);
