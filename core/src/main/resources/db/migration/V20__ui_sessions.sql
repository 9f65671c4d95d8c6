-- Dashboard sessions. Signing in at /ui/login with an API key makes a row; the browser holds only a
-- random token (in an HttpOnly, SameSite=Strict cookie) whose sha256 is stored here. Each request
-- finds the row by that digest and re-checks its key, so revoking the key ends its sessions.
CREATE TABLE ui_session (
    token_hash bytea PRIMARY KEY,
    key_id     uuid        NOT NULL REFERENCES api_key (id) ON DELETE CASCADE,
    -- every state-changing form of the session carries this token
    csrf       text        NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX ui_session_expires_idx ON ui_session (expires_at);

-- The dashboard's charts count the jobs that finished per minute, and its run times read the
-- recent ones: both by finish time, answered from the index alone for the counts.
CREATE INDEX job_finished_at_idx ON job (finished_at, state) WHERE finished_at IS NOT NULL;
