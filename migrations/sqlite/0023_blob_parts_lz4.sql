-- +goose Up
-- On PostgreSQL, 0023 compresses the parts of kept uploads with lz4.
-- SQLite never compresses a value, so nothing changes here.
SELECT 1;

-- +goose Down
-- Forward-only: migrations are never rolled back.
