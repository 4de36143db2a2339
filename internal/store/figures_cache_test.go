package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// countingInputs counts the reads of every input.
type countingInputs struct {
	*store.Store
	reads atomic.Int64
}

func (c *countingInputs) Inputs(ctx context.Context, f access.InputFilter) (map[string]*access.CountryInputs, error) {
	c.reads.Add(1)
	return c.Store.Inputs(ctx, f)
}

// TestFiguresComputedOncePerDataVersion: every country's figures are read
// and computed once per data version, however many ask at once; a
// publication makes them recompute once, with the new value.
func TestFiguresComputedOncePerDataVersion(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		imp := newImports(s)
		if _, err := imp.Import(ctx, access.Operator, "k.csv", []byte("KEN,2020,morphine,1000"), access.ImportOptions{Kind: access.KindConsumption, Publish: true}); err != nil {
			t.Fatal(err)
		}
		cs := &countingInputs{Store: s}
		gaps := &access.GapService{Store: cs}
		morphine := func(gs []access.CountryGaps) float64 {
			for _, g := range gs {
				if g.Country.ISO3 == "KEN" && len(g.Years) == 1 && g.Years[0].MEMg != nil {
					return *g.Years[0].MEMg
				}
			}
			return -1
		}
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := gaps.All(ctx, 2020, 2020, ""); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		first, err := gaps.All(ctx, 2020, 2020, "")
		if err != nil {
			t.Fatal(err)
		}
		if n := cs.reads.Load(); n != 1 {
			t.Fatalf("9 askers read the inputs %d times, want once", n)
		}
		// Morphine's oral morphine equivalent factor is 1: 1,000 g = 1,000,000 mg.
		if got := morphine(first); got != 1_000_000 {
			t.Fatalf("KEN 2020 ME = %g mg, want 1,000,000", got)
		}
		if _, err := imp.Import(ctx, access.Operator, "k2.csv", []byte("KEN,2020,morphine,2000"), access.ImportOptions{Kind: access.KindConsumption, Publish: true}); err != nil {
			t.Fatal(err)
		}
		after, err := gaps.All(ctx, 2020, 2020, "")
		if err != nil {
			t.Fatal(err)
		}
		if n := cs.reads.Load(); n != 2 || morphine(after) != 2_000_000 {
			t.Fatalf("after a publication: %d reads, ME %g mg; want 2 reads and 2,000,000 mg", n, morphine(after))
		}
	})
}
