package store_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// The probes that reached the database: infinite and absurd quantities, a
// file name that is not UTF-8 and a NUL in a rejection reason. Each is
// refused with Invalid (400), nothing is stored, and on PostgreSQL no
// driver error (500) escapes.
func TestImportRefusesValuesNoLayerMayStore(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		imp := newImports(s)
		for _, grams := range []string{"Inf", "-Inf", "NaN", "1.8e305", "1000000001"} {
			res, err := imp.Import(ctx, access.Operator, "k.csv", []byte("KEN,2020,morphine,"+grams), access.ImportOptions{Kind: access.KindConsumption, Publish: true})
			if err != nil {
				t.Fatalf("%s: %v", grams, err)
			}
			u := res.Upload
			if u.Status != access.StatusRejected || u.Counts.Errors != 1 || !strings.Contains(u.Problems[0].Message, "is not a quantity") {
				t.Fatalf("%s: upload = %+v", grams, u)
			}
			if got := publishedGrams(t, s, "KEN"); len(got) != 0 {
				t.Fatalf("%s: stored %v", grams, got)
			}
		}
		// 10⁶ kg exactly is the largest quantity accepted.
		res, err := imp.Import(ctx, access.Operator, "k.csv", []byte("KEN,2020,morphine,1000000000"), access.ImportOptions{Kind: access.KindConsumption, Publish: true})
		if err != nil || res.Upload.Status != access.StatusPublished {
			t.Fatalf("10⁶ kg: %+v, %v", res.Upload, err)
		}
		// The store refuses on its own too.
		err = s.WithImport(ctx, res.Upload.ID, func(w access.ImportWriter) error {
			return w.Stage(ctx, access.Batch{Population: []access.Population{{ISO3: "KEN", Year: 2020, Persons: math.NaN()}}})
		})
		if access.ErrorCode(err) != access.Invalid {
			t.Fatalf("Stage(NaN persons) = %v", err)
		}
	})
}

func TestImportRefusesHostileText(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		imp := newImports(s)
		_, err := imp.Import(ctx, access.Operator, "k\xff\xfe.csv", []byte("KEN,2020,morphine,1"), access.ImportOptions{Kind: access.KindConsumption})
		if access.ErrorCode(err) != access.Invalid || !strings.Contains(err.Error(), "UTF-8") {
			t.Fatalf("non-UTF-8 name: %v", err)
		}
		res, err := imp.Import(ctx, access.Operator, "k.csv", []byte("KEN,2020,morphine,1"), access.ImportOptions{Kind: access.KindConsumption})
		if err != nil || res.Upload.Status != access.StatusSubmitted {
			t.Fatalf("%+v, %v", res.Upload, err)
		}
		_, err = imp.Reject(ctx, access.Operator, res.Upload.ID, "bad\x00reason", "")
		if access.ErrorCode(err) != access.Invalid {
			t.Fatalf("NUL in reason: %v", err)
		}
	})
}

// A country-year whose consumption would be over 10,000 mg ME per person
// is a warning when the population is published.
func TestImportWarnsOfImplausibleMEPerCapita(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		imp := newImports(s)
		if res, err := imp.Import(ctx, access.Operator, "p.csv", []byte("pop,KEN,2020,1000"), access.ImportOptions{Kind: access.KindPopulation, Publish: true}); err != nil || res.Upload.Status != access.StatusPublished {
			t.Fatalf("%+v, %v", res.Upload, err)
		}
		// 1,000 g fentanyl × 1000 mg/g × 83.3 (ppsg) / 1,000 persons = 83,300 mg ME per person.
		// KEN 2021 has no population: no warning.
		res, err := imp.Import(ctx, access.Operator, "c.csv", []byte("KEN,2020,fentanyl,1000\nKEN,2021,fentanyl,1000"), access.ImportOptions{Kind: access.KindConsumption})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range res.Upload.Problems {
			if p.Code == "implausible_me_per_capita" {
				got = append(got, p.Message)
			}
		}
		if len(got) != 1 || !strings.HasPrefix(got[0], "KEN 2020: 83300 mg morphine equivalent per person") || res.Upload.Status != access.StatusSubmitted {
			t.Fatalf("warnings %q, upload %+v", got, res.Upload)
		}
	})
}
