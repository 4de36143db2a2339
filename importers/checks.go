package importers

import (
	"fmt"
	"math"
	"sort"

	"github.com/reliefgap/reliefgap/internal/access"
)

// Tolerances of the cross-record checks.
const (
	// yearOnYearFactor: a change by more than this factor (up or down)
	// between consecutive years of one series is a warning.
	yearOnYearFactor = 10
	// stockTolerance: a stock balance may miss by this share of the stock,
	// or by 1 kg, before it is a warning.
	stockTolerance = 0.05
)

// yoyFloor is the smallest value, per kind, whose year-on-year change is
// checked; smaller values (a few grams, a handful of deaths) swing by
// chance.
var yoyFloor = map[access.ImportKind]float64{
	access.KindConsumption: 1000, // 1 kg
	access.KindEstimates:   1000,
	access.KindPopulation:  1000,
	access.KindDeaths:      100,
}

var yoyFields = map[access.ImportKind][]int{
	access.KindConsumption: {fConsumed, fManufactured, fStock},
	access.KindEstimates:   {fTotal},
	access.KindPopulation:  {fPopTotal},
	access.KindDeaths:      {fDeaths},
}

// finalChecks runs the checks that need more than one record: year-on-year
// changes, consumption above the estimate and the stock balance.
func (r *run) finalChecks() {
	series := map[string][]*entry{}
	for _, e := range r.order {
		if e.kind == access.KindCountries {
			continue
		}
		sk := fmt.Sprint(e.kind, "|", e.iso3, "|", e.dim)
		series[sk] = append(series[sk], e)
	}
	for _, sk := range sortedKeys(series) {
		es := series[sk]
		sort.Slice(es, func(i, j int) bool { return es[i].year < es[j].year })
		for i := 1; i < len(es); i++ {
			prev, cur := es[i-1], es[i]
			if cur.year != prev.year+1 {
				continue
			}
			for _, f := range yoyFields[cur.kind] {
				if !prev.has(f) || !cur.has(f) {
					continue
				}
				a, b := prev.vals[f], cur.vals[f]
				if math.Max(a, b) < yoyFloor[cur.kind] || a == 0 || b == 0 {
					continue
				}
				if b/a > yearOnYearFactor || a/b > yearOnYearFactor {
					r.warnAt(cur.ref(f), CodeYearOnYear, cur.raw[f],
						"%s %s changed from %s to %s between %d and %d (more than ×%d)", cur.iso3, fieldNames[f], fmtG(a), fmtG(b), prev.year, cur.year, yearOnYearFactor)
				}
			}
			if cur.kind == access.KindConsumption {
				r.stockBalance(prev, cur)
			}
		}
	}
	// Consumption above the (annual plus supplementary) estimate.
	for _, c := range r.order {
		if c.kind != access.KindConsumption || !c.has(fConsumed) {
			continue
		}
		total, found := 0.0, false
		for _, ek := range []access.EstimateKind{access.EstimateAnnual, access.EstimateSupplementary} {
			ek := recKey{kind: access.KindEstimates, iso3: c.iso3, year: c.year, dim: c.dim + "|" + string(ek)}
			if e, ok := r.entries[ek]; ok && e.has(fTotal) {
				total += e.vals[fTotal]
				found = true
			}
		}
		if found && c.vals[fConsumed] > total*1.0001+1 {
			r.warnAt(c.ref(fConsumed), CodeAboveEstimate, c.raw[fConsumed],
				"consumption %s g is above the total estimate %s g for %s %d %s", fmtG(c.vals[fConsumed]), fmtG(total), c.iso3, c.year, c.dim)
		}
	}
}

// stockBalance checks stock(y) = stock(y−1) + manufacture + imports −
// exports − consumption − utilization − seizures, when the file gives
// every item.
func (r *run) stockBalance(prev, cur *entry) {
	for _, f := range []int{fStock, fManufactured, fImports, fExports, fConsumed, fUtilized} {
		if !cur.has(f) {
			return
		}
	}
	if !prev.has(fStock) {
		return
	}
	v := cur.vals
	want := prev.vals[fStock] + v[fManufactured] + v[fImports] - v[fExports] - v[fConsumed] - v[fUtilized]
	if cur.has(fSeizures) {
		want -= v[fSeizures]
	}
	if math.Abs(want-v[fStock]) > math.Max(1000, stockTolerance*math.Abs(v[fStock])) {
		r.warnAt(cur.ref(fStock), CodeStockBalance, cur.raw[fStock],
			"stock on 31 December %d is %s g; the previous stock and the year's movements give %s g", cur.year, fmtG(v[fStock]), fmtG(want))
	}
}
