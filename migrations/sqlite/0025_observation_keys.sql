-- +goose Up
-- On PostgreSQL, 0025 makes (upload_id, id) the primary key of the bulk
-- observation tables in place of an id key and an upload index. On SQLite
-- the id is the rowid, which every index holds already: the upload index
-- finds an upload's rows in id order, and nothing changes here.
SELECT 1;

-- +goose Down
-- Forward-only: migrations are never rolled back.
