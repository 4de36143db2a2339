-- +goose Up
-- On SQLite, 0024 makes the consumption table again to write its state
-- check as comparisons (an IN list cost SQLite a temporary index per row).
-- PostgreSQL compares an IN list in place: nothing changes here.
SELECT 1;

-- +goose Down
-- Forward-only: migrations are never rolled back.
