-- +goose Up
-- On PostgreSQL, 0022 lets connections take observation ids a thousand
-- at a time. SQLite has no sequences: nothing changes here.
SELECT 1;

-- +goose Down
-- Forward-only: migrations are never rolled back.
