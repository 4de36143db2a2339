-- +goose Up
-- Browser sessions of the ministry and administrator pages: an API key is
-- entered once and exchanged for a random token kept in a cookie. Only the
-- token's SHA-256 is stored; csrf is the token forms echo back.
CREATE TABLE web_sessions (
    hash       TEXT PRIMARY KEY,
    key_id     INTEGER NOT NULL REFERENCES api_keys(id),
    csrf       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX web_sessions_expires_at ON web_sessions (expires_at);

-- +goose Down
-- Forward-only: migrations are never rolled back.
