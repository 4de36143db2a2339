package importers

import (
	"fmt"
	"math"
	"strings"

	"github.com/reliefgap/reliefgap/internal/access"
)

// pending collects the values of one record while a row is read.
type pending struct {
	year  int
	drug  drugHit
	cause string
	vals  [nFields]float64
	set   uint32
	refs  [nFields]cellRef
	conv  string
}

// row reads one data row. counted is false for blank rows and notes.
func (r *run) row(t *table, n int, cells []string) (counted bool, err error) {
	cell := func(i int) string {
		if i < 0 || i >= len(cells) {
			return ""
		}
		return strings.TrimSpace(cells[i])
	}
	at := func(i int) cellRef { return cellRef{t.sheet, n, i} }
	nonBlank, only := 0, -1
	for i, c := range cells {
		if !isBlank(c) {
			nonBlank++
			only = i
		}
	}
	if nonBlank == 0 {
		return false, nil
	}
	if nonBlank == 1 && !t.isValueCol(only) {
		if _, err := ParseNumber(cells[only], LocaleUnknown); err != nil {
			return false, nil // a note or footnote line
		}
	}

	// Country.
	iso3, ref, skip := r.rowCountry(t, n, cell, at)
	if skip {
		return true, nil
	}
	if r.in.Country != "" && iso3 != r.in.Country {
		r.errorAt(ref, CodeOutOfScope, cell(ref.col), "this upload is for %s; the row names %s", r.in.Country, iso3)
		return true, nil
	}
	if t.kind == access.KindCountries {
		return true, r.countryRow(t, n, iso3, cell, at)
	}

	// Dimensions.
	year := t.ctxYear
	if i, ok := t.id[roleYear]; ok {
		s := cell(i)
		y, ok := parseYear(s)
		if !ok {
			if s == "" {
				r.errorAt(at(i), CodeMissingValue, s, "the year is missing")
			} else {
				r.errorAt(at(i), CodeInvalidYear, s, "%q is not a year between 1900 and 2100", s)
			}
			return true, nil
		}
		year = y
	}
	drug := t.ctxDrug
	if i, ok := t.id[roleDrug]; ok {
		s := cell(i)
		if s == "" {
			r.errorAt(at(i), CodeMissingValue, s, "the drug is missing")
			return true, nil
		}
		drug = r.resolveDrug(s)
		if !drug.ok {
			sug := r.in.Resolver.SuggestDrug(s, 3)
			r.match(access.Match{What: "drug", Value: s, Suggestions: sug})
			r.errorAt(at(i), CodeUnknownDrug, s, "unknown drug %q%s", s, didYouMean(sug))
			return true, nil
		}
	}
	if i, ok := t.id[roleSalt]; ok && (t.kind == access.KindConsumption || t.kind == access.KindEstimates) {
		if s := cell(i); s != "" && !isBaseForm(s) {
			h := r.resolveDrug(s)
			if !h.ok || (drug.ok && h.code != drug.code) {
				r.errorAt(at(i), CodeUnknownDrug, s, "unknown salt %q for %s%s", s, drug.code, didYouMean(r.in.Resolver.SuggestDrug(s, 3)))
				return true, nil
			}
			drug = h
		}
	}
	rowUnit := unit{}
	if i, ok := t.id[roleUnit]; ok {
		if s := cell(i); s != "" {
			u, ok := drugUnit(s)
			if t.kind == access.KindPopulation {
				u, ok = popUnit(s)
			}
			if !ok {
				r.errorAt(at(i), CodeUnknownUnit, s, "unknown unit %q (use kg, g or mg)", s)
				return true, nil
			}
			rowUnit = u
		}
	}
	if t.kind == access.KindPopulation {
		if i, ok := t.id[roleIndicatorCode]; ok {
			if s := cell(i); s != "" && !strings.EqualFold(s, "SP.POP.TOTL") {
				r.warnAt(at(i), CodeOtherIndicator, s, "indicator %q is not total population (SP.POP.TOTL); row skipped", s)
				return true, nil
			}
		} else if i, ok := t.id[roleIndicatorName]; ok {
			if s := cell(i); s != "" && access.NormalizeName(s) != "population total" {
				r.warnAt(at(i), CodeOtherIndicator, s, "indicator %q is not total population; row skipped", s)
				return true, nil
			}
		}
		if i, ok := t.id[roleVariant]; ok {
			if v := access.NormalizeName(cell(i)); v != "" && v != "medium" && v != "estimates" {
				return true, nil // projection variants other than the medium one
			}
		}
	}
	cause := ""
	if i, ok := t.id[roleCause]; ok && t.kind == access.KindDeaths {
		s := cell(i)
		cause = causeIn(access.NormalizeName(s))
		if cause == "" && s != "" {
			r.errorAt(at(i), CodeUnknownCause, s, "unknown cause of death %q", s)
			return true, nil
		}
	}
	estKind, estStatus := access.EstimateAnnual, access.EstimateSubmitted
	if t.kind == access.KindEstimates {
		if i, ok := t.id[roleEstKind]; ok {
			if s := cell(i); s != "" {
				k, ok := parseEstimateKind(s)
				if !ok {
					r.errorAt(at(i), CodeInvalidValue, s, "kind %q is neither annual nor supplementary", s)
					return true, nil
				}
				estKind = k
			}
		}
		if i, ok := t.id[roleStatus]; ok {
			if s := cell(i); s != "" {
				st, ok := parseEstimateStatus(s)
				if !ok {
					r.errorAt(at(i), CodeInvalidValue, s, "status %q is neither submitted nor confirmed", s)
					return true, nil
				}
				estStatus = st
			}
		}
	}

	// Quantities, grouped into records.
	recs := map[string]*pending{}
	var keys []string
	bad := false
	for _, v := range t.vals {
		s := cell(v.idx)
		if s == "" || isNotGiven(s) {
			continue
		}
		p := pending{year: year, drug: drug, cause: cause}
		if v.year != 0 {
			p.year = v.year
		}
		if v.drug != "" {
			p.drug = drugHit{code: v.drug, frac: v.frac, salt: v.salt, ok: true}
		}
		if v.cause != "" {
			p.cause = v.cause
		}
		var val float64
		if isDash(s) {
			r.warnAt(at(v.idx), CodeBelowThreshold, s, "\"-\" (nil or below the publication threshold) recorded as 0")
		} else {
			x, err := ParseNumber(s, r.locale)
			if err != nil {
				r.errorAt(at(v.idx), CodeInvalidNumber, s, "%q is not a number (%v)", s, err)
				bad = true
				continue
			}
			if x < 0 {
				r.errorAt(at(v.idx), CodeNegative, s, "negative quantity %s refused", s)
				bad = true
				continue
			}
			val = x
		}
		u := v.unit
		if !u.ok() {
			u = rowUnit
		}
		if !u.ok() {
			u = t.ctxUnit
		}
		switch {
		case v.field == fStockOut:
			if val > 366 {
				r.errorAt(at(v.idx), CodeInvalidValue, s, "%s days out of stock: a year has at most 366 days", s)
				bad = true
				continue
			}
		case t.kind == access.KindConsumption, t.kind == access.KindEstimates:
			if !u.ok() {
				r.errorAt(at(v.idx), CodeUnknownUnit, s, "no unit for this quantity")
				bad = true
				continue
			}
			val = round12(val * u.mult * p.drug.frac)
		case t.kind == access.KindPopulation:
			if u.ok() {
				val = round12(val * u.mult)
			} else if t.thousands {
				val = round12(val * 1000)
			}
		}
		k := fmt.Sprint(p.year, "|", p.drug.code, "|", p.cause)
		q := recs[k]
		if q == nil {
			q = &p
			recs[k] = q
			keys = append(keys, k)
		}
		if q.set&(1<<v.field) != 0 {
			continue // two columns for one field: the first wins
		}
		q.vals[v.field] = val
		q.set |= 1 << v.field
		q.refs[v.field] = at(v.idx)
		if q.conv == "" && v.field != fStockOut && (t.kind == access.KindConsumption || t.kind == access.KindEstimates) {
			q.conv = r.conversion(u, p.drug)
		}
	}
	if bad {
		return true, nil
	}
	for _, k := range keys {
		if err := r.record(t, n, iso3, ref, estKind, estStatus, recs[k]); err != nil {
			return true, err
		}
	}
	return true, nil
}

func (t *table) isValueCol(i int) bool {
	for _, v := range t.vals {
		if v.idx == i {
			return true
		}
	}
	return false
}

// rowCountry resolves the row's country from its code or name columns.
func (r *run) rowCountry(t *table, n int, cell func(int) string, at func(int) cellRef) (iso3 string, ref cellRef, skip bool) {
	if t.kind == access.KindCountries {
		if i, ok := t.id[roleRegion]; ok && cell(i) == "" {
			// World Bank metadata lists aggregates with an empty region.
			name := cell(t.idOr(roleName, roleISO3))
			r.match(access.Match{What: "country", Value: firstNonEmpty(name, cell(t.idOr(roleISO3, roleName))), Method: "aggregate"})
			return "", ref, true
		}
	}
	var fail *countryHit
	failRef := cellRef{}
	any := false
	for _, rl := range []role{roleISO3, roleNumeric, roleISO2, roleName} {
		i, ok := t.id[rl]
		if !ok {
			continue
		}
		s := cell(i)
		if s == "" {
			continue
		}
		any = true
		h := r.resolveCountry(s)
		if h.ok {
			return h.iso3, at(i), false
		}
		if h.skip != "" {
			return "", at(i), true
		}
		if fail == nil || rl == roleName {
			hh := h
			fail, failRef = &hh, at(i)
		}
	}
	if !any {
		if r.in.Country != "" {
			return r.in.Country, cellRef{t.sheet, n, -1}, false
		}
		c := t.idOr(roleName, roleISO3)
		r.warnAt(cellRef{t.sheet, n, c}, CodeNoCountry, "", "the row has figures but no country; it is skipped")
		return "", ref, true
	}
	r.errorAt(failRef, CodeUnknownCountry, fail.tried, "unknown country %q%s", fail.tried, didYouMean(fail.suggested))
	return "", ref, true
}

func (t *table) idOr(rs ...role) int {
	for _, rl := range rs {
		if i, ok := t.id[rl]; ok {
			return i
		}
	}
	return -1
}

func firstNonEmpty(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

func didYouMean(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return "; did you mean " + strings.Join(s, ", ") + "?"
}

func isBaseForm(s string) bool {
	switch access.NormalizeName(s) {
	case "base", "anhydrous base", "as base", "free base":
		return true
	}
	return false
}

func popUnit(s string) (unit, bool) {
	switch access.NormalizeName(s) {
	case "persons", "people", "number", "inhabitants", "1":
		return unit{"persons", 1}, true
	case "thousands", "thousand", "000", "1000", "thousands of persons":
		return unit{"thousands", 1000}, true
	case "millions", "million":
		return unit{"millions", 1e6}, true
	}
	return unit{}, false
}

func parseEstimateKind(s string) (access.EstimateKind, bool) {
	switch access.NormalizeName(s) {
	case "annual", "a", "annual estimate", "annual estimates":
		return access.EstimateAnnual, true
	case "supplementary", "s", "supp", "supplementary estimate", "supplementary estimates":
		return access.EstimateSupplementary, true
	}
	return "", false
}

func parseEstimateStatus(s string) (access.EstimateStatus, bool) {
	switch access.NormalizeName(s) {
	case "submitted", "s", "furnished", "proposed":
		return access.EstimateSubmitted, true
	case "confirmed", "c", "established", "approved":
		return access.EstimateConfirmed, true
	}
	return "", false
}

func ptr(p *pending, f int) *float64 {
	if p.set&(1<<f) == 0 {
		return nil
	}
	return access.F(p.vals[f])
}

func sameValues(a *entry, p *pending) bool {
	if a.set != p.set {
		return false
	}
	for f := 0; f < nFields; f++ {
		if a.set&(1<<f) != 0 {
			x, y := a.vals[f], p.vals[f]
			if math.Abs(x-y) > 1e-9*math.Max(1, math.Abs(x)) {
				return false
			}
		}
	}
	return true
}

// record checks one record for duplicates and emits it.
func (r *run) record(t *table, n int, iso3 string, cref cellRef, ek access.EstimateKind, es access.EstimateStatus, p *pending) error {
	lin := access.Lineage{Sheet: t.sheet, Row: n}
	firstRef := cref
	for f := 0; f < nFields; f++ {
		if p.set&(1<<f) != 0 {
			firstRef = p.refs[f]
			break
		}
	}
	var key, dim string
	switch t.kind {
	case access.KindConsumption:
		dim = p.drug.code
	case access.KindEstimates:
		dim = p.drug.code + "|" + string(ek)
	case access.KindDeaths:
		if p.cause == "" {
			return nil
		}
		dim = p.cause
	case access.KindPopulation:
		if p.set&(1<<fPopTotal) == 0 {
			if p.set&(1<<fPopMale) == 0 || p.set&(1<<fPopFemale) == 0 {
				r.errorAt(firstRef, CodeMissingValue, "", "the total population is missing and cannot be computed from male and female")
				return nil
			}
			p.vals[fPopTotal] = round12(p.vals[fPopMale] + p.vals[fPopFemale])
			p.set |= 1 << fPopTotal
			p.refs[fPopTotal] = firstRef
		}
	}
	key = fmt.Sprint(t.kind, "|", iso3, "|", p.year, "|", dim)
	if e, ok := r.entries[key]; ok {
		if sameValues(e, p) {
			r.warnAt(firstRef, CodeDuplicate, "", "duplicate of row %d (same values); skipped", e.first.row)
		} else {
			r.errorAt(firstRef, CodeDuplicateConflict, "", "%s %d %s appears twice with different values (first on row %d)",
				iso3, p.year, strings.ReplaceAll(dim, "|", " "), e.first.row)
		}
		return nil
	}
	r.entries[key] = &entry{kind: t.kind, iso3: iso3, year: p.year, dim: dim, vals: p.vals, set: p.set, refs: p.refs, first: firstRef}
	r.order = append(r.order, key)

	switch t.kind {
	case access.KindConsumption:
		if g := p.vals[fConsumed]; p.set&(1<<fConsumed) != 0 && g > 0 && g < 1000 {
			r.warnAt(p.refs[fConsumed], CodeUnder1kg, "", "under 1 kg: INCB publishes such amounts rounded or as \"-\"")
		}
		c := access.Consumption{ISO3: iso3, Year: p.year, Drug: p.drug.code, Grams: ptr(p, fConsumed),
			Manufactured: ptr(p, fManufactured), UtilizedForManufacture: ptr(p, fUtilized), Stock: ptr(p, fStock),
			Seizures: ptr(p, fSeizures), StockOutDays: ptr(p, fStockOut), Conversion: p.conv, Lineage: lin}
		return r.add(func(b *access.Batch) { b.Consumption = append(b.Consumption, c) })
	case access.KindEstimates:
		e := access.Estimate{ISO3: iso3, Year: p.year, Drug: p.drug.code, Kind: ek, Status: es,
			ToBeConsumed: ptr(p, fA), UtilizedForManufacture: ptr(p, fB), StockTarget: ptr(p, fC),
			SpecialStocks: ptr(p, fD), Total: ptr(p, fTotal), Conversion: p.conv, Lineage: lin}
		withC := round12(access.FormBTotal(e.ToBeConsumed, e.UtilizedForManufacture, e.StockTarget, e.SpecialStocks, nil))
		noC := round12(access.FormBTotal(e.ToBeConsumed, e.UtilizedForManufacture, nil, e.SpecialStocks, nil))
		if e.Total == nil {
			e.Total = access.F(withC)
			r.entries[key].vals[fTotal] = withC
			r.entries[key].set |= 1 << fTotal
			r.entries[key].refs[fTotal] = firstRef
			e.Conversion = joinNonEmpty(e.Conversion, "total computed as a+b+c+d ("+access.FormBTotalMethod+", prior stock unknown)")
		} else if items := p.set & (1<<fA | 1<<fB | 1<<fC | 1<<fD); items != 0 {
			tot := *e.Total
			tol := math.Max(1, 0.001*tot)
			if math.Abs(tot-withC) > tol && math.Abs(tot-noC) > tol {
				r.warnAt(p.refs[fTotal], CodeTotalMismatch, fmt.Sprint(tot),
					"total %s g matches neither a+b+c+d (%s g) nor a+b+d (%s g)", fmtG(tot), fmtG(withC), fmtG(noC))
			}
		}
		return r.add(func(b *access.Batch) { b.Estimates = append(b.Estimates, e) })
	case access.KindPopulation:
		pp := access.Population{ISO3: iso3, Year: p.year, Persons: p.vals[fPopTotal], Lineage: lin}
		return r.add(func(b *access.Batch) { b.Population = append(b.Population, pp) })
	case access.KindDeaths:
		d := access.Deaths{ISO3: iso3, Year: p.year, Cause: p.cause, Deaths: p.vals[fDeaths], Lineage: lin}
		return r.add(func(b *access.Batch) { b.Deaths = append(b.Deaths, d) })
	}
	return nil
}

func fmtG(v float64) string { return fmt.Sprintf("%.6g", v) }

func joinNonEmpty(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

var whoRegions = map[string]string{
	"afr": "AFR", "africa": "AFR", "african region": "AFR", "afro": "AFR",
	"amr": "AMR", "americas": "AMR", "region of the americas": "AMR", "paho": "AMR", "amro": "AMR",
	"emr": "EMR", "eastern mediterranean": "EMR", "eastern mediterranean region": "EMR", "emro": "EMR",
	"eur": "EUR", "europe": "EUR", "european region": "EUR", "euro": "EUR",
	"sear": "SEAR", "south east asia": "SEAR", "south east asia region": "SEAR", "searo": "SEAR",
	"wpr": "WPR", "western pacific": "WPR", "western pacific region": "WPR", "wpro": "WPR",
}

var incomeGroups = map[string]string{
	"lic": "LIC", "l": "LIC", "wb li": "LIC", "low income": "LIC", "li": "LIC",
	"lmc": "LMC", "lm": "LMC", "wb lmi": "LMC", "lower middle income": "LMC", "lmi": "LMC",
	"umc": "UMC", "um": "UMC", "wb umi": "UMC", "upper middle income": "UMC", "umi": "UMC",
	"hic": "HIC", "h": "HIC", "wb hi": "HIC", "high income": "HIC", "hi": "HIC",
	"high income oecd": "HIC", "high income nonoecd": "HIC", "high income non oecd": "HIC",
}

// countryRow reads one row of country metadata.
func (r *run) countryRow(t *table, n int, iso3 string, cell func(int) string, at func(int) cellRef) error {
	m := access.CountryMetadata{ISO3: iso3, IncomeVintage: t.vintage, Lineage: access.Lineage{Sheet: t.sheet, Row: n}}
	if i, ok := t.id[roleName]; ok {
		m.Name = cell(i)
	}
	if i, ok := t.id[roleWHORegion]; ok {
		if s := cell(i); s != "" {
			v, ok := whoRegions[access.NormalizeName(s)]
			if !ok {
				r.errorAt(at(i), CodeInvalidValue, s, "unknown WHO region %q (AFR, AMR, EMR, EUR, SEAR, WPR)", s)
				return nil
			}
			m.WHORegion = v
		}
	}
	if i, ok := t.id[roleIncome]; ok {
		if s := cell(i); s != "" {
			v, ok := incomeGroups[access.NormalizeName(s)]
			if !ok {
				r.errorAt(at(i), CodeInvalidValue, s, "unknown income group %q (LIC, LMC, UMC, HIC)", s)
				return nil
			}
			m.IncomeGroup = v
		}
	}
	if i, ok := t.id[roleVintage]; ok {
		if s := cell(i); s != "" {
			m.IncomeVintage = s
		}
	}
	key := "countries|" + iso3
	sig := m.WHORegion + "|" + m.IncomeGroup + "|" + m.IncomeVintage
	if e, ok := r.entries[key]; ok {
		at := cellRef{t.sheet, n, t.idOr(roleISO3, roleName)}
		if e.dim == sig {
			r.warnAt(at, CodeDuplicate, iso3, "%s is listed again with the same values (first on row %d); skipped", iso3, e.first.row)
		} else {
			r.errorAt(at, CodeDuplicateConflict, iso3, "%s is listed twice with different values (first on row %d)", iso3, e.first.row)
		}
		return nil
	}
	r.entries[key] = &entry{kind: t.kind, iso3: iso3, dim: sig, first: cellRef{t.sheet, n, -1}}
	return r.add(func(b *access.Batch) { b.Countries = append(b.Countries, m) })
}
