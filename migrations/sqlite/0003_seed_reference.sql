-- +goose Up
-- Drugs and the version-1 factor tables of the domain reference (units,
-- S-DDD, morphine equivalence, salt→base fractions, the INCB pain basket,
-- adequacy bands, the benchmark reference and the cancer-hiv need model).
-- Confidence: V seen in a primary or well-cited source; U widely quoted but
-- not confirmed against the primary table; C computed.

INSERT INTO drugs (code, name, convention, pain_basket) VALUES
('morphine', 'Morphine', '1961', TRUE),
('codeine', 'Codeine', '1961', TRUE),
('dihydrocodeine', 'Dihydrocodeine', '1961', TRUE),
('fentanyl', 'Fentanyl', '1961', TRUE),
('hydromorphone', 'Hydromorphone', '1961', TRUE),
('oxycodone', 'Oxycodone', '1961', TRUE),
('pethidine', 'Pethidine', '1961', TRUE),
('ketobemidone', 'Ketobemidone', '1961', TRUE),
('tilidine', 'Tilidine', '1961', TRUE),
('dextropropoxyphene', 'Dextropropoxyphene', '1961', TRUE),
('trimeperidine', 'Trimeperidine', '1961', TRUE),
('methadone', 'Methadone', '1961', FALSE),
('hydrocodone', 'Hydrocodone', '1961', FALSE),
('sufentanil', 'Sufentanil', '1961', FALSE),
('remifentanil', 'Remifentanil', '1961', FALSE),
('alfentanil', 'Alfentanil', '1961', FALSE),
('buprenorphine', 'Buprenorphine', '1971', FALSE);

INSERT INTO drug_synonyms (drug_code, synonym) VALUES
('pethidine', 'meperidine'),
('pethidine', 'pethidinum'),
('morphine', 'morphinum'),
('codeine', 'methylmorphine'),
('dextropropoxyphene', 'propoxyphene'),
('hydrocodone', 'dihydrocodeinone'),
('hydromorphone', 'dihydromorphinone'),
('methadone', 'amidone'),
('trimeperidine', 'promedol'),
('oxycodone', 'dihydrohydroxycodeinone'),
('fentanyl', 'fentanil');

INSERT INTO factor_tables (name, version, kind, title, source, confidence, notes, created_at) VALUES
('sddd', 1, 'sddd', 'Defined daily doses for statistical purposes (S-DDD), mg per day',
 'INCB, Narcotic Drugs technical report (S-DDD list); WHO ATC/DDD index where noted', 'U',
 'A technical unit of measurement, not a prescribing dose.', CURRENT_TIMESTAMP),
('ppsg', 1, 'morphine-equivalence', 'Morphine equivalence factors, mg morphine per mg drug (Pain & Policy Studies Group)',
 'Gilson et al., J Pain Symptom Manage 2013; Pain & Policy Studies Group, University of Wisconsin', 'U',
 'Masses, not clinical MME: fentanyl 83.3 = 50 mg oral morphine / 0.6 mg fentanyl.', CURRENT_TIMESTAMP),
('salt-base', 1, 'salt-base', 'Anhydrous base fraction of common salts',
 'Computed from molecular weights; INCB Yellow List carries the official factors', 'C',
 'Multiply a salt mass by the fraction to get grams of anhydrous base.', CURRENT_TIMESTAMP),
('pain-basket', 1, 'basket', 'INCB basket of opioids for pain (S-DDD per million inhabitants per day)',
 'INCB technical reports; Berterame et al., Lancet 2016', 'V',
 'Methadone is left out (much of it treats opioid dependence). Hydrocodone is not in version 1.', CURRENT_TIMESTAMP),
('incb-sddd-bands', 1, 'bands', 'INCB adequacy bands on S-DDD per million inhabitants per day',
 'INCB, Availability of Internationally Controlled Drugs: Ensuring Adequate Access for Medical and Scientific Purposes (2015 supplement)', 'U',
 'Under 100 very inadequate; 100 to under 200 inadequate; higher bands differ between report editions.', CURRENT_TIMESTAMP),
('benchmark-reference', 1, 'reference', 'Benchmark reference: mean mg ME per capita of the 20 highest-HDI countries (2015)',
 'Scholten et al., Am J Public Health 2019', 'V', 'Germany 304, Nigeria 0.0069 mg ME per capita in 2015.', CURRENT_TIMESTAMP),
('benchmark-bands', 1, 'bands', 'Benchmark index bands, half a log10 step apart',
 'Scholten et al., Am J Public Health 2019; edges computed as 10^(k/2)', 'C', '', CURRENT_TIMESTAMP),
('acm-bands', 1, 'bands', 'Adequacy of Consumption Measure bands (consumption / need)',
 'Seya et al., J Pain Palliat Care Pharmacother 2011; Duthey & Scholten, J Pain Symptom Manage 2014', 'U', '', CURRENT_TIMESTAMP),
('cancer-hiv', 1, 'need-model', 'Need for strong opioids from deaths by cancer and HIV/AIDS',
 'Stjernsward, Foley & Ferris, J Pain Symptom Manage 2007 (cancer); HIV/AIDS line is a modelling assumption', 'V',
 'Cancer: 60% of decedents x 100 mg ME/day x 100 days = 6 g ME per death. HIV/AIDS: 50% x 50 mg x 90 days, an assumption.', CURRENT_TIMESTAMP);

WITH v(position, key, value, confidence, note) AS (VALUES
 (1, 'morphine', 100.0, 'U', 'matches WHO DDD'),
 (2, 'codeine', 100.0, 'U', ''),
 (3, 'dihydrocodeine', 150.0, 'U', 'matches WHO DDD'),
 (4, 'fentanyl', 0.6, 'U', ''),
 (5, 'hydromorphone', 20.0, 'U', 'matches WHO DDD'),
 (6, 'oxycodone', 75.0, 'U', 'matches WHO DDD'),
 (7, 'pethidine', 400.0, 'U', ''),
 (8, 'methadone', 25.0, 'U', ''),
 (9, 'hydrocodone', 15.0, 'U', ''),
 (10, 'ketobemidone', 50.0, 'U', ''),
 (11, 'tilidine', 200.0, 'U', 'matches WHO DDD'),
 (12, 'dextropropoxyphene', 200.0, 'U', ''),
 (13, 'trimeperidine', 100.0, 'U', '')
)
INSERT INTO factor_rows (table_id, position, key, drug, value, confidence, note)
SELECT t.id, v.position, v.key, v.key, v.value, v.confidence, v.note
FROM factor_tables t, v
WHERE t.name = 'sddd' AND t.version = 1;

WITH v(position, key, value, note) AS (VALUES
 (1, 'morphine', 1.0, ''),
 (2, 'fentanyl', 83.3, '50 mg oral morphine / 0.6 mg fentanyl'),
 (3, 'hydromorphone', 5.0, ''),
 (4, 'methadone', 4.4, ''),
 (5, 'oxycodone', 1.33, ''),
 (6, 'pethidine', 0.125, '')
)
INSERT INTO factor_rows (table_id, position, key, drug, value, confidence, note)
SELECT t.id, v.position, v.key, v.key, v.value, 'U', v.note
FROM factor_tables t, v
WHERE t.name = 'ppsg' AND t.version = 1;

WITH v(position, key, drug, value) AS (VALUES
 (1, 'morphine sulfate pentahydrate', 'morphine', 0.752),
 (2, 'morphine hydrochloride trihydrate', 'morphine', 0.759),
 (3, 'codeine phosphate hemihydrate', 'codeine', 0.737),
 (4, 'fentanyl citrate', 'fentanyl', 0.637),
 (5, 'oxycodone hydrochloride', 'oxycodone', 0.896),
 (6, 'hydromorphone hydrochloride', 'hydromorphone', 0.887),
 (7, 'methadone hydrochloride', 'methadone', 0.895),
 (8, 'pethidine hydrochloride', 'pethidine', 0.872),
 (9, 'hydrocodone bitartrate hemipentahydrate', 'hydrocodone', 0.605),
 (10, 'dihydrocodeine tartrate', 'dihydrocodeine', 0.668)
)
INSERT INTO factor_rows (table_id, position, key, drug, value, confidence)
SELECT t.id, v.position, v.key, v.drug, v.value, 'C'
FROM factor_tables t, v
WHERE t.name = 'salt-base' AND t.version = 1;

WITH v(position, key) AS (VALUES
 (1, 'codeine'), (2, 'dextropropoxyphene'), (3, 'dihydrocodeine'), (4, 'fentanyl'),
 (5, 'hydromorphone'), (6, 'ketobemidone'), (7, 'morphine'), (8, 'oxycodone'),
 (9, 'pethidine'), (10, 'tilidine'), (11, 'trimeperidine')
)
INSERT INTO factor_rows (table_id, position, key, drug, value, confidence)
SELECT t.id, v.position, v.key, v.key, 1.0, 'V'
FROM factor_tables t, v
WHERE t.name = 'pain-basket' AND t.version = 1;

WITH v(tname, position, key, value, label, confidence) AS (VALUES
 ('incb-sddd-bands', 1, 'very inadequate', 0.0, 'under 100 S-DDD per million per day', 'U'),
 ('incb-sddd-bands', 2, 'inadequate', 100.0, '100 to under 200', 'U'),
 ('incb-sddd-bands', 3, '200 or more', 200.0, '200 or more (higher bands vary by report edition)', 'U'),
 ('benchmark-bands', 1, 'extremely low', 0.0, 'under 3.16', 'C'),
 ('benchmark-bands', 2, 'very low', 3.16, '3.16 to under 10', 'C'),
 ('benchmark-bands', 3, 'low', 10.0, '10 to under 31.6', 'C'),
 ('benchmark-bands', 4, 'moderate', 31.6, '31.6 to under 100', 'C'),
 ('benchmark-bands', 5, 'adequate', 100.0, '100 or more', 'C'),
 ('acm-bands', 1, 'virtually none', 0.0, 'under 0.03', 'U'),
 ('acm-bands', 2, 'very low', 0.03, '0.03 to under 0.1', 'U'),
 ('acm-bands', 3, 'low', 0.1, '0.1 to under 0.3', 'U'),
 ('acm-bands', 4, 'moderate', 0.3, '0.3 to under 1', 'U'),
 ('acm-bands', 5, 'adequate', 1.0, '1 or more', 'U'),
 ('benchmark-reference', 1, 'mg_me_per_capita', 256.0, 'mean of the 20 highest-HDI countries, 2015', 'V')
)
INSERT INTO factor_rows (table_id, position, key, value, label, confidence)
SELECT t.id, v.position, v.key, v.value, v.label, v.confidence
FROM factor_tables t, v
WHERE t.name = v.tname AND t.version = 1;

WITH v(position, key, share, mg, days, label, assumption, confidence, note) AS (VALUES
 (1, 'neoplasms', 0.60, 100.0, 100.0, 'Cancer deaths', FALSE, 'V', 'Stjernsward et al. 2007: 6 g ME per cancer death'),
 (2, 'hiv-aids', 0.50, 50.0, 90.0, 'HIV/AIDS deaths', TRUE, 'U', 'Assumption: about half of AIDS deaths have moderate or severe pain; 50-75 mg ME a day for about 90 days')
)
INSERT INTO factor_rows (table_id, position, key, share, mg_per_day, days, label, assumption, confidence, note)
SELECT t.id, v.position, v.key, v.share, v.mg, v.days, v.label, v.assumption, v.confidence, v.note
FROM factor_tables t, v
WHERE t.name = 'cancer-hiv' AND t.version = 1;

-- +goose Down
-- Forward-only.
