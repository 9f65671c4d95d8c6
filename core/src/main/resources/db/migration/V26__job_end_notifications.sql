-- A job that reaches an end state (SUCCEEDED, FAILED, CANCELLED) announces it on the channel
-- longhaul_job_ended, its id as the payload, when its transaction commits: the api answers a
-- GET /api/jobs/{id}?wait=N the moment the job ends instead of being polled. A trigger, so that
-- every way a job ends (a worker, a cancel, the sweeper, a dependency) announces it. The WHEN
-- clause is evaluated per updated row without calling the function, so other updates pay nothing
-- but the test.
CREATE FUNCTION longhaul.job_ended_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('longhaul_job_ended', NEW.id::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER job_ended_notify
    AFTER UPDATE OF state ON longhaul.job
    FOR EACH ROW
    WHEN (NEW.state IN ('SUCCEEDED', 'FAILED', 'CANCELLED') AND OLD.state IS DISTINCT FROM NEW.state)
    EXECUTE FUNCTION longhaul.job_ended_notify();
