package access

import (
	"fmt"
	"math"
)

// MaxQuantityGrams is the largest single quantity of one drug accepted for
// one country-year: 10⁶ kg, far above any country's yearly use of any
// opioid (the largest published national consumption, of codeine, is some
// tens of tonnes). Larger values are typing or unit errors, and values near
// the float64 limit would overflow to +Inf in sums.
const MaxQuantityGrams = 1e9

// MaxMEMgPerCapita is the morphine-equivalent consumption per person and
// year above which an import warns: the highest published national figure
// is under 1,000 mg.
const MaxMEMgPerCapita = 10000

// PlausibleGrams reports whether v is a finite, non-negative quantity no
// larger than MaxQuantityGrams.
func PlausibleGrams(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0) && v >= 0 && v <= MaxQuantityGrams
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// CheckBatch refuses a batch holding a value no layer may store: NaN or
// ±Inf anywhere, or a drug quantity that is negative or over
// MaxQuantityGrams. Importers report such cells as row problems; this is
// the domain's own guard before anything is staged, whatever the parser.
func CheckBatch(b Batch) error {
	const op = "CheckBatch"
	grams := func(what string, iso3 string, year int, vs ...*float64) error {
		for _, v := range vs {
			if v != nil && !PlausibleGrams(*v) {
				return Errorf(Invalid, op, "%s %s %d: %v g is not a quantity (finite, 0 to %g g)", what, iso3, year, *v, float64(MaxQuantityGrams))
			}
		}
		return nil
	}
	plain := func(what string, iso3 string, year int, vs ...*float64) error {
		for _, v := range vs {
			if v != nil && !finite(*v) {
				return Errorf(Invalid, op, "%s %s %d: %v is not a finite number", what, iso3, year, *v)
			}
		}
		return nil
	}
	for _, c := range b.Consumption {
		if err := grams("consumption", c.ISO3, c.Year, c.Grams, c.Manufactured, c.UtilizedForManufacture, c.Stock, c.Seizures); err != nil {
			return err
		}
	}
	for _, e := range b.Estimates {
		if err := grams("estimate", e.ISO3, e.Year, e.ToBeConsumed, e.UtilizedForManufacture, e.StockTarget, e.SpecialStocks, e.Total); err != nil {
			return err
		}
	}
	for _, p := range b.Population {
		if !finite(p.Persons) || p.Persons < 0 {
			return Errorf(Invalid, op, "population %s %d: %v is not a number of persons", p.ISO3, p.Year, p.Persons)
		}
	}
	for _, d := range b.Deaths {
		if !finite(d.Deaths) || d.Deaths < 0 {
			return Errorf(Invalid, op, "deaths %s %d: %v is not a number of deaths", d.ISO3, d.Year, d.Deaths)
		}
	}
	for _, a := range b.Availability {
		if err := plain("availability", a.ISO3, a.Year, a.AvailabilityPct, a.MedianPriceRatio, a.MedianUnitPrice, a.DailyWage); err != nil {
			return err
		}
	}
	return nil
}

// METally sums morphine-equivalent consumption by country-year as batches
// pass, so that the per-capita check holds one number per country-year,
// never the records.
type METally struct {
	factor func(drug string) (float64, bool) // mg ME per mg of drug; ok false when none
	index  map[string]int32                  // country → its place in countries
	rows   []meCountry
	order  []meKey // country-years in first-seen order
}

// meCountry is one country's sums, by year from first.
type meCountry struct {
	iso3  string
	first int
	sum   []float64
	seen  []bool
}

type meKey struct{ c, year int32 }

// NewMETally returns a tally using meFactor (mg of oral morphine per mg of
// a drug; ok false when the drug has none).
func NewMETally(meFactor func(drug string) (float64, bool)) *METally {
	return &METally{factor: meFactor, index: map[string]int32{}}
}

// at is the slot of year in country c's sums, widening its span of years.
func (t *METally) at(c int32, year int) int {
	r := &t.rows[c]
	switch {
	case len(r.sum) == 0:
		r.first = year
		r.sum, r.seen = make([]float64, 1), make([]bool, 1)
	case year < r.first:
		n := r.first - year
		r.sum = append(make([]float64, n, n+len(r.sum)), r.sum...)
		r.seen = append(make([]bool, n, n+len(r.seen)), r.seen...)
		r.first = year
	case year-r.first >= len(r.sum):
		n := year - r.first + 1 - len(r.sum)
		r.sum = append(r.sum, make([]float64, n)...)
		r.seen = append(r.seen, make([]bool, n)...)
	}
	return year - r.first
}

// Add counts the reported consumption of cs.
func (t *METally) Add(cs []Consumption) {
	for _, c := range cs {
		if c.Grams == nil || *c.Grams <= 0 {
			continue
		}
		f, ok := t.factor(c.Drug)
		if !ok {
			continue
		}
		ci, ok := t.index[c.ISO3]
		if !ok {
			ci = int32(len(t.rows))
			t.index[c.ISO3] = ci
			t.rows = append(t.rows, meCountry{iso3: c.ISO3})
		}
		i := t.at(ci, c.Year)
		r := &t.rows[ci]
		if !r.seen[i] {
			r.seen[i] = true
			t.order = append(t.order, meKey{ci, int32(c.Year)})
		}
		r.sum[i] += *c.Grams * 1000 * f
	}
}

// Countries lists the countries counted, in first-seen order.
func (t *METally) Countries() []string {
	var out []string
	seen := map[int32]bool{}
	for _, k := range t.order {
		if !seen[k.c] {
			seen[k.c] = true
			out = append(out, t.rows[k.c].iso3)
		}
	}
	return out
}

// Warnings returns a warning for each country-year whose morphine-equivalent
// consumption per person would exceed MaxMEMgPerCapita, where population
// (ok false when unknown) knows the country-year's persons.
func (t *METally) Warnings(population func(iso3 string, year int) (float64, bool)) []Problem {
	var out []Problem
	for _, k := range t.order {
		r := &t.rows[k.c]
		iso3, year := r.iso3, int(k.year)
		pop, ok := population(iso3, year)
		if !ok || pop <= 0 {
			continue
		}
		if pc := r.sum[year-r.first] / pop; pc > MaxMEMgPerCapita {
			out = append(out, Problem{Severity: SeverityWarning, Code: "implausible_me_per_capita",
				Message: fmt.Sprintf("%s %d: %.0f mg morphine equivalent per person, over %d mg (the highest published national figure is under 1,000 mg); check the unit", iso3, year, pc, MaxMEMgPerCapita)})
		}
	}
	return out
}
