-- Artifacts: job output stored in PostgreSQL, so any api instance can serve any artifact. A file
-- is a sequence of parts, one per chunk, each written in the chunk's own transaction together
-- with the job's checkpoint; the checkpoint names the next part, so a resumed job continues the
-- file exactly where the last commit left it.
CREATE TABLE artifact (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id       uuid        NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    name         text        NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$'),
    content_type text        NOT NULL,
    size         bigint      NOT NULL DEFAULT 0,
    sha256       text,
    complete     boolean     NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL,
    CONSTRAINT artifact_job_name_unique UNIQUE (job_id, name)
);
CREATE INDEX artifact_created_idx ON artifact (created_at);

CREATE TABLE artifact_part (
    artifact_id bigint  NOT NULL REFERENCES artifact (id) ON DELETE CASCADE,
    seq         integer NOT NULL,
    data        bytea   NOT NULL,
    PRIMARY KEY (artifact_id, seq)
);
-- parts are already compact (or gzipped); storing them uncompressed saves the CPU of pglz
ALTER TABLE artifact_part ALTER COLUMN data SET STORAGE EXTERNAL;

-- Partial aggregates of a running report, merged per chunk in the chunk's transaction.
CREATE TABLE report_partial (
    job_id uuid   NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    bucket text   NOT NULL,
    dim    text   NOT NULL,
    n      bigint NOT NULL,
    total  bigint NOT NULL,
    PRIMARY KEY (job_id, bucket, dim)
);

-- The demo shop: the first dataset, and what the benchmarks walk.
CREATE SCHEMA IF NOT EXISTS shop;

CREATE TABLE shop.customers (
    id         bigint PRIMARY KEY,
    email      text        NOT NULL UNIQUE,
    name       text        NOT NULL,
    country    char(2)     NOT NULL,
    created_at timestamptz NOT NULL,
    status     text        NOT NULL CHECK (status IN ('active', 'inactive', 'blocked'))
);

CREATE TABLE shop.orders (
    id          bigint PRIMARY KEY,
    customer_id bigint      NOT NULL REFERENCES shop.customers (id),
    created_at  timestamptz NOT NULL,
    status      text        NOT NULL CHECK (status IN ('pending', 'paid', 'shipped', 'cancelled', 'refunded')),
    total_cents bigint      NOT NULL CHECK (total_cents >= 0),
    currency    char(3)     NOT NULL,
    note        text
);
CREATE INDEX orders_customer_idx ON shop.orders (customer_id);
CREATE INDEX orders_created_idx ON shop.orders (created_at);
