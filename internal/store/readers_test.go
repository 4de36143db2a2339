package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// heldParser emits batches of consumption rows, then says so on staged and
// waits for release: an import transaction held open, mid-import.
type heldParser struct {
	staged, release chan struct{}
}

func (p heldParser) Parse(ctx context.Context, in access.ParseInput, emit func(access.Batch) error) (access.ParseResult, error) {
	res := access.ParseResult{Kind: access.KindConsumption}
	// More batches than the hand-over buffer holds: the last emit returns
	// only once staging has begun.
	for i := range 6 {
		var b access.Batch
		for y := range 500 {
			res.Rows++
			b.Consumption = append(b.Consumption, access.Consumption{ISO3: "UGA", Year: 1000 + i*500 + y, Drug: "morphine",
				Grams: access.F(1), Lineage: access.Lineage{Row: res.Rows}})
		}
		if err := emit(b); err != nil {
			return res, err
		}
	}
	close(p.staged)
	select {
	case <-p.release:
	case <-ctx.Done():
		return res, ctx.Err()
	}
	return res, nil
}

// TestReadsWhileImporting: on an SQLite file, an import holds the one write
// lock for as long as it runs; gap reads, pings and upload views go through
// the read pool and answer at once meanwhile.
func TestReadsWhileImporting(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "r.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := newImports(s).Import(ctx, access.Operator, "k.csv", []byte("KEN,2020,morphine,1000"), access.ImportOptions{Kind: access.KindConsumption, Publish: true}); err != nil {
		t.Fatal(err)
	}
	p := heldParser{staged: make(chan struct{}), release: make(chan struct{})}
	imp := &access.ImportService{Store: s, Parser: p}
	done := make(chan error, 1)
	go func() {
		_, err := imp.Import(ctx, access.Operator, "big.csv", []byte("many rows"), access.ImportOptions{Kind: access.KindConsumption, Publish: true})
		done <- err
	}()
	select {
	case <-p.staged:
	case err := <-done:
		t.Fatalf("the import ended early: %v", err)
	}
	time.Sleep(50 * time.Millisecond) // the first batches go in

	gaps := &access.GapService{Store: s}
	start := time.Now()
	rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	g, err := gaps.Country(rctx, "KEN", 2020, 2020, "")
	if err != nil {
		t.Fatalf("a gap read during the import: %v", err)
	}
	if err := s.Ping(rctx); err != nil {
		t.Fatalf("ping during the import: %v", err)
	}
	if _, err := s.Uploads(rctx, access.UploadFilter{}); err != nil {
		t.Fatalf("listing uploads during the import: %v", err)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Fatalf("reads took %v while the import held the writer", elapsed)
	}
	// The read sees what was published before, nothing of the import.
	if len(g.Years) != 1 || g.Years[0].MEMg == nil {
		t.Fatalf("gaps = %+v", g.Years)
	}
	in, err := s.Inputs(rctx, access.InputFilter{ISO3: "UGA"})
	if err != nil || len(in["UGA"].Consumption) != 0 {
		t.Fatalf("uncommitted rows visible: %v", err)
	}
	close(p.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := publishedGrams(t, s, "UGA"); len(got) != 3000 {
		t.Fatalf("%d rows published after the import, want 3000", len(got))
	}
}
