-- +goose Up
-- Retention: the bytes of old dry runs and rejected uploads are removed
-- (the upload rows and the audit log stay); pruned_at says when.
ALTER TABLE upload_blobs ADD COLUMN pruned_at TIMESTAMPTZ;
CREATE INDEX uploads_status_received ON uploads (status, received_at);

-- +goose Down
-- Forward-only: migrations are never rolled back.
