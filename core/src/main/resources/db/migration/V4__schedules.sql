-- Recurring jobs. A schedule fires on a Quartz cron in its time zone; every slot it fires for is
-- recorded once in schedule_run (primary key: schedule, slot), and a job made for a slot carries
-- the same key, unique: however many scheduler instances run, or however often Quartz fires, a
-- slot yields at most one job.
CREATE TABLE schedule (
    id          uuid PRIMARY KEY,
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    cron        text        NOT NULL,
    timezone    text        NOT NULL,
    job_kind    text        NOT NULL,
    job_params  jsonb       NOT NULL DEFAULT '{}'::jsonb,
    job_queue   text,
    misfire     text        NOT NULL CHECK (misfire IN ('fireOnce', 'skip')),
    overlap     text        NOT NULL CHECK (overlap IN ('skip', 'allow')),
    enabled     boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     bigint      NOT NULL DEFAULT 0,
    CONSTRAINT schedule_name_unique UNIQUE (name)
);

CREATE TABLE schedule_run (
    schedule_id   uuid        NOT NULL REFERENCES schedule (id) ON DELETE CASCADE,
    scheduled_for timestamptz NOT NULL,
    outcome       text        NOT NULL CHECK (outcome IN ('created', 'skipped-overlap', 'skipped-misfire')),
    job_id        uuid,
    at            timestamptz NOT NULL,
    PRIMARY KEY (schedule_id, scheduled_for)
);

ALTER TABLE job ADD COLUMN schedule_id uuid;
ALTER TABLE job ADD COLUMN scheduled_for timestamptz;
ALTER TABLE job ADD CONSTRAINT job_schedule_slot CHECK ((schedule_id IS NULL) = (scheduled_for IS NULL));
CREATE UNIQUE INDEX job_schedule_slot_unique ON job (schedule_id, scheduled_for) WHERE schedule_id IS NOT NULL;
CREATE INDEX job_schedule_id_idx ON job (schedule_id, id) WHERE schedule_id IS NOT NULL;

-- One-time facts about this installation, e.g. that the default schedules were seeded.
CREATE TABLE setting (
    key   text PRIMARY KEY,
    value text        NOT NULL,
    at    timestamptz NOT NULL
);
