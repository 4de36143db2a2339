package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/reliefgap/reliefgap/internal/store"
)

// A database migrated before an earlier-numbered migration was merged
// (here: 0012, days out of stock, after 0014) still gets it on the next
// open.
func TestMigrationMergedOutOfOrder(t *testing.T) {
	ctx := context.Background()
	path := migratedFile(t)
	raw := openRaw(t, path)
	for _, q := range []string{`DELETE FROM goose_db_version WHERE version_id = 12`, `ALTER TABLE consumption DROP COLUMN stock_out_days`} {
		if err := raw.Exec(q).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s := reopen(t, raw, path)
	if v, err := s.SchemaVersion(ctx); err != nil || v < 14 {
		t.Fatalf("schema version %d, %v", v, err)
	}
	if _, err := s.SubmittedInputs(ctx, "KEN"); err != nil {
		t.Fatalf("0012 not applied: %v", err)
	}
}

// Migration 0024 (SQLite) makes the consumption table again: its rows,
// ids, indexes, checks and id sequence are kept. Run again here on a
// table holding rows, the last ids of which were deleted (seq 10 with
// rows 1 and 2): the next row still takes id 11.
func TestConsumptionRebuildKeepsRows(t *testing.T) {
	path := migratedFile(t)
	raw := openRaw(t, path) // foreign keys off: no blob for the upload
	exec := func(qs ...string) {
		t.Helper()
		for _, q := range qs {
			if err := raw.Exec(q).Error; err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	exec(`INSERT INTO uploads (id, filename, sha256, size, kind, uploader, status, received_at) VALUES (7, 'a.csv', 'x', 1, 'consumption', 'test', 'published', '2026-01-01 00:00:00')`,
		`INSERT INTO consumption (id, iso3, year, drug, grams, state, upload_id, sheet, row_num, active, published_in) VALUES
 (1, 'KEN', 2020, 'morphine', 5.5, 'reported', 7, 'Sheet1', 2, TRUE, 3),
 (2, 'KEN', 2020, 'morphine', NULL, 'nil', 7, '', 3, FALSE, NULL),
 (10, 'UGA', 2021, 'codeine', 1, '', 7, '', 4, TRUE, 3)`,
		`DELETE FROM consumption WHERE id = 10`,
		`DELETE FROM goose_db_version WHERE version_id = 24`)
	reopen(t, raw, path) // migrates again
	db := openRaw(t, path+"?_pragma=foreign_keys(1)")
	type row struct {
		ID     int64
		Grams  *float64
		State  string
		Active bool
		Sheet  string
	}
	var rows []row
	if err := db.Raw("SELECT id, grams, state, active, sheet FROM consumption ORDER BY id").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].ID != 1 || *rows[0].Grams != 5.5 || rows[0].State != "reported" || !rows[0].Active || rows[0].Sheet != "Sheet1" ||
		rows[1].ID != 2 || rows[1].Grams != nil || rows[1].State != "nil" || rows[1].Active {
		t.Fatalf("rows %+v", rows)
	}
	if err := db.Exec(`INSERT INTO consumption (iso3, year, drug, grams, upload_id, row_num, active) VALUES ('UGA', 2022, 'morphine', 1, 7, 5, FALSE)`).Error; err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := db.Raw("SELECT MAX(id) FROM consumption").Row().Scan(&id); err != nil || id != 11 {
		t.Fatalf("next id %d, %v; want 11", id, err)
	}
	// The unique key of published rows, the state check and the foreign
	// keys hold as before.
	for _, q := range []string{
		`INSERT INTO consumption (iso3, year, drug, upload_id, row_num, active) VALUES ('KEN', 2020, 'morphine', 7, 6, TRUE)`,
		`INSERT INTO consumption (iso3, year, drug, state, upload_id, row_num, active) VALUES ('KEN', 2019, 'morphine', 'guessed', 7, 7, FALSE)`,
		`INSERT INTO consumption (iso3, year, drug, upload_id, row_num, active) VALUES ('ZZZ', 2019, 'morphine', 7, 8, FALSE)`,
	} {
		if err := db.Exec(q).Error; err == nil {
			t.Fatalf("accepted: %s", q)
		}
	}
	var indexes []string
	if err := db.Raw("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'consumption' ORDER BY name").Scan(&indexes).Error; err != nil ||
		len(indexes) != 2 || indexes[0] != "consumption_active" || indexes[1] != "consumption_upload" {
		t.Fatalf("indexes %v, %v", indexes, err)
	}
}

// migratedFile is a new SQLite file with every migration applied.
func migratedFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.db")
	s, err := store.Open(context.Background(), "sqlite:"+path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	return path
}

// openRaw opens the SQLite file at dsn without the store, closed at the
// test's end (or before, by the test).
func openRaw(t *testing.T, dsn string) *gorm.DB {
	t.Helper()
	db, err := gorm.Open(sqlite.Open(dsn), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sdb, err := db.DB(); err == nil {
			sdb.Close()
		}
	})
	return db
}

// reopen closes raw and opens the store on the file at path again, which
// applies the migrations not yet recorded.
func reopen(t *testing.T, raw *gorm.DB, path string) *store.Store {
	t.Helper()
	if db, err := raw.DB(); err == nil {
		db.Close()
	}
	s, err := store.Open(context.Background(), "sqlite:"+path, store.Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
