-- +goose Up
-- Countries that no longer exist (ISO 3166-3) but appear in historical
-- INCB, UN and WHO series, so that those series load without edits. They
-- belong to no WHO region or income group; they count in world totals for
-- the years they reported.
INSERT INTO countries (iso3, iso2, numeric_code, name, official_name, who_region, un_region, un_subregion) VALUES
('ANT', 'AN', '530', 'Netherlands Antilles', 'Netherlands Antilles (former)', '', 'Americas', 'Latin America and the Caribbean'),
('SCG', '', '891', 'Serbia and Montenegro', 'Serbia and Montenegro (former)', '', 'Europe', 'Southern Europe'),
('YUG', '', '890', 'Yugoslavia', 'Socialist Federal Republic of Yugoslavia (former)', '', 'Europe', 'Southern Europe'),
('SUN', '', '810', 'USSR', 'Union of Soviet Socialist Republics (former)', '', 'Europe', 'Eastern Europe'),
('CSK', '', '200', 'Czechoslovakia', 'Czechoslovakia (former)', '', 'Europe', 'Eastern Europe'),
('DDR', '', '278', 'German Democratic Republic', 'German Democratic Republic (former)', '', 'Europe', 'Western Europe');

INSERT INTO country_aliases (iso3, alias) VALUES
('ANT', 'Antilles, Netherlands'),
('SCG', 'Serbia & Montenegro'),
('SUN', 'Soviet Union'),
('SUN', 'Union of Soviet Socialist Republics'),
('DDR', 'East Germany');

-- +goose Down
-- Forward-only.
