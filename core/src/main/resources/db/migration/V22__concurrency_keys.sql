-- Concurrency keys: jobs that share a key never run more than their limit at once, whatever the
-- number of workers (one customer's jobs in order, one report per account).
ALTER TABLE job ADD COLUMN concurrency_key text CHECK (length(concurrency_key) BETWEEN 1 AND 200);
ALTER TABLE job ADD COLUMN concurrency_limit integer CHECK (concurrency_limit BETWEEN 1 AND 1000);
ALTER TABLE job ADD CONSTRAINT job_concurrency_limit_needs_key CHECK (concurrency_limit IS NULL OR concurrency_key IS NOT NULL);
-- the claim counts a key's running jobs; a job that ends wakes the key's next one
CREATE INDEX job_concurrency_key_idx ON job (concurrency_key, state) WHERE concurrency_key IS NOT NULL;
