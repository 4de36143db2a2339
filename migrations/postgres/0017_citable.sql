-- +goose Up
-- Citable figures (docs/METHODOLOGY.md, "Citing a figure").
--
-- 1. Factor tables, income groups and settings are versioned by the data
--    version, as observation rows are (migration 0014): a factor table
--    records the data version that published it; an income-group vintage the
--    versions that published and withdrew it; a setting change is a new row
--    of settings_history. Figures as of version V read what was published at
--    V. Tables seeded before this migration count as published at version 1,
--    those of migration 0006 at its version.
ALTER TABLE factor_tables ADD COLUMN published_in BIGINT NOT NULL DEFAULT 1;
UPDATE factor_tables SET published_in = COALESCE((SELECT MIN(version) FROM data_versions WHERE reason LIKE 'migration 0006%'), 1)
WHERE (name, version) IN (VALUES ('incb-sddd-bands', 2), ('acm-bands', 2), ('benchmark-reference', 2), ('benchmark', 1));
ALTER TABLE income_groups ADD COLUMN published_in BIGINT;
ALTER TABLE income_groups ADD COLUMN withdrawn_in BIGINT;
UPDATE income_groups SET published_in = 1 WHERE active;

-- Income groups by data year likewise: a publication withdraws the row it
-- replaces instead of deleting it (the table is rebuilt with its own id so
-- that a country and year can have several rows over time, one current).
CREATE TABLE income_group_years_v (
    id           BIGSERIAL PRIMARY KEY,
    iso3         TEXT NOT NULL REFERENCES countries (iso3),
    year         INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 2100),
    income_group TEXT NOT NULL CHECK (income_group IN ('LIC', 'LMC', 'UMC', 'HIC', '')),
    vintage      TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL DEFAULT '',
    upload_id    BIGINT REFERENCES uploads (id),
    published_in BIGINT NOT NULL DEFAULT 1,
    withdrawn_in BIGINT
);
INSERT INTO income_group_years_v (iso3, year, income_group, vintage, source, upload_id, published_in)
SELECT y.iso3, y.year, y.income_group, y.vintage, y.source, y.upload_id,
       COALESCE((SELECT MIN(m.published_in) FROM country_metadata m WHERE m.upload_id = y.upload_id), 1)
FROM income_group_years y ORDER BY y.iso3, y.year;
DROP TABLE income_group_years;
ALTER TABLE income_group_years_v RENAME TO income_group_years;
CREATE UNIQUE INDEX income_group_years_current ON income_group_years (iso3, year) WHERE withdrawn_in IS NULL;

CREATE TABLE settings_history (
    id         BIGSERIAL PRIMARY KEY,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    version    BIGINT NOT NULL,
    changed_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX settings_history_key ON settings_history (key, version);
INSERT INTO settings_history (key, value, version)
SELECT key, value, (SELECT MAX(version) FROM data_versions) FROM settings;

-- 2. Denominators are series: population and deaths rows carry the series
--    (publisher and vintage) they belong to; one active row per key and
--    series, so a second source never replaces the first. Every upload
--    records its source, licence and how to cite it.
ALTER TABLE population ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE deaths ADD COLUMN source TEXT NOT NULL DEFAULT '';
DROP INDEX population_active;
CREATE UNIQUE INDEX population_active ON population (iso3, year, source) WHERE active;
DROP INDEX deaths_active;
CREATE UNIQUE INDEX deaths_active ON deaths (iso3, year, cause, source) WHERE active;
ALTER TABLE uploads ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE uploads ADD COLUMN licence TEXT NOT NULL DEFAULT '';
ALTER TABLE uploads ADD COLUMN citation TEXT NOT NULL DEFAULT '';

-- 3. Version 2 of the S-DDD table: hydrocodone at 30 mg, the value that
--    reproduces INCB's North America figure (Berterame et al., Lancet 2016);
--    version 1 (15 mg) stays. And the price of morphine, for the cost of
--    closing a gap.
INSERT INTO data_versions (reason) VALUES ('migration 0017: S-DDD version 2 (hydrocodone 30 mg), morphine price version 1');

INSERT INTO factor_tables (name, version, kind, title, source, confidence, notes, created_at, published_in)
SELECT 'sddd', 2, 'sddd', title, source || '; hydrocodone: Berterame et al., Lancet 2016 (reproduces North America 2011-13)', confidence,
 'A technical unit of measurement, not a prescribing dose. Version 2 changes hydrocodone from 15 to 30 mg (15 is also quoted).',
 CURRENT_TIMESTAMP, (SELECT MAX(version) FROM data_versions)
FROM factor_tables WHERE name = 'sddd' AND version = 1;
INSERT INTO factor_rows (table_id, position, key, drug, value, share, mg_per_day, days, label, assumption, confidence, note)
SELECT n.id, r.position, r.key, r.drug, CASE WHEN r.key = 'hydrocodone' THEN 30.0 ELSE r.value END, r.share, r.mg_per_day, r.days, r.label, r.assumption, r.confidence,
 CASE WHEN r.key = 'hydrocodone' THEN 'reproduces INCB North America 2011-13; 15 is also quoted' ELSE r.note END
FROM factor_rows r
JOIN factor_tables o ON o.id = r.table_id AND o.name = 'sddd' AND o.version = 1
JOIN factor_tables n ON n.name = 'sddd' AND n.version = 2;

INSERT INTO factor_tables (name, version, kind, title, source, confidence, notes, created_at, published_in) VALUES
('morphine-price', 1, 'price', 'Price of oral immediate-release morphine, US dollars per mg of morphine',
 'Knaul et al., Alleviating the access abyss in palliative care and pain relief: an imperative of universal health coverage. The Lancet Commission report, Lancet 2018;391:1391-1454', 'V',
 'About US$0.03 per 10 mg of oral immediate-release morphine (the Commission''s reference price). Applied to mg of morphine equivalent: the cost of meeting the gap with oral morphine.',
 CURRENT_TIMESTAMP, (SELECT MAX(version) FROM data_versions));
WITH v(position, key, value, label, confidence, note) AS (VALUES
 (1, 'usd_per_mg', 0.003, 'US$ per mg ME (US$0.03 per 10 mg)', 'V', ''),
 (2, 'year', 2017.0, 'year of the price: the Commission''s report, published online October 2017', 'U', 'the prices behind it may be earlier')
)
INSERT INTO factor_rows (table_id, position, key, value, label, confidence, note)
SELECT t.id, v.position, v.key, v.value, v.label, v.confidence, v.note
FROM factor_tables t, v
WHERE t.name = 'morphine-price' AND t.version = 1;

-- +goose Down
-- Forward-only: migrations are never rolled back.
