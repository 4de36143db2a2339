-- +goose Up
-- The primary key of the bulk observation tables leads with the upload:
-- (upload_id, id). An id is still unique on its own (its sequence makes
-- it), but one index now finds both a row and an upload's rows, in file
-- order, where two did; an imported row costs one index entry fewer.
-- Measured on a COPY of 100,000 consumption rows: 1.03 s against 1.26 s.
-- A row is found again by (upload_id, id) (store.rowKey).
ALTER TABLE consumption DROP CONSTRAINT consumption_pkey, ADD PRIMARY KEY (upload_id, id);
DROP INDEX IF EXISTS consumption_upload;
ALTER TABLE estimates DROP CONSTRAINT estimates_pkey, ADD PRIMARY KEY (upload_id, id);
DROP INDEX IF EXISTS estimates_upload;
ALTER TABLE population DROP CONSTRAINT population_pkey, ADD PRIMARY KEY (upload_id, id);
DROP INDEX IF EXISTS population_upload;
ALTER TABLE deaths DROP CONSTRAINT deaths_pkey, ADD PRIMARY KEY (upload_id, id);
DROP INDEX IF EXISTS deaths_upload;

-- +goose Down
-- Forward-only: migrations are never rolled back.
