-- One row per (campaign job, segment row), written and committed before the email is handed to
-- SMTP. A resumed campaign skips every row that has one, so no row is ever mailed twice. A row
-- left 'sending' by a crash may or may not have gone out; it is reported, never resent.
CREATE TABLE email_delivery (
    job_id    uuid        NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    row_key   text        NOT NULL,
    recipient text        NOT NULL,
    state     text        NOT NULL CHECK (state IN ('sending', 'sent', 'failed')),
    error     text,
    at        timestamptz NOT NULL,
    PRIMARY KEY (job_id, row_key)
);
