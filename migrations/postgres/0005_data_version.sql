-- +goose Up
-- One monotonic data version for the whole database: every publication,
-- factor-table version and setting change adds a row, and figures carry the
-- latest version as data_version (HTTP ETags derive from it). Rows are never
-- updated or deleted.
CREATE TABLE data_versions (
    version    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reason     TEXT NOT NULL,
    upload_id  BIGINT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO data_versions (reason) VALUES ('schema');

-- +goose Down
-- Forward-only: migrations are never rolled back.
