package store_test

import (
	"context"
	"os"
	"testing"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// manyBatches emits batches of consumption records for KEN, one year per
// record; after the first batch it calls cut (when set).
type manyBatches struct {
	batches, per int
	cut          func()
}

func (p manyBatches) Parse(ctx context.Context, in access.ParseInput, emit func(access.Batch) error) (access.ParseResult, error) {
	res := access.ParseResult{Kind: access.KindConsumption, Layout: "test-batches"}
	year := 1000
	for i := range p.batches {
		var b access.Batch
		for range p.per {
			b.Consumption = append(b.Consumption, access.Consumption{ISO3: "KEN", Year: year, Drug: "morphine", Grams: access.F(1000)})
			year++
		}
		res.Rows += p.per
		if err := emit(b); err != nil {
			return res, err
		}
		if i == 0 && p.cut != nil {
			p.cut()
		}
	}
	return res, nil
}

// The PostgreSQL connection is cut in the middle of an import (every
// backend of the test's own database terminated with pg_terminate_backend;
// the server itself keeps running): the upload fails cleanly, nothing is
// stored, the raw file is kept, and the same upload then succeeds.
func TestImportSurvivesConnectionCut(t *testing.T) {
	dsn := os.Getenv("RELIEFGAP_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("RELIEFGAP_TEST_POSTGRES not set")
	}
	ctx := context.Background()
	dbURL := newPostgresDatabase(t, dsn)
	s, err := store.Open(ctx, dbURL, store.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	killer, err := gorm.Open(postgres.Open(dbURL), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if db, err := killer.DB(); err == nil {
		defer db.Close()
	}
	cuts := 0
	cut := func() {
		var n int
		killer.Raw(`SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&n)
		cuts += n
	}
	data := []byte("a large consumption file")
	imp := &access.ImportService{Store: s, Parser: manyBatches{batches: 20, per: 500, cut: cut}}
	opt := access.ImportOptions{Kind: access.KindConsumption, Publish: true}
	res, err := imp.Receive(ctx, access.Operator, "big.csv", data, opt)
	if err != nil {
		t.Fatal(err)
	}
	u, err := imp.Process(ctx, access.Operator, res.Upload, data, opt)
	if err == nil || cuts == 0 {
		t.Fatalf("the cut went unnoticed: %d backends terminated, upload %+v", cuts, u)
	}
	t.Logf("cut %d backends; Process: %v", cuts, err)
	got, err := s.Upload(ctx, res.Upload.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != access.StatusFailed {
		t.Fatalf("after the cut the upload is %s (%s), want failed", got.Status, got.Reason)
	}
	if n := len(publishedGrams(t, s, "KEN")); n != 0 {
		t.Fatalf("%d values stored by the cut import", n)
	}
	if b, err := s.Blob(ctx, res.Upload.SHA256); err != nil || string(b) != string(data) {
		t.Fatalf("raw file: %q, %v", b, err)
	}
	// The same upload again, the connection whole: 20 × 500 = 10,000 values.
	imp.Parser = manyBatches{batches: 20, per: 500}
	u, err = imp.Process(ctx, access.Operator, got, data, opt)
	if err != nil || u.Status != access.StatusPublished {
		t.Fatalf("retry: %+v, %v", u, err)
	}
	if n := len(publishedGrams(t, s, "KEN")); n != 10000 {
		t.Fatalf("%d values published, want 10000", n)
	}
}
