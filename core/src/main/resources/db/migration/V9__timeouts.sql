-- How long one attempt of a job may run, in seconds; null means its kind's default. The clock of
-- an attempt starts at the claim that begins it (slices of the same attempt do not restart it).
ALTER TABLE job ADD COLUMN timeout_seconds integer CHECK (timeout_seconds BETWEEN 1 AND 604800);
ALTER TABLE job ADD COLUMN attempt_started_at timestamptz;
