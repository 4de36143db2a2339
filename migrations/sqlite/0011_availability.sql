-- +goose Up
-- Availability observations: WHO/HAI facility surveys (per country, survey
-- year, medicine of the medicines vocabulary and sector) and the WHO NCD
-- country-capacity survey's yes / no / don't-know answers. Staged, diffed
-- and published like every other observation table: one active row per key,
-- stamped with the data versions that published and withdrew it.
CREATE TABLE availability_surveys (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    iso3                 TEXT NOT NULL REFERENCES countries (iso3),
    year                 INTEGER NOT NULL,
    medicine             TEXT NOT NULL,
    vocabulary_version   INTEGER NOT NULL,
    drug                 TEXT NOT NULL REFERENCES drugs (code),
    sector               TEXT NOT NULL CHECK (sector IN ('public', 'private', 'other')),
    availability_pct     REAL CHECK (availability_pct >= 0 AND availability_pct <= 100),
    facilities           INTEGER CHECK (facilities >= 0),
    median_price_ratio   REAL CHECK (median_price_ratio >= 0),
    price_reference      TEXT NOT NULL DEFAULT '',
    price_reference_year INTEGER NOT NULL DEFAULT 0,
    median_unit_price    REAL CHECK (median_unit_price >= 0),
    currency             TEXT NOT NULL DEFAULT '',
    daily_wage           REAL CHECK (daily_wage >= 0),
    survey               TEXT NOT NULL DEFAULT '',
    upload_id            INTEGER NOT NULL REFERENCES uploads (id),
    sheet                TEXT NOT NULL DEFAULT '',
    row_num              INTEGER NOT NULL,
    active               BOOLEAN NOT NULL,
    published_in         BIGINT,
    withdrawn_in         BIGINT
);
CREATE UNIQUE INDEX availability_surveys_active ON availability_surveys (iso3, year, medicine, sector) WHERE active;
CREATE INDEX availability_surveys_upload ON availability_surveys (upload_id, iso3, year, medicine, sector);

CREATE TABLE ccs_answers (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    iso3      TEXT NOT NULL REFERENCES countries (iso3),
    year      INTEGER NOT NULL,
    indicator TEXT NOT NULL,
    answer    TEXT NOT NULL CHECK (answer IN ('yes', 'no', 'dont_know')),
    upload_id INTEGER NOT NULL REFERENCES uploads (id),
    sheet     TEXT NOT NULL DEFAULT '',
    row_num   INTEGER NOT NULL,
    active    BOOLEAN NOT NULL,
    published_in BIGINT,
    withdrawn_in BIGINT
);
CREATE UNIQUE INDEX ccs_answers_active ON ccs_answers (iso3, year, indicator) WHERE active;
CREATE INDEX ccs_answers_upload ON ccs_answers (upload_id, iso3, year, indicator);

-- +goose Down
-- Forward-only: migrations are never rolled back.
