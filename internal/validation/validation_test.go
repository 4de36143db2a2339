package validation

import (
	"math"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
)

func factors() access.FactorSet {
	t := func(name string, kind access.FactorKind, rows ...access.FactorRow) access.FactorTable {
		return access.FactorTable{Name: name, Version: 1, Kind: kind, Rows: rows}
	}
	return access.FactorSet{
		SDDD:         t(access.TableSDDD, access.KindSDDD, access.FactorRow{Key: "morphine", Value: 100}, access.FactorRow{Key: "hydrocodone", Value: 30}),
		ME:           t(access.TablePPSG, access.KindMorphineEquivalence, access.FactorRow{Key: "morphine", Value: 1}),
		Basket:       t(access.TablePainBasket, access.KindBasket, access.FactorRow{Key: "morphine"}),
		BenchmarkRef: t(access.TableBenchmarkRef, access.KindReference, access.FactorRow{Key: access.BenchmarkRefKey, Value: 256}),
		Need:         []access.FactorTable{t(access.ModelBenchmark, access.KindNeedModel, access.FactorRow{Key: "population", Value: 256})},
	}
}

func country(iso3 string, pop float64, drugs map[string]float64) *access.CountryInputs {
	ci := &access.CountryInputs{Country: access.Country{ISO3: iso3, Name: iso3}}
	for y := 2009; y <= 2013; y++ {
		ci.Population = append(ci.Population, access.Population{ISO3: iso3, Year: y, Persons: pop})
		for d, g := range drugs {
			ci.Consumption = append(ci.Consumption, access.Consumption{ISO3: iso3, Year: y, Drug: d, Grams: access.F(g), State: access.ValueReported})
		}
	}
	return ci
}

// Exact arithmetic on two small countries: North America's S-DDD with and
// without hydrocodone, and the population share behind 92% of morphine.
func TestRun(t *testing.T) {
	cat := Catalogue{Version: 1, Figures: []Published{
		{ID: "na", What: "NA", Unit: "S-DDD per million per day", Value: 1000, Years: [2]int{2011, 2013}, Measure: "sddd", Group: "north-america", Citation: "A"},
		{ID: "na-h", Value: 2500, Years: [2]int{2011, 2013}, Measure: "sddd-hydrocodone", Group: "north-america", Citation: "A"},
		{ID: "92", Value: 17, Years: [2]int{2011, 2013}, Measure: "morphine-92-population-pct", Group: "world", Citation: "B | C"},
	}}
	in := Input{Countries: map[string]*access.CountryInputs{
		// USA: 36,500 g morphine = 36,500,000 mg ÷ 100 mg = 365,000 S-DDD a year ÷ 365 days ÷ 1 million people
		// = 1,000 S-DDD per million per day; 10,950 g hydrocodone ÷ 30 mg = 365,000 S-DDD: 1,000 more.
		"USA": country("USA", 1e6, map[string]float64{"morphine": 36500, "hydrocodone": 10950}),
		// IND: 3,650 g morphine for 9 million people.
		"IND": country("IND", 9e6, map[string]float64{"morphine": 3650}),
	}, Factors: factors(), DataVersion: 7}
	rep := Run(cat, in)
	want := []struct {
		ours, ratio float64
		countries   int
	}{
		{1000, 1, 1},
		{2000, 0.8, 1},
		// Morphine 40,150 g a year; 92% = 36,938 g. USA (36.5 g per 1,000 people) first, whole: 36,500 g,
		// 1,000,000 people; IND gives the remaining 438 g of its 3,650 g: 0.12 × 9,000,000 = 1,080,000
		// people. 2,080,000 of 10,000,000 people = 20.8%.
		{20.8, 20.8 / 17, 2},
	}
	for i, w := range want {
		r := rep.Rows[i]
		if r.Ours == nil || math.Abs(*r.Ours-w.ours) > 1e-9 || math.Abs(*r.Ratio-w.ratio) > 1e-9 || r.Countries != w.countries {
			t.Errorf("%s: ours %v ratio %v countries %d, want %v %v %d (%s)", r.ID, r.Ours, r.Ratio, r.Countries, w.ours, w.ratio, w.countries, r.Detail)
		}
	}
	md := string(Markdown(rep))
	for _, s := range []string{"| NA | 2011–2013 | 1000 S-DDD per million per day | 1000 | 1.00 | 1 |", "Data version 7", "- B | C"} {
		if !strings.Contains(md, s) {
			t.Errorf("markdown lacks %q:\n%s", s, md)
		}
	}
}

// The embedded catalogue reads, and every figure has a citation, a reason
// and a measure Run knows.
func TestCatalogue(t *testing.T) {
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if cat.Version < 1 || len(cat.Figures) < 10 {
		t.Fatalf("catalogue %d with %d figures", cat.Version, len(cat.Figures))
	}
	rep := Run(cat, Input{Countries: map[string]*access.CountryInputs{}, Factors: factors()})
	for _, r := range rep.Rows {
		if r.Citation == "" || r.Reason == "" || strings.HasPrefix(r.Detail, "no computation") {
			t.Errorf("%s: citation %q, reason %q, %s", r.ID, r.Citation, r.Reason, r.Detail)
		}
	}
}
