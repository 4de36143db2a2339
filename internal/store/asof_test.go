package store_test

import (
	"context"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// On every backend: a correction withdraws the row it replaces at the
// correcting data version, so the inputs as of the earlier version are the
// earlier rows; a second population source is kept beside the first; the
// settings and factor tables are answered as they stood.
func TestInputsAsOf(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		imp := newImports(s)
		publish := func(name, data string, terms access.Terms) {
			t.Helper()
			res, err := imp.Import(ctx, access.Operator, name, []byte(data), access.ImportOptions{Publish: true, Terms: terms})
			if err != nil || res.Upload.Status != access.StatusPublished {
				t.Fatalf("%s: %+v %v", name, res.Upload, err)
			}
		}
		publish("a-pop.csv", "pop,KEN,2020,1000000", access.Terms{Source: "UN WPP 2019"})
		publish("a.csv", "KEN,2020,morphine,1000", access.Terms{})
		v1, _ := s.DataVersion(ctx)
		if err := s.SetSetting(ctx, access.SettingSuspectedNotReported, "off"); err != nil {
			t.Fatal(err)
		}
		publish("b-pop.csv", "pop,KEN,2020,2000000", access.Terms{Source: "World Bank WDI 2024"})
		publish("b.csv", "KEN,2020,morphine,2000", access.Terms{})
		v2, _ := s.DataVersion(ctx)

		grams := func(v int64, src string) (float64, []float64) {
			t.Helper()
			in, err := s.Inputs(ctx, access.InputFilter{ISO3: "KEN", AsOf: v, PopulationSource: src})
			if err != nil {
				t.Fatal(err)
			}
			var ps []float64
			for _, p := range in["KEN"].Population {
				ps = append(ps, p.Persons)
			}
			if len(in["KEN"].Consumption) != 1 {
				t.Fatalf("as of %d: %d consumption rows", v, len(in["KEN"].Consumption))
			}
			return *in["KEN"].Consumption[0].Grams, ps
		}
		if g, ps := grams(v1, ""); g != 1000 || len(ps) != 1 || ps[0] != 1e6 {
			t.Errorf("as of %d: %v g, population %v", v1, g, ps)
		}
		// Now: the corrected consumption, and both population series.
		if g, ps := grams(0, ""); g != 2000 || len(ps) != 2 {
			t.Errorf("now: %v g, population %v", g, ps)
		}
		if _, ps := grams(v2, "World Bank WDI 2024"); len(ps) != 1 || ps[0] != 2e6 {
			t.Errorf("WDI series: %v", ps)
		}
		series, err := s.Series(ctx, access.MeasurePopulation, 0)
		if err != nil || len(series) != 2 || series[0].Source != "UN WPP 2019" || series[1].Source != "World Bank WDI 2024" {
			t.Errorf("series = %+v, %v", series, err)
		}
		if series, _ := s.Series(ctx, access.MeasurePopulation, v1); len(series) != 1 {
			t.Errorf("series as of %d = %+v", v1, series)
		}
		if v, ok, _ := s.SettingAsOf(ctx, access.SettingSuspectedNotReported, v1); ok {
			t.Errorf("setting as of %d = %q, want unset", v1, v)
		}
		if v, ok, _ := s.SettingAsOf(ctx, access.SettingSuspectedNotReported, v2); !ok || v != "off" {
			t.Errorf("setting as of %d = %q %v", v2, v, ok)
		}
		// S-DDD version 2 (migration 0017) exists now and did at v1 (migrations come first).
		all, err := s.FactorTablesAsOf(ctx, v1)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ft := range all {
			if ft.Name == access.TableSDDD {
				n++
			}
		}
		if n != 2 {
			t.Errorf("S-DDD versions as of %d: %d", v1, n)
		}
		sddd, err := s.FactorTable(ctx, access.TableSDDD, 2)
		if err != nil {
			t.Fatal(err)
		}
		if h, _ := sddd.Value("hydrocodone"); h != 30 {
			t.Errorf("S-DDD v2 hydrocodone = %v", h)
		}
	})
}
