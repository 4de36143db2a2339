-- +goose Up
-- On PostgreSQL, 0019 drops the row-by-row foreign keys of the
-- observation tables (imports check countries and drugs set-based before
-- copying a staged upload in). SQLite checks a foreign key in-process at
-- the cost of an index lookup, and cannot drop a constraint without
-- rebuilding the table, so its tables keep them.
SELECT 1;

-- +goose Down
-- Forward-only: migrations are never rolled back.
