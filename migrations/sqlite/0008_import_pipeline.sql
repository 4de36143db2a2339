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

-- +goose Down
-- Forward-only: migrations are never rolled back.
