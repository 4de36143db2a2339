-- +goose Up
-- A large upload's bytes are kept in parts of 1 MiB, written and read one
-- part at a time, so that neither storing nor re-reading a file holds all
-- of it in memory. upload_blobs.parts counts them; a blob with no parts
-- keeps its bytes in upload_blobs.data, as before.
ALTER TABLE upload_blobs ADD COLUMN parts INTEGER NOT NULL DEFAULT 0;
CREATE TABLE upload_blob_parts (
    sha256 TEXT NOT NULL REFERENCES upload_blobs (sha256),
    n      INTEGER NOT NULL,
    data   BLOB NOT NULL,
    PRIMARY KEY (sha256, n)
);

-- +goose Down
-- Forward-only: migrations are never rolled back.
