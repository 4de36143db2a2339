-- +goose Up
-- Published rows are superseded, never overwritten: each observation row
-- records the data version that published it and the one that withdrew it,
-- so figures can be answered as they were at any data version. Rows active
-- before this migration count as published at version 1; rows that were
-- never published keep published_in NULL.
ALTER TABLE consumption ADD COLUMN published_in BIGINT;
ALTER TABLE consumption ADD COLUMN withdrawn_in BIGINT;
ALTER TABLE estimates ADD COLUMN published_in BIGINT;
ALTER TABLE estimates ADD COLUMN withdrawn_in BIGINT;
ALTER TABLE population ADD COLUMN published_in BIGINT;
ALTER TABLE population ADD COLUMN withdrawn_in BIGINT;
ALTER TABLE deaths ADD COLUMN published_in BIGINT;
ALTER TABLE deaths ADD COLUMN withdrawn_in BIGINT;
ALTER TABLE country_metadata ADD COLUMN published_in BIGINT;
ALTER TABLE country_metadata ADD COLUMN withdrawn_in BIGINT;
UPDATE consumption SET published_in = 1 WHERE active;
UPDATE estimates SET published_in = 1 WHERE active;
UPDATE population SET published_in = 1 WHERE active;
UPDATE deaths SET published_in = 1 WHERE active;
UPDATE country_metadata SET published_in = 1 WHERE active;

-- +goose Down
-- Forward-only: migrations are never rolled back.
