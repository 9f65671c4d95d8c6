-- The job table: one row per job, typed columns for everything that is queried,
-- jsonb only for the user's parameters, the checkpoint and the result.
CREATE TABLE job (
    id               uuid PRIMARY KEY,
    kind             text        NOT NULL CHECK (kind ~ '^[a-z][a-z0-9-]{0,63}$'),
    queue            text        NOT NULL CHECK (queue ~ '^[a-z][a-z0-9-]{0,63}$'),
    priority         smallint    NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 9),
    state            text        NOT NULL
        CONSTRAINT job_state_known
        CHECK (state IN ('SCHEDULED', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    params           jsonb       NOT NULL DEFAULT '{}'::jsonb,
    attempt          integer     NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    max_attempts     integer     NOT NULL DEFAULT 5 CHECK (max_attempts BETWEEN 1 AND 100),
    run_at           timestamptz NOT NULL,
    created_at       timestamptz NOT NULL,
    enqueued_at      timestamptz,
    started_at       timestamptz,
    finished_at      timestamptz,
    lease_owner      text,
    lease_token      uuid,
    lease_expires_at timestamptz,
    cancel_requested boolean     NOT NULL DEFAULT false,
    progress_done    bigint      NOT NULL DEFAULT 0,
    progress_total   bigint,
    progress_unit    text,
    progress_rate    double precision,
    checkpoint       jsonb,
    result           jsonb,
    error            text,
    idempotency_key  text,
    request_hash     text,
    -- true from commit until RabbitMQ confirmed the message; the republisher sends what is left
    to_publish       boolean     NOT NULL DEFAULT false,
    version          bigint      NOT NULL DEFAULT 0,
    CONSTRAINT job_idempotency_key_unique UNIQUE (idempotency_key),
    -- a running job always has an owner; no other state has one
    CONSTRAINT job_lease_iff_running CHECK ((state = 'RUNNING') = (lease_token IS NOT NULL)),
    CONSTRAINT job_finished_has_time CHECK (
        (state IN ('SUCCEEDED', 'FAILED', 'CANCELLED')) = (finished_at IS NOT NULL))
);

-- listing: newest first, by state or by kind (ids are UUIDv7, so id order is creation order)
CREATE INDEX job_state_id_idx ON job (state, id);
CREATE INDEX job_kind_id_idx ON job (kind, id);
-- the republisher: committed but not yet confirmed by RabbitMQ
CREATE INDEX job_to_publish_idx ON job (enqueued_at) WHERE to_publish;
-- promotion of due scheduled jobs (runAt, retry backoff)
CREATE INDEX job_scheduled_run_at_idx ON job (run_at) WHERE state = 'SCHEDULED';
-- rescue of running jobs whose lease expired
CREATE INDEX job_running_lease_idx ON job (lease_expires_at) WHERE state = 'RUNNING';

-- The history of a job: claims, slices, rescues, errors. Append-only.
CREATE TABLE job_event (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id  uuid        NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    at      timestamptz NOT NULL,
    type    text        NOT NULL,
    attempt integer     NOT NULL,
    worker  text,
    detail  text
);
CREATE INDEX job_event_job_idx ON job_event (job_id, id);
