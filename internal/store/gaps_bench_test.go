package store_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/reliefgap/reliefgap/importers"
	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// benchDataDir holds the published data beside the repository.
const benchDataDir = "../../../shared/data"

// benchFiles are loaded in this order: country metadata first.
var benchFiles = []struct {
	name string
	kind access.ImportKind
}{
	{"countries.csv", access.KindCountries},
	{"population_wpp2019.csv", access.KindPopulation},
	{"deaths_gbd2019.csv", access.KindDeaths},
	{"incb_consumption_kg_1989_2013.csv", access.KindConsumption},
}

var (
	benchOnce  sync.Once
	benchStore *store.Store
	benchErr   error
)

// sharedGapStore loads the shared data through the real import service and
// parser into an in-memory SQLite store, once per test binary.
func sharedGapStore(b *testing.B) *store.Store {
	b.Helper()
	if _, err := os.Stat(benchDataDir); errors.Is(err, fs.ErrNotExist) {
		b.Skipf("shared data not found at %s: skipping the gap benchmarks", benchDataDir)
	}
	benchOnce.Do(func() {
		ctx := context.Background()
		s, err := store.Open(ctx, "sqlite::memory:", store.Options{Migrate: true})
		if err != nil {
			benchErr = err
			return
		}
		imports := &access.ImportService{Store: s, Parser: importers.New()}
		for _, f := range benchFiles {
			data, err := os.ReadFile(filepath.Join(benchDataDir, f.name))
			if err != nil {
				benchErr = err
				return
			}
			res, err := imports.Import(ctx, access.Operator, f.name, data, access.ImportOptions{Kind: f.kind, Publish: true})
			if err != nil {
				benchErr = fmt.Errorf("%s: %w", f.name, err)
				return
			}
			if res.Upload.Status != access.StatusPublished {
				benchErr = fmt.Errorf("%s was %s: %d errors", f.name, res.Upload.Status, res.Upload.Counts.Errors)
				return
			}
		}
		benchStore = s
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchStore
}

// benchGapAll runs GapService.All(from, to) and reports the time per
// country-year computed (inputs read from the database included).
func benchGapAll(b *testing.B, s *store.Store, from, to int) {
	ctx := context.Background()
	countryYears, countries := 0, 0
	for b.Loop() {
		// A fresh service each time: GapService keeps figures per data
		// version, and this measures the recompute, inputs read included.
		gaps := &access.GapService{Store: s}
		all, err := gaps.All(ctx, from, to, "")
		if err != nil {
			b.Fatal(err)
		}
		countryYears, countries = 0, len(all)
		for _, g := range all {
			countryYears += len(g.Years)
		}
	}
	if countryYears == 0 {
		b.Fatal("no country-years computed")
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(countryYears), "ns/country-year")
	b.ReportMetric(float64(countryYears), "country-years")
	b.ReportMetric(float64(countries), "countries")
}

// BenchmarkGapAll recomputes every country's figures for every year it
// reported consumption (GapService.All(ctx, 0, 0, "")).
func BenchmarkGapAll(b *testing.B) {
	s := sharedGapStore(b)
	benchGapAll(b, s, 0, 0)
}

// BenchmarkGapAllYears shows how the recompute grows with the number of
// years: the last 1, 5, 10 and 25 years of the INCB series (1989–2013).
func BenchmarkGapAllYears(b *testing.B) {
	s := sharedGapStore(b)
	const last = 2013
	for _, n := range []int{1, 5, 10, 25} {
		b.Run(fmt.Sprintf("years=%d", n), func(b *testing.B) {
			benchGapAll(b, s, last-n+1, last)
		})
	}
}

// BenchmarkGapAllInMemory computes every country and year from inputs
// already in memory: the arithmetic alone, without reading the database.
func BenchmarkGapAllInMemory(b *testing.B) {
	s := sharedGapStore(b)
	ctx := context.Background()
	gaps := &access.GapService{Store: s}
	fs, err := gaps.FactorSet(ctx, "")
	if err != nil {
		b.Fatal(err)
	}
	in, err := s.Inputs(ctx, access.InputFilter{})
	if err != nil {
		b.Fatal(err)
	}
	ss, err := s.Successions(ctx)
	if err != nil {
		b.Fatal(err)
	}
	access.PrepareBorders(in, ss)
	countryYears := 0
	for b.Loop() {
		countryYears = 0
		for _, ci := range in {
			countryYears += len(access.ComputeCountry(*ci, fs, fs.Need[0].Name, 0, 0).Years)
		}
	}
	b.ReportMetric(float64(countryYears), "country-years")
}
