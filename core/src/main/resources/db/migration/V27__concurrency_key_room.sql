-- Whether a job of concurrency key k may start: k's advisory lock (held to the end of the claiming
-- transaction), then a count of k's running jobs. A claiming statement's own snapshot is taken
-- before it gets the lock, so a count there could miss a claim committed while it waited: two
-- claims of one key both counted 0 and both started (seen once in FlowControlE2ETest). In a
-- VOLATILE function each query takes a new snapshot under READ COMMITTED, so this count, made after
-- the lock, sees every claim of the key that committed before.
CREATE FUNCTION longhaul.concurrency_key_room(k text, key_limit integer) RETURNS boolean
    LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('longhaul.concurrency-key:' || k)) THEN
        RETURN false;
    END IF;
    RETURN (SELECT count(*) FROM longhaul.job r WHERE r.concurrency_key = k AND r.state = 'RUNNING') < key_limit;
END
$$;
