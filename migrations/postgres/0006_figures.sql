-- +goose Up
-- Published bands only, need models side by side, and the state of a
-- consumed quantity (docs/METHODOLOGY.md).
--
-- consumption.state keeps which of three things the cell held: 'reported'
-- (a number, 0 included), 'nil' (INCB's "-": nil or under the publication
-- threshold) or 'not_reported' (blank). '' is a row written before this
-- column existed: its state is read from grams (a number is reported, NULL
-- is not reported).
ALTER TABLE consumption ADD COLUMN state TEXT NOT NULL DEFAULT ''
    CHECK (state IN ('', 'reported', 'nil', 'not_reported'));

-- New versions of three tables whose version 1 said more than its sources:
-- INCB defines no class above 200 S-DDD per million per day; the ACM edges
-- are not confirmed; the benchmark reference's note called two index values
-- "mg". Version 1 stays, so figures made with it can be recomputed.
INSERT INTO factor_tables (name, version, kind, title, source, confidence, notes, created_at) VALUES
('incb-sddd-bands', 2, 'bands', 'INCB adequacy bands on S-DDD per million inhabitants per day',
 'INCB, Availability of Internationally Controlled Drugs: Ensuring Adequate Access for Medical and Scientific Purposes (2015 supplement); INCB technical reports', 'U',
 'Only two classes are published: under 100 very inadequate, 100 to under 200 inadequate. No INCB class above 200 has been confirmed, so 200 or more is shown as not classed, not given a band name.', CURRENT_TIMESTAMP),
('acm-bands', 2, 'bands', 'Adequacy of Consumption Measure bands (consumption / need)',
 'Seya et al., J Pain Palliat Care Pharmacother 2011; Duthey & Scholten, J Pain Symptom Manage 2014', 'U',
 'Band names are published (V); the edges 1, 0.3, 0.1, 0.03 are as commonly quoted and unconfirmed against the primary table (U). The need under which acm is computed here is the headline need model, not Seya''s morbidity-corrected need.', CURRENT_TIMESTAMP),
('benchmark-reference', 2, 'reference', 'Benchmark reference: mean mg ME per capita of the 20 highest-HDI countries (2015)',
 'Scholten et al., Am J Public Health 2019; Scholten et al., J Pain Palliat Care Pharmacother 2020', 'V',
 'In 2015 Germany''s benchmark index was about 304 and Nigeria''s 0.0069: index values (100 = the reference), not mg ME per capita.', CURRENT_TIMESTAMP),
('benchmark', 1, 'need-model', 'Benchmark need: the reference consumption of the 20 highest-HDI countries for every inhabitant',
 'Scholten et al., Am J Public Health 2019; Scholten et al., J Pain Palliat Care Pharmacother 2020', 'V',
 'need_me_mg = 256 mg ME per capita x population. Ignores morbidity; the only published need model whose every parameter is known.', CURRENT_TIMESTAMP);

WITH v(tname, position, key, value, label, confidence, note) AS (VALUES
 ('incb-sddd-bands', 1, 'very inadequate', 0.0, 'under 100 S-DDD per million per day', 'U', ''),
 ('incb-sddd-bands', 2, 'inadequate', 100.0, '100 to under 200', 'U', ''),
 ('incb-sddd-bands', 3, 'not classed (200 or more)', 200.0, '200 or more: no published INCB class', 'U', 'not an INCB band'),
 ('acm-bands', 1, 'virtually none', 0.0, 'under 0.03', 'U', 'edge unconfirmed'),
 ('acm-bands', 2, 'very low', 0.03, '0.03 to under 0.1', 'U', 'edge unconfirmed'),
 ('acm-bands', 3, 'low', 0.1, '0.1 to under 0.3', 'U', 'edge unconfirmed'),
 ('acm-bands', 4, 'moderate', 0.3, '0.3 to under 1', 'U', 'edge unconfirmed'),
 ('acm-bands', 5, 'adequate', 1.0, '1 or more', 'U', 'edge unconfirmed'),
 ('benchmark-reference', 1, 'mg_me_per_capita', 256.0, 'mean of the 20 highest-HDI countries, 2015, mg ME per capita', 'V', '')
)
INSERT INTO factor_rows (table_id, position, key, value, label, confidence, note)
SELECT t.id, v.position, v.key, v.value, v.label, v.confidence, v.note
FROM factor_tables t, v
WHERE t.name = v.tname AND t.version = 2;

-- A need-model row keyed 'population' is per inhabitant: Value mg ME per
-- person per year.
INSERT INTO factor_rows (table_id, position, key, value, label, confidence, note)
SELECT t.id, 1, 'population', 256.0, 'Every inhabitant: the 2015 benchmark reference, mg ME per capita per year', 'V',
 'Scholten et al. 2019: mean of the 20 highest-HDI countries'
FROM factor_tables t
WHERE t.name = 'benchmark' AND t.version = 1;

-- The need model the headline figures use unless a request names another.
INSERT INTO settings (key, value) VALUES ('default_need_model', 'benchmark');

INSERT INTO data_versions (reason) VALUES ('migration 0006: published bands, benchmark need model, consumption state');

-- +goose Down
-- Forward-only: migrations are never rolled back.
