-- +goose Up
-- Borders and income groups by year.
--
-- successions: how a country's territory passed to others, one row per
-- predecessor and successor. first_year is the first calendar year the
-- successor reports as itself (for a merger, the first year of the merged
-- state). kind is
--   dissolution  the predecessor ends the year before first_year;
--   separation   the predecessor keeps its code, on a smaller territory;
--   merger       the predecessor joins the successor, which keeps its code.
-- The rules that use them are in docs/METHODOLOGY.md, "Borders and income
-- groups".
CREATE TABLE successions (
    predecessor TEXT NOT NULL REFERENCES countries (iso3),
    successor   TEXT NOT NULL REFERENCES countries (iso3),
    kind        TEXT NOT NULL CHECK (kind IN ('dissolution', 'separation', 'merger')),
    first_year  INTEGER NOT NULL CHECK (first_year BETWEEN 1900 AND 2100),
    note        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (predecessor, successor)
);

-- South Yemen (ISO 3166-3 YDYE), the one former state 0004 lacks.
INSERT INTO countries (iso3, iso2, numeric_code, name, official_name, who_region, un_region, un_subregion) VALUES
('YMD', 'YD', '720', 'Democratic Yemen', 'Yemen, Democratic (former)', '', 'Asia', 'Western Asia');
INSERT INTO country_aliases (iso3, alias) VALUES
('YMD', 'South Yemen'),
('YMD', 'Yemen, PDR');

INSERT INTO successions (predecessor, successor, kind, first_year, note) VALUES
('SUN', 'ARM', 'dissolution', 1992, 'USSR dissolved December 1991'),
('SUN', 'AZE', 'dissolution', 1992, 'USSR dissolved December 1991'),
('SUN', 'BLR', 'dissolution', 1992, 'USSR dissolved December 1991'),
('SUN', 'EST', 'dissolution', 1992, 'USSR dissolved December 1991'),
('SUN', 'GEO', 'dissolution', 1992, 'USSR dissolved December 1991'),
('SUN', 'KAZ', 'dissolution', 1992, 'USSR dissolved December 1991'),
('SUN', 'KGZ', 'dissolution', 1992, 'USSR dissolved December 1991'),
('SUN', 'LVA', 'dissolution', 1992, 'USSR dissolved December 1991'),
('SUN', 'LTU', 'dissolution', 1992, 'USSR dissolved December 1991'),
('SUN', 'MDA', 'dissolution', 1992, 'USSR dissolved December 1991'),
('SUN', 'RUS', 'dissolution', 1992, 'USSR dissolved December 1991'),
('SUN', 'TJK', 'dissolution', 1992, 'USSR dissolved December 1991'),
('SUN', 'TKM', 'dissolution', 1992, 'USSR dissolved December 1991'),
('SUN', 'UKR', 'dissolution', 1992, 'USSR dissolved December 1991'),
('SUN', 'UZB', 'dissolution', 1992, 'USSR dissolved December 1991'),
('CSK', 'CZE', 'dissolution', 1993, 'Czechoslovakia dissolved 1 January 1993'),
('CSK', 'SVK', 'dissolution', 1993, 'Czechoslovakia dissolved 1 January 1993'),
('YUG', 'BIH', 'dissolution', 1992, 'Socialist Federal Republic of Yugoslavia dissolved 1991-92'),
('YUG', 'HRV', 'dissolution', 1992, 'Socialist Federal Republic of Yugoslavia dissolved 1991-92'),
('YUG', 'MKD', 'dissolution', 1992, 'Socialist Federal Republic of Yugoslavia dissolved 1991-92'),
('YUG', 'SVN', 'dissolution', 1992, 'Socialist Federal Republic of Yugoslavia dissolved 1991-92'),
('YUG', 'SCG', 'dissolution', 1992, 'Federal Republic of Yugoslavia (Serbia and Montenegro) from April 1992'),
('SCG', 'SRB', 'dissolution', 2006, 'Serbia and Montenegro separated June 2006'),
('SCG', 'MNE', 'dissolution', 2006, 'Serbia and Montenegro separated June 2006'),
('SDN', 'SSD', 'separation', 2011, 'South Sudan independent July 2011; Sudan keeps its code'),
('ETH', 'ERI', 'separation', 1993, 'Eritrea independent May 1993; Ethiopia keeps its code'),
('IDN', 'TLS', 'separation', 2002, 'Timor-Leste independent May 2002; Indonesia keeps its code'),
('ANT', 'CUW', 'dissolution', 2010, 'Netherlands Antilles dissolved October 2010'),
('ANT', 'SXM', 'dissolution', 2010, 'Netherlands Antilles dissolved October 2010'),
('ANT', 'BES', 'dissolution', 2010, 'Netherlands Antilles dissolved October 2010'),
('DDR', 'DEU', 'merger', 1990, 'German reunification 3 October 1990'),
('YMD', 'YEM', 'merger', 1990, 'Yemeni unification 22 May 1990');

-- The data year of a countries row: the calendar year whose data a World
-- Bank classification was made from (fiscal year FYnn classifies data year
-- nn - 2); 0 for a row that is not tied to a year.
ALTER TABLE country_metadata ADD COLUMN data_year INTEGER NOT NULL DEFAULT 0;
-- The key a publication matches staged rows on (a history has ~40 rows a
-- country).
CREATE INDEX country_metadata_key ON country_metadata (iso3, data_year);

-- Income group per country and data year, with the vintage (fiscal year of
-- the classification) and the upload it came from. '' is "not classified"
-- (the workbook's ".." or a blank). One row per country and year: the last
-- publication wins.
CREATE TABLE income_group_years (
    iso3         TEXT NOT NULL REFERENCES countries (iso3),
    year         INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 2100),
    income_group TEXT NOT NULL CHECK (income_group IN ('LIC', 'LMC', 'UMC', 'HIC', '')),
    vintage      TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL DEFAULT '',
    upload_id    BIGINT REFERENCES uploads (id),
    PRIMARY KEY (iso3, year)
);

-- +goose Down
-- Forward-only: migrations are never rolled back.
