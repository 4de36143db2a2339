-- +goose Up
-- SQLite checks "state IN ('', 'reported', 'nil', 'not_reported')" by
-- building a temporary index of the four values for every row written: a
-- third of the cost of inserting a consumption row (measured). The same
-- check written as comparisons costs nothing of the kind. A CHECK cannot
-- be altered in SQLite, so the table is made again, as SQLite documents
-- (https://www.sqlite.org/lang_altertable.html#otheralter), with the same
-- columns in the same order, rows, ids, indexes and id sequence.
CREATE TABLE consumption_new (
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
    active         BOOLEAN NOT NULL,
    state          TEXT NOT NULL DEFAULT ''
        CHECK (state = '' OR state = 'reported' OR state = 'nil' OR state = 'not_reported'),
    stock_out_days REAL CHECK (stock_out_days >= 0 AND stock_out_days <= 366),
    published_in   BIGINT,
    withdrawn_in   BIGINT
);
INSERT INTO consumption_new SELECT * FROM consumption ORDER BY id;
-- Ids are never handed out again, including those of rows deleted.
INSERT INTO sqlite_sequence (name, seq)
SELECT 'consumption_new', seq FROM sqlite_sequence WHERE name = 'consumption'
AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'consumption_new');
UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'consumption'), 0))
WHERE name = 'consumption_new';
DROP TABLE consumption;
ALTER TABLE consumption_new RENAME TO consumption;
CREATE UNIQUE INDEX consumption_active ON consumption (iso3, year, drug) WHERE active;
CREATE INDEX consumption_upload ON consumption (upload_id);

-- +goose Down
-- Forward-only: migrations are never rolled back.
