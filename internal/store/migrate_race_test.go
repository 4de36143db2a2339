package store_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/reliefgap/reliefgap/internal/store"
)

// TestOpenNewSQLiteFileAtOnce: processes opening a new SQLite file at the
// same moment (a CLI import and serve) both end migrated.
func TestOpenNewSQLiteFileAtOnce(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "new.db")
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := store.Open(context.Background(), dsn, store.Options{})
			if err == nil {
				s.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
	}
}
