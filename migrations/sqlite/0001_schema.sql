-- +goose Up
-- The whole reliefgap schema. Quantities of controlled drugs are grams of
-- anhydrous base; population is persons. Every observation row references
-- the upload (and sheet and row) it came from; "active" marks the row that
-- is currently published for its key.

CREATE TABLE countries (
    iso3          TEXT PRIMARY KEY CHECK (length(iso3) = 3),
    iso2          TEXT NOT NULL DEFAULT '',
    numeric_code  TEXT NOT NULL DEFAULT '',
    name          TEXT NOT NULL,
    official_name TEXT NOT NULL DEFAULT '',
    who_region    TEXT NOT NULL DEFAULT '',
    un_region     TEXT NOT NULL DEFAULT '',
    un_subregion  TEXT NOT NULL DEFAULT ''
);

CREATE TABLE country_aliases (
    iso3  TEXT NOT NULL REFERENCES countries (iso3),
    alias TEXT NOT NULL,
    PRIMARY KEY (iso3, alias)
);

CREATE TABLE upload_blobs (
    sha256     TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    size       INTEGER NOT NULL,
    data       BLOB NOT NULL,
    created_at DATETIME NOT NULL
);

CREATE TABLE uploads (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256          TEXT NOT NULL REFERENCES upload_blobs (sha256),
    filename        TEXT NOT NULL,
    size            INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    layout          TEXT NOT NULL DEFAULT '',
    country         TEXT NOT NULL DEFAULT '',
    uploader        TEXT NOT NULL,
    uploader_key_id INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    received_at     DATETIME NOT NULL,
    decided_at      DATETIME,
    counts          TEXT NOT NULL DEFAULT '{}',
    problems        TEXT NOT NULL DEFAULT '[]',
    diff            TEXT NOT NULL DEFAULT '{}',
    matches         TEXT NOT NULL DEFAULT '[]',
    superseded_by   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX uploads_sha256 ON uploads (sha256, kind, country);
CREATE INDEX uploads_country_status ON uploads (country, status);

CREATE TABLE income_groups (
    iso3         TEXT NOT NULL REFERENCES countries (iso3),
    vintage      TEXT NOT NULL,
    income_group TEXT NOT NULL CHECK (income_group IN ('LIC', 'LMC', 'UMC', 'HIC', '')),
    source       TEXT NOT NULL DEFAULT '',
    upload_id    INTEGER REFERENCES uploads (id),
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (iso3, vintage)
);
CREATE UNIQUE INDEX income_groups_active ON income_groups (iso3) WHERE active;

CREATE TABLE drugs (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    convention  TEXT NOT NULL,
    pain_basket BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE drug_synonyms (
    drug_code TEXT NOT NULL REFERENCES drugs (code),
    synonym   TEXT NOT NULL,
    PRIMARY KEY (drug_code, synonym)
);

CREATE TABLE factor_tables (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    version    INTEGER NOT NULL CHECK (version > 0),
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    source     TEXT NOT NULL,
    confidence TEXT NOT NULL,
    notes      TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    UNIQUE (name, version)
);

CREATE TABLE factor_rows (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    table_id   INTEGER NOT NULL REFERENCES factor_tables (id),
    position   INTEGER NOT NULL,
    key        TEXT NOT NULL,
    drug       TEXT NOT NULL DEFAULT '',
    value      REAL NOT NULL DEFAULT 0,
    share      REAL NOT NULL DEFAULT 0,
    mg_per_day REAL NOT NULL DEFAULT 0,
    days       REAL NOT NULL DEFAULT 0,
    label      TEXT NOT NULL DEFAULT '',
    assumption BOOLEAN NOT NULL DEFAULT FALSE,
    confidence TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    UNIQUE (table_id, key)
);

CREATE TABLE population (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    iso3      TEXT NOT NULL REFERENCES countries (iso3),
    year      INTEGER NOT NULL,
    persons   REAL NOT NULL CHECK (persons >= 0),
    upload_id INTEGER NOT NULL REFERENCES uploads (id),
    sheet     TEXT NOT NULL DEFAULT '',
    row_num   INTEGER NOT NULL,
    active    BOOLEAN NOT NULL
);
CREATE UNIQUE INDEX population_active ON population (iso3, year) WHERE active;
CREATE INDEX population_upload ON population (upload_id, iso3, year);

CREATE TABLE deaths (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    iso3      TEXT NOT NULL REFERENCES countries (iso3),
    year      INTEGER NOT NULL,
    cause     TEXT NOT NULL,
    deaths    REAL NOT NULL CHECK (deaths >= 0),
    upload_id INTEGER NOT NULL REFERENCES uploads (id),
    sheet     TEXT NOT NULL DEFAULT '',
    row_num   INTEGER NOT NULL,
    active    BOOLEAN NOT NULL
);
CREATE UNIQUE INDEX deaths_active ON deaths (iso3, year, cause) WHERE active;
CREATE INDEX deaths_upload ON deaths (upload_id, iso3, year, cause);

CREATE TABLE consumption (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    iso3           TEXT NOT NULL REFERENCES countries (iso3),
    year           INTEGER NOT NULL,
    drug           TEXT NOT NULL REFERENCES drugs (code),
    grams          REAL CHECK (grams >= 0),
    manufactured_g REAL CHECK (manufactured_g >= 0),
    utilized_g     REAL CHECK (utilized_g >= 0),
    stock_g        REAL CHECK (stock_g >= 0),
    seizures_g     REAL CHECK (seizures_g >= 0),
    conversion     TEXT NOT NULL DEFAULT '',
    upload_id      INTEGER NOT NULL REFERENCES uploads (id),
    sheet          TEXT NOT NULL DEFAULT '',
    row_num        INTEGER NOT NULL,
    active         BOOLEAN NOT NULL
);
CREATE UNIQUE INDEX consumption_active ON consumption (iso3, year, drug) WHERE active;
CREATE INDEX consumption_upload ON consumption (upload_id, iso3, year, drug);

CREATE TABLE estimates (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    iso3        TEXT NOT NULL REFERENCES countries (iso3),
    year        INTEGER NOT NULL,
    drug        TEXT NOT NULL REFERENCES drugs (code),
    kind        TEXT NOT NULL CHECK (kind IN ('annual', 'supplementary')),
    status      TEXT NOT NULL CHECK (status IN ('submitted', 'confirmed')),
    consumed_g  REAL CHECK (consumed_g >= 0),
    utilized_g  REAL CHECK (utilized_g >= 0),
    stock_g     REAL CHECK (stock_g >= 0),
    special_g   REAL CHECK (special_g >= 0),
    total_g     REAL CHECK (total_g >= 0),
    conversion  TEXT NOT NULL DEFAULT '',
    upload_id   INTEGER NOT NULL REFERENCES uploads (id),
    sheet       TEXT NOT NULL DEFAULT '',
    row_num     INTEGER NOT NULL,
    active      BOOLEAN NOT NULL
);
CREATE UNIQUE INDEX estimates_active ON estimates (iso3, year, drug, kind) WHERE active;
CREATE INDEX estimates_upload ON estimates (upload_id, iso3, year, drug, kind);

-- What a countries import says (WHO region, World Bank income group), kept
-- with its lineage; publishing it updates countries and income_groups.
CREATE TABLE country_metadata (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    iso3         TEXT NOT NULL REFERENCES countries (iso3),
    who_region   TEXT NOT NULL DEFAULT '',
    income_group TEXT NOT NULL DEFAULT '',
    vintage      TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL DEFAULT '',
    upload_id    INTEGER NOT NULL REFERENCES uploads (id),
    sheet        TEXT NOT NULL DEFAULT '',
    row_num      INTEGER NOT NULL,
    active       BOOLEAN NOT NULL
);
CREATE INDEX country_metadata_upload ON country_metadata (upload_id, iso3);

CREATE TABLE users (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('admin', 'advocate', 'ministry')),
    country    TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);

CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    prefix       TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
    created_at   DATETIME NOT NULL,
    last_used_at DATETIME,
    revoked_at   DATETIME
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          DATETIME NOT NULL,
    actor       TEXT NOT NULL,
    key_id      INTEGER NOT NULL DEFAULT 0,
    role        TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    target      TEXT NOT NULL DEFAULT '',
    remote_addr TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE report_schedules (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL UNIQUE,
    scope      TEXT NOT NULL CHECK (scope IN ('country', 'region', 'income', 'world')),
    target     TEXT NOT NULL DEFAULT '',
    cron       TEXT NOT NULL,
    enabled    BOOLEAN NOT NULL DEFAULT TRUE,
    created_at DATETIME NOT NULL
);

CREATE TABLE report_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    schedule_id INTEGER NOT NULL REFERENCES report_schedules (id),
    slot        DATETIME NOT NULL,
    started_at  DATETIME NOT NULL,
    finished_at DATETIME,
    status      TEXT NOT NULL,
    output      TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT '',
    UNIQUE (schedule_id, slot)
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
-- Forward-only: migrations are never rolled back.
