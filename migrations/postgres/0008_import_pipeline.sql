-- +goose Up
-- Supplementary estimates are numbered (1, 2, … within a country and year);
-- an annual estimate is number 0. Each supplementary adds to the annual one,
-- and a re-upload of supplementary n replaces only supplementary n.
ALTER TABLE estimates ADD COLUMN number INTEGER NOT NULL DEFAULT 0;
UPDATE estimates SET number = 1 WHERE kind = 'supplementary';
DROP INDEX estimates_active;
CREATE UNIQUE INDEX estimates_active ON estimates (iso3, year, drug, kind, number) WHERE active;

-- An administrator's multi-country upload imported with --replace withdraws
-- the published rows it leaves out; without it, it withdraws nothing.
ALTER TABLE uploads ADD COLUMN replace_scope BOOLEAN NOT NULL DEFAULT FALSE;
-- The supplementary estimate number an upload's supplementary rows carry.
ALTER TABLE uploads ADD COLUMN supplement INTEGER NOT NULL DEFAULT 0;

-- Durable background work: a job is claimed by one process at a time
-- (FOR UPDATE SKIP LOCKED on PostgreSQL; on SQLite one job runs at a time
-- across every process). A running job whose lease has passed, or whose
-- owner process is gone, was interrupted and is resumed. Times are Unix
-- milliseconds, so that both dialects compare them alike.
CREATE TABLE jobs (
    id          BIGSERIAL PRIMARY KEY,
    kind        TEXT NOT NULL,
    ref         TEXT NOT NULL DEFAULT '',
    payload     TEXT NOT NULL DEFAULT '{}',
    status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    owner       TEXT NOT NULL DEFAULT '',
    lease_until BIGINT NOT NULL DEFAULT 0,
    run_after   BIGINT NOT NULL DEFAULT 0,
    progress    BIGINT NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    started_at  BIGINT NOT NULL DEFAULT 0,
    finished_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX jobs_status ON jobs (status, id);
CREATE INDEX jobs_ref ON jobs (ref);

-- +goose Down
-- Forward-only: migrations are never rolled back.
