package importers

import (
	"math"

	"github.com/reliefgap/reliefgap/internal/access"
)

// subtotals cross-checks the region subtotal and Total rows of an INCB
// table against the sum of the countries they cover. INCB prints its
// regions either after their countries (the subtotal closes the block) or
// before them (a heading row carrying the region's figures); the first
// subtotal tells which: one with no countries above it is a heading.
type subtotals struct {
	events  []subtotalRow
	seg     map[int]float64 // country sums by column since the last subtotal
	segN    int
	all     map[int]float64 // country sums by column over the table
	allN    int
	enabled bool
}

type subtotalRow struct {
	at      cellRef
	agg     aggregate
	vals    map[int]float64 // by column index, grams
	raw     map[int]string
	before  map[int]float64 // the countries since the previous subtotal
	beforeN int
}

// newSubtotals checks the subtotals of wide drug tables only: where a row
// names its own drug or year (a Drug or Year column), a column's sum
// mixes drugs or years and says nothing.
func newSubtotals(t *table) *subtotals {
	_, drugCol := t.id[roleDrug]
	_, yearCol := t.id[roleYear]
	on := (t.kind == access.KindConsumption || t.kind == access.KindEstimates) && !drugCol && !yearCol
	return &subtotals{seg: map[int]float64{}, all: map[int]float64{}, enabled: on}
}

// country adds a country's value in column col.
func (s *subtotals) country(col int, grams float64) {
	if !s.enabled {
		return
	}
	s.seg[col] += grams
	s.all[col] += grams
}

// countryRow counts a country row.
func (s *subtotals) countryRow() {
	s.segN++
	s.allN++
}

// subtotal records an aggregate row's values.
func (r *run) subtotal(t *table, n int, cells []string, agg *aggregate) {
	s := t.sub
	if s == nil || !s.enabled || agg.publisher != "incb" {
		return
	}
	ev := subtotalRow{at: cellRef{t.sheet, n, -1}, agg: *agg, vals: map[int]float64{}, raw: map[int]string{},
		before: s.seg, beforeN: s.segN}
	for _, v := range t.vals {
		if v.idx >= len(cells) {
			continue
		}
		raw := cells[v.idx]
		if isBlank(raw) || isNotGiven(raw) {
			continue
		}
		g := 0.0
		if !isDash(raw) {
			p, err := readPublished(raw, r.subtotalLocale(), true)
			if err != nil {
				continue
			}
			u := firstUnit(p.unit, v.unit, t.ctxUnit)
			if !u.ok() {
				continue
			}
			frac := v.frac
			if frac == 0 {
				frac = t.ctxDrug.frac
			}
			if frac == 0 {
				frac = 1
			}
			g = round12(p.v * u.mult * frac)
		}
		ev.vals[v.idx], ev.raw[v.idx] = g, raw
	}
	s.events = append(s.events, ev)
	s.seg, s.segN = map[int]float64{}, 0
}

// subtotalLocale reads subtotal figures as the upload's locale says, or
// with thousands commas, as INCB prints them.
func (r *run) subtotalLocale() Locale {
	if r.givenLocale != LocaleUnknown {
		return r.givenLocale
	}
	if r.locale != LocaleUnknown {
		return r.locale
	}
	return LocaleDot
}

func firstUnit(us ...unit) unit {
	for _, u := range us {
		if u.ok() {
			return u
		}
	}
	return unit{}
}

// checkSubtotals compares, at the end of a table, each subtotal with its
// countries and each Total with all of them. The tolerance is half the
// table's unit per country (each was rounded) and at least one unit.
func (r *run) checkSubtotals(t *table) {
	s := t.sub
	if s == nil || !s.enabled || len(s.events) == 0 {
		return
	}
	var regions []int
	for i, ev := range s.events {
		if ev.agg.group != "total" {
			regions = append(regions, i)
		}
	}
	heading := len(regions) > 0 && s.events[regions[0]].beforeN == 0
	for i, ev := range s.events {
		sums, n, what := ev.before, ev.beforeN, "the countries above it"
		switch {
		case ev.agg.group == "total":
			sums, n, what = s.all, s.allN, "all countries of the table"
		case heading:
			// The countries after the heading: up to the next subtotal.
			if i+1 < len(s.events) {
				sums, n = s.events[i+1].before, s.events[i+1].beforeN
			} else {
				sums, n = s.seg, s.segN
			}
			what = "the countries below it"
		}
		if n == 0 {
			continue
		}
		for _, v := range t.vals {
			got, ok := ev.vals[v.idx]
			if !ok {
				continue
			}
			u := firstUnit(v.unit, t.ctxUnit)
			if !u.ok() {
				u = unit{"g", 1}
			}
			want := sums[v.idx]
			tol := math.Max(u.mult, 0.5*u.mult*float64(n))
			if math.Abs(got-want) > tol+1e-9 {
				at := ev.at
				at.col = v.idx
				r.warnAt(at, CodeSubtotalMismatch, ev.raw[v.idx],
					"%s reads %s %s; %s (%d) sum to %s %s, a difference beyond rounding", ev.agg.name, fmtNum(got/u.mult), u.name,
					what, n, fmtNum(want/u.mult), u.name)
			}
		}
	}
}
