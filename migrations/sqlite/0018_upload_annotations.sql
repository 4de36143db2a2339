-- +goose Up
-- The annotated workbook of an upload (its cells coloured by problem),
-- built once and served from here; removed with the upload's bytes by
-- retention.
CREATE TABLE upload_annotations (
    upload_id  INTEGER PRIMARY KEY REFERENCES uploads (id) ON DELETE CASCADE,
    size       INTEGER NOT NULL,
    data       BLOB NOT NULL,
    created_at DATETIME NOT NULL
);

-- +goose Down
-- Forward-only: migrations are never rolled back.
