-- +goose Up
-- Keys may expire; a rotated key records the key that replaced it.
ALTER TABLE api_keys ADD COLUMN expires_at TIMESTAMPTZ;
ALTER TABLE api_keys ADD COLUMN replaced_by BIGINT;

-- +goose Down
-- Forward-only: migrations are never rolled back.
