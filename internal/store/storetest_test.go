package store_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/reliefgap/reliefgap/internal/store"
)

// backends returns the stores every store test runs against: an in-memory
// SQLite database always, and a fresh PostgreSQL database (created for the
// test, dropped after it) when RELIEFGAP_TEST_POSTGRES names a server.
func backends(t *testing.T) map[string]*store.Store {
	t.Helper()
	out := map[string]*store.Store{"sqlite": openSQLite(t)}
	if dsn := os.Getenv("RELIEFGAP_TEST_POSTGRES"); dsn != "" {
		out["postgres"] = openPostgres(t, dsn)
	}
	return out
}

// eachBackend runs fn as a subtest on every backend.
func eachBackend(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	for name, s := range backends(t) {
		t.Run(name, func(t *testing.T) { fn(t, s) })
	}
}

func openSQLite(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), "sqlite::memory:", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openPostgres(t *testing.T, dsn string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), newPostgresDatabase(t, dsn), store.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newPostgresDatabase creates a fresh database on the server of dsn,
// dropped after the test, and returns its URL.
func newPostgresDatabase(t *testing.T, dsn string) string {
	t.Helper()
	admin, err := gorm.Open(postgres.Open(dsn), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatalf("RELIEFGAP_TEST_POSTGRES: %v", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "rgtest_" + hex.EncodeToString(b)
	if err := admin.Exec("CREATE DATABASE " + name).Error; err != nil {
		t.Fatalf("create test database: %v", err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	// Registered first, so it runs after the stores opened on it close.
	t.Cleanup(func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		if db, err := admin.DB(); err == nil {
			db.Close()
		}
	})
	return u.String()
}
