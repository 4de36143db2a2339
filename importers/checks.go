package importers

import (
	"errors"
	"math"

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
// changes and the stock balance, series by series in the order of their
// names and years ascending, then consumption above the estimate, in the
// order the records were read.
func (r *run) finalChecks() error {
	var a, b entry
	for _, id := range r.recs.sorted() {
		prev, cur, have := &a, &b, false
		for _, at := range r.recs.series[id].at {
			if at == 0 {
				continue
			}
			if err := r.recs.read(&r.recs.lookup, at, cur); err != nil {
				return r.recordsErr(err)
			}
			if have && cur.year == prev.year+1 {
				r.yearOnYear(prev, cur)
				if cur.kind == access.KindConsumption {
					r.stockBalance(prev, cur)
				}
			}
			prev, cur, have = cur, prev, true
		}
	}
	if err := r.aboveEstimate(); err != nil {
		return r.recordsErr(err)
	}
	return nil
}

// yearOnYear warns of a change by more than yearOnYearFactor between the
// records of consecutive years of one series.
func (r *run) yearOnYear(prev, cur *entry) {
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
}

// aboveEstimate warns of consumption above the (annual plus supplementary)
// estimate the file gives for the same country, year and drug.
func (r *run) aboveEstimate() error {
	rs := &r.recs
	if !rs.hasKind(access.KindEstimates) {
		return nil // no estimate to compare with
	}
	// The estimate series of each consumption series, -1 for none.
	estOf := make([][2]int32, len(rs.series))
	for id, s := range rs.series {
		for i, ek := range []access.EstimateKind{access.EstimateAnnual, access.EstimateSupplementary} {
			estOf[id][i] = -1
			if s.kind != access.KindConsumption {
				continue
			}
			if eid, ok := rs.ids[seriesKey{kind: access.KindEstimates, iso3: s.iso3, dim: s.dim + "|" + string(ek)}]; ok {
				estOf[id][i] = eid
			}
		}
	}
	var readErr error
	err := rs.each(func(c *entry) {
		if readErr != nil || c.kind != access.KindConsumption || !c.has(fConsumed) {
			return
		}
		total, found := 0.0, false
		for _, eid := range estOf[c.series] {
			if eid < 0 {
				continue
			}
			e, ok, err := rs.get(eid, c.year)
			if err != nil {
				readErr = err
				return
			}
			if ok && e.has(fTotal) {
				total += e.vals[fTotal]
				found = true
			}
		}
		if found && c.vals[fConsumed] > total*1.0001+1 {
			r.warnAt(c.ref(fConsumed), CodeAboveEstimate, c.raw[fConsumed],
				"consumption %s g is above the total estimate %s g for %s %d %s", fmtG(c.vals[fConsumed]), fmtG(total), c.iso3, c.year, c.dim)
		}
	})
	return errors.Join(err, readErr)
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
