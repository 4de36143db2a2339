package store_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	_ "github.com/glebarez/go-sqlite"

	"github.com/reliefgap/reliefgap/internal/store"
)

// The driver's "database is locked" is recognised as such (opening a new
// file that another process holds is retried on it), and nothing else is.
func TestSQLiteBusyIsRecognised(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "b.db")
	a, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := a.ExecContext(ctx, "CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	tx, err := a.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	_, err = b.ExecContext(ctx, "INSERT INTO t VALUES (2)")
	if err == nil || !store.SQLiteBusy(err) {
		t.Fatalf("a write while another holds the lock: %v, busy %v", err, store.SQLiteBusy(err))
	}
	if store.SQLiteBusy(errors.New("database is locked")) {
		t.Fatal("a plain error taken for the driver's")
	}
	if _, err := b.ExecContext(ctx, "SELECT * FROM nowhere"); err == nil || store.SQLiteBusy(err) {
		t.Fatalf("another driver error: %v", err)
	}
}
