-- +goose Up
-- Scheduled report runs (internal/schedule). A schedule says when (a cron
-- spec read in its time zone), what (scope and target, the years: fixed or
-- the latest N with data, the need model) and how many runs to keep. A run
-- is claimed by inserting its (schedule_id, slot) row, which is unique, so
-- several serve processes on one database run each occurrence once; a
-- failed run is retried with backoff by claiming its row again.
ALTER TABLE report_schedules ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE report_schedules ADD COLUMN years_mode TEXT NOT NULL DEFAULT 'latest' CHECK (years_mode IN ('fixed', 'latest'));
ALTER TABLE report_schedules ADD COLUMN year_from INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_schedules ADD COLUMN year_to INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_schedules ADD COLUMN latest_n INTEGER NOT NULL DEFAULT 1;
ALTER TABLE report_schedules ADD COLUMN model TEXT NOT NULL DEFAULT '';
ALTER TABLE report_schedules ADD COLUMN keep_runs INTEGER NOT NULL DEFAULT 30;
ALTER TABLE report_schedules ADD COLUMN updated_at DATETIME;

ALTER TABLE report_runs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
ALTER TABLE report_runs ADD COLUMN next_attempt_at DATETIME;
ALTER TABLE report_runs ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE report_runs ADD COLUMN data_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_runs ADD COLUMN filename TEXT NOT NULL DEFAULT '';
ALTER TABLE report_runs ADD COLUMN file_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE report_runs ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_runs ADD COLUMN same_as INTEGER;
CREATE INDEX report_runs_retry ON report_runs (status, next_attempt_at);

-- Webhooks (internal/alerts): administrators' endpoints told of new
-- publications and scheduled reports ready, signed with HMAC-SHA256 under
-- the webhook's secret (kept, since signing needs it). A delivery is one
-- event for one webhook, unique so that an event is queued once; it is
-- claimed by a conditional update and retried with backoff.
CREATE TABLE webhooks (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    url            TEXT NOT NULL,
    secret         TEXT NOT NULL,
    scope          TEXT NOT NULL DEFAULT '',
    enabled        BOOLEAN NOT NULL DEFAULT TRUE,
    cursor_version INTEGER NOT NULL DEFAULT 0,
    created_at     DATETIME NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL,
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at DATETIME,
    last_error      TEXT NOT NULL DEFAULT '',
    claimed_by      TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    delivered_at    DATETIME,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);

-- +goose Down
-- Forward-only: migrations are never rolled back.
