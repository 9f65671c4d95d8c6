-- Access control. Every API key belongs to a tenant and carries roles; only the sha256 of its secret
-- is stored, and a key is found by that hash. A tenant's jobs, schedules and uploads carry its
-- name, and a key sees only its own tenant's rows (artifacts and events through their job).
CREATE TABLE api_key (
    id          uuid PRIMARY KEY,
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    tenant      text        NOT NULL CHECK (tenant ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    roles       text[]      NOT NULL CHECK (roles <@ ARRAY['read', 'submit', 'operate', 'admin'] AND cardinality(roles) > 0),
    -- optional allow-lists narrowing what the key may submit; null means no narrowing
    kinds       text[],
    datasets    text[],
    -- the key's first characters (its public id part), so people can tell keys apart; never secret
    prefix      text,
    secret_hash bytea       NOT NULL,
    created_at  timestamptz NOT NULL,
    created_by  uuid,
    revoked_at  timestamptz,
    CONSTRAINT api_key_secret_hash_unique UNIQUE (secret_hash)
);

-- One row per state-changing request: who (tenant, key), what (action, target) and how it ended
-- (the HTTP status). Never a secret, never the request's params.
CREATE TABLE audit (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      timestamptz NOT NULL,
    tenant  text,
    key_id  uuid,
    action  text        NOT NULL,
    target  text,
    outcome integer     NOT NULL
);

ALTER TABLE job ADD COLUMN tenant text NOT NULL DEFAULT 'default';
ALTER TABLE job ADD COLUMN submitted_by uuid;
-- idempotency keys are the client's, so they are unique per tenant
ALTER TABLE job DROP CONSTRAINT job_idempotency_key_unique;
ALTER TABLE job ADD CONSTRAINT job_idempotency_key_unique UNIQUE (tenant, idempotency_key);
-- a tenant's list, newest first
CREATE INDEX job_tenant_id_idx ON job (tenant, id);

ALTER TABLE schedule ADD COLUMN tenant text NOT NULL DEFAULT 'default';
ALTER TABLE schedule DROP CONSTRAINT schedule_name_unique;
ALTER TABLE schedule ADD CONSTRAINT schedule_name_unique UNIQUE (tenant, name);

ALTER TABLE upload ADD COLUMN tenant text NOT NULL DEFAULT 'default';
