-- +goose Up
-- One monotonic data version for the whole database: every publication,
-- factor-table version and setting change adds a row, and figures carry the
-- latest version as data_version (HTTP ETags derive from it). Rows are never
-- updated or deleted.
CREATE TABLE data_versions (
    version    INTEGER PRIMARY KEY AUTOINCREMENT,
    reason     TEXT NOT NULL,
    upload_id  INTEGER,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO data_versions (reason) VALUES ('schema');

-- +goose Down
-- Forward-only: migrations are never rolled back.
