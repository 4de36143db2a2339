-- +goose Up
-- Observation rows are written only by imports, which copy a whole upload
-- from its staging table in one INSERT … SELECT and check, in one
-- set-based query before it, that every country and drug exists (see
-- internal/store/staging.go). Row-by-row foreign-key triggers tripled
-- the cost of that INSERT (three lookups and row locks per row), so the
-- observation tables no longer carry them. Reference rows (countries,
-- drugs) and uploads are never deleted while observations refer to them.
ALTER TABLE consumption DROP CONSTRAINT IF EXISTS consumption_iso3_fkey;
ALTER TABLE consumption DROP CONSTRAINT IF EXISTS consumption_drug_fkey;
ALTER TABLE consumption DROP CONSTRAINT IF EXISTS consumption_upload_id_fkey;
ALTER TABLE estimates DROP CONSTRAINT IF EXISTS estimates_iso3_fkey;
ALTER TABLE estimates DROP CONSTRAINT IF EXISTS estimates_drug_fkey;
ALTER TABLE estimates DROP CONSTRAINT IF EXISTS estimates_upload_id_fkey;
ALTER TABLE population DROP CONSTRAINT IF EXISTS population_iso3_fkey;
ALTER TABLE population DROP CONSTRAINT IF EXISTS population_upload_id_fkey;
ALTER TABLE deaths DROP CONSTRAINT IF EXISTS deaths_iso3_fkey;
ALTER TABLE deaths DROP CONSTRAINT IF EXISTS deaths_upload_id_fkey;
ALTER TABLE country_metadata DROP CONSTRAINT IF EXISTS country_metadata_iso3_fkey;
ALTER TABLE country_metadata DROP CONSTRAINT IF EXISTS country_metadata_upload_id_fkey;

-- An upload's rows are found by upload alone (publication of a submitted
-- upload, supersession); the key columns in these indexes were never used
-- and made every imported row's index entry wider and slower to insert.
DROP INDEX IF EXISTS consumption_upload;
CREATE INDEX consumption_upload ON consumption (upload_id);
DROP INDEX IF EXISTS estimates_upload;
CREATE INDEX estimates_upload ON estimates (upload_id);
DROP INDEX IF EXISTS population_upload;
CREATE INDEX population_upload ON population (upload_id);
DROP INDEX IF EXISTS deaths_upload;
CREATE INDEX deaths_upload ON deaths (upload_id);

-- +goose Down
-- Forward-only: migrations are never rolled back.
