-- +goose Up
-- On PostgreSQL, 0019 drops the row-by-row foreign keys of the
-- observation tables (imports check countries and drugs set-based before
-- copying a staged upload in). SQLite checks a foreign key in-process at
-- the cost of an index lookup, and cannot drop a constraint without
-- rebuilding the table, so its tables keep them.

-- An upload's rows are found by upload alone (publication of a submitted
-- upload, supersession); the key columns in these indexes were never used
-- and made every imported row's index entry wider and slower to insert.
DROP INDEX IF EXISTS consumption_upload;
CREATE INDEX consumption_upload ON consumption (upload_id);
DROP INDEX IF EXISTS estimates_upload;
CREATE INDEX estimates_upload ON estimates (upload_id);
DROP INDEX IF EXISTS population_upload;
CREATE INDEX population_upload ON population (upload_id);
DROP INDEX IF EXISTS deaths_upload;
CREATE INDEX deaths_upload ON deaths (upload_id);

-- +goose Down
-- Forward-only: migrations are never rolled back.
