-- +goose Up
-- The Channel Islands (Guernsey and Jersey together) have no ISO 3166-1
-- code, but UN World Population Prospects (M49 830) and World Bank series
-- (CHI) report them as one economy; they are a place, not an aggregate, so
-- they are a country here under the World Bank's code. Kosovo (XKX) is in
-- migration 0002. Guernsey (GGY) and Jersey (JEY) remain countries of
-- their own for sources that report them apart.
INSERT INTO countries (iso3, iso2, numeric_code, name, official_name, who_region, un_region, un_subregion) VALUES
('CHI', '', '830', 'Channel Islands', 'Channel Islands', '', 'Europe', 'Northern Europe');

INSERT INTO country_aliases (iso3, alias) VALUES
('CHI', 'Channel Islands (Guernsey and Jersey)');

-- +goose Down
-- Forward-only.
