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
	path := filepath.Join(t.TempDir(), "o.db")
	s, err := store.Open(ctx, "sqlite:"+path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	raw, err := gorm.Open(sqlite.Open(path), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DELETE FROM goose_db_version WHERE version_id = 12`, `ALTER TABLE consumption DROP COLUMN stock_out_days`} {
		if err := raw.Exec(q).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if db, err := raw.DB(); err == nil {
		db.Close()
	}
	s, err = store.Open(ctx, "sqlite:"+path, store.Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if v, err := s.SchemaVersion(ctx); err != nil || v < 14 {
		t.Fatalf("schema version %d, %v", v, err)
	}
	if _, err := s.SubmittedInputs(ctx, "KEN"); err != nil {
		t.Fatalf("0012 not applied: %v", err)
	}
}
