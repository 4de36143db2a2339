-- +goose Up
-- On PostgreSQL, 0021 stores the parts of kept uploads uncompressed.
-- SQLite never compresses a value, so nothing changes here.
SELECT 1;

-- +goose Down
-- Forward-only: migrations are never rolled back.
