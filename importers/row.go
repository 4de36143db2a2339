package importers

import (
	"errors"
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
	raw   [nFields]string // the cells as typed, for problems
	dash  uint32          // fields given as "-" (nil or below the threshold)
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
	iso3, ref, skip, agg := r.rowCountry(t, n, cell, at)
	if agg != nil {
		r.subtotal(t, n, cells, agg)
	}
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

	d, ok := r.dims(t, cell, at)
	if !ok {
		return true, nil
	}
	recs, bad := r.quantities(t, d, cell, at)
	t.sub.countryRow()
	if bad {
		return true, nil
	}
	for i := range recs {
		if err := r.record(t, n, iso3, ref, d.estKind, d.estStatus, &recs[i]); err != nil {
			return true, err
		}
	}
	return true, nil
}

// rowDims are what a row says about its records besides quantities.
type rowDims struct {
	year      int
	drug      drugHit
	unit      unit // from a Unit column or the series
	cause     string
	estKind   access.EstimateKind
	estStatus access.EstimateStatus
}

// dims reads the row's year, drug, salt, unit, series, cause and estimate
// kind and status; ok is false when the row is skipped or refused (the
// problem reported).
func (r *run) dims(t *table, cell func(int) string, at func(int) cellRef) (rowDims, bool) {
	d := rowDims{year: t.ctxYear, drug: t.ctxDrug, estKind: access.EstimateAnnual, estStatus: access.EstimateSubmitted}
	if i, ok := t.id[roleYear]; ok {
		s := cell(i)
		y, ok := parseYear(s)
		if !ok {
			if s == "" {
				r.errorAt(at(i), CodeMissingValue, s, "the year is missing")
			} else {
				r.errorAt(at(i), CodeInvalidYear, s, "%q is not a year between 1900 and 2100", s)
			}
			return d, false
		}
		d.year = y
	}
	if i, ok := t.id[roleDrug]; ok {
		s := cell(i)
		if s == "" {
			r.errorAt(at(i), CodeMissingValue, s, "the drug is missing")
			return d, false
		}
		d.drug = r.resolveDrug(s)
		if !d.drug.ok {
			sug := r.in.Resolver.SuggestDrug(s, 3)
			r.match(access.Match{What: "drug", Value: s, Suggestions: sug})
			r.errorAt(at(i), CodeUnknownDrug, s, "unknown drug %q%s", s, didYouMean(sug))
			return d, false
		}
	}
	if i, ok := t.id[roleSalt]; ok && (t.kind == access.KindConsumption || t.kind == access.KindEstimates) {
		if s := cell(i); s != "" && !isBaseForm(s) {
			h := r.resolveDrug(s)
			if !h.ok || (d.drug.ok && h.code != d.drug.code) {
				r.errorAt(at(i), CodeUnknownDrug, s, "unknown salt %q for %s%s", s, d.drug.code, didYouMean(r.in.Resolver.SuggestDrug(s, 3)))
				return d, false
			}
			d.drug = h
		}
	}
	if i, ok := t.id[roleUnit]; ok {
		if s := cell(i); s != "" {
			u, ok := drugUnit(s)
			if t.kind == access.KindPopulation {
				u, ok = popUnit(s)
			}
			if !ok {
				r.errorAt(at(i), CodeUnknownUnit, s, "unknown unit %q (use kg, g or mg)", s)
				return d, false
			}
			d.unit = u
		}
	}
	series, skipRow := r.rowSeries(t, cell)
	if skipRow {
		return d, false
	}
	if t.kind == access.KindPopulation {
		if i, ok := t.id[roleVariant]; ok {
			if v := normalize(cell(i)); v != "" && v != "medium" && v != "estimates" {
				return d, false // projection variants other than the medium one
			}
		}
		if series.unit == "thousands" {
			d.unit = unit{"thousands", 1000}
		}
	}
	if !r.keepRow(t, cell) {
		return d, false
	}
	if t.kind == access.KindDeaths && series.target != "" {
		d.cause = series.target
	}
	if i, ok := t.id[roleCause]; ok && t.kind == access.KindDeaths {
		s := cell(i)
		d.cause = causeOf(s)
		if d.cause == "" && s != "" {
			if t.fromIHME() {
				r.ignored.add(s) // GBD results hold every cause; those not mapped are not wanted
				return d, false
			}
			r.errorAt(at(i), CodeUnknownCause, s, "unknown cause of death %q", s)
			return d, false
		}
	}
	if t.kind == access.KindEstimates && !r.estimateKindStatus(t, cell, at, &d) {
		return d, false
	}
	return d, true
}

// estimateKindStatus reads Form B's kind (annual or supplementary) and
// status (submitted or confirmed) into d; false when one is unknown.
func (r *run) estimateKindStatus(t *table, cell func(int) string, at func(int) cellRef, d *rowDims) bool {
	if i, ok := t.id[roleEstKind]; ok {
		if s := cell(i); s != "" {
			k, ok := parseEstimateKind(s)
			if !ok {
				r.errorAt(at(i), CodeInvalidValue, s, "kind %q is neither annual nor supplementary", s)
				return false
			}
			d.estKind = k
		}
	}
	if i, ok := t.id[roleStatus]; ok {
		if s := cell(i); s != "" {
			st, ok := parseEstimateStatus(s)
			if !ok {
				r.errorAt(at(i), CodeInvalidValue, s, "status %q is neither submitted nor confirmed", s)
				return false
			}
			d.estStatus = st
		}
	}
	return true
}

// pendingKey tells the records of one row apart.
type pendingKey struct {
	year        int
	drug, cause string
}

// quantities reads the row's quantity cells into records, one per year,
// drug or cause the columns name, in the order of their first cells; bad
// is set when a cell was refused (the row then stores nothing). The
// records are the run's to reuse for the next row.
func (r *run) quantities(t *table, d rowDims, cell func(int) string, at func(int) cellRef) (recs []pending, bad bool) {
	recs = r.pending[:0]
	defer func() { r.pending = recs[:0] }()
	clear(r.pendingAt)
	for _, v := range t.vals {
		s := cell(v.idx)
		if s == "" || isNotGiven(s) {
			continue
		}
		p := pending{year: d.year, drug: d.drug, cause: d.cause}
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
		var cellUnit unit
		dash := isDash(s)
		if dash {
			r.warnAt(at(v.idx), CodeBelowThreshold, s, "\"-\" (nil or below the publication threshold) recorded as 0")
		} else {
			drugQty := t.kind == access.KindConsumption || t.kind == access.KindEstimates
			x, err := r.number(at(v.idx), s, drugQty)
			if err != nil {
				r.errorAt(at(v.idx), CodeInvalidNumber, s, "%q is not a number (%v)", s, err)
				bad = true
				continue
			}
			if x.v < 0 {
				r.errorAt(at(v.idx), CodeNegative, s, "negative quantity %s refused", s)
				bad = true
				continue
			}
			val, cellUnit = x.v, x.unit
		}
		u := cellUnit
		if !u.ok() {
			u = v.unit
		}
		if !u.ok() {
			u = d.unit
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
			if !access.PlausibleGrams(val) {
				r.errorAt(at(v.idx), CodeImplausible, s, "%s is %s g: over %s kg, far above any country's yearly use of any drug", s, fmtG(val), fmtG(access.MaxQuantityGrams/1000))
				bad = true
				continue
			}
		case t.kind == access.KindPopulation:
			if u.ok() {
				val = round12(val * u.mult)
			} else if t.thousands {
				val = round12(val * 1000)
			}
		}
		t.sub.country(v.idx, val)
		k := pendingKey{p.year, p.drug.code, p.cause}
		i, ok := r.pendingAt[k]
		if !ok {
			i = len(recs)
			r.pendingAt[k] = i
			recs = append(recs, p)
		}
		q := &recs[i]
		if q.set&(1<<v.field) != 0 {
			continue // two columns for one field: the first wins
		}
		q.vals[v.field] = val
		q.set |= 1 << v.field
		q.refs[v.field] = at(v.idx)
		q.raw[v.field] = s
		if dash {
			q.dash |= 1 << v.field
		}
		if q.conv == "" && v.field != fStockOut && (t.kind == access.KindConsumption || t.kind == access.KindEstimates) {
			q.conv = r.conversion(u, p.drug)
		}
	}
	return recs, bad
}

func (t *table) isValueCol(i int) bool {
	for _, v := range t.vals {
		if v.idx == i {
			return true
		}
	}
	return false
}

// rowCountry resolves the row's country from its code or name columns. A
// row of a known aggregate is skipped (skip set, agg naming it) and counted
// for the closing summary.
func (r *run) rowCountry(t *table, n int, cell func(int) string, at func(int) cellRef) (iso3 string, ref cellRef, skip bool, agg *aggregate) {
	if t.kind == access.KindCountries {
		if i, ok := t.id[roleRegion]; ok && cell(i) == "" {
			// World Bank metadata lists aggregates with an empty region.
			name := cell(t.idOr(roleName, roleISO3))
			code := cell(t.idOr(roleISO3, roleName))
			a, found := aggregates.lookupFor(code, "worldbank")
			if !found {
				a = aggregate{publisher: "worldbank", group: "groups", code: code}
			}
			r.match(access.Match{What: "country", Value: firstNonEmpty(name, code), Method: "aggregate"})
			r.skipped.add(a, firstNonEmpty(name, a.name, code))
			return "", ref, true, &a
		}
	}
	var fail *countryHit
	failRef := cellRef{}
	any, owid := false, false
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
			return h.iso3, at(i), false, nil
		}
		if h.agg != nil {
			label := h.agg.name
			if j, ok := t.id[roleName]; ok && rl != roleName && cell(j) != "" {
				label = cell(j) // "Arab World" rather than "ARB"
			}
			r.skipped.add(*h.agg, label)
			return "", at(i), true, h.agg
		}
		if h.owid {
			owid = true
			continue // OWID_KOS: the name says which country
		}
		if fail == nil || rl == roleName {
			hh := h
			fail, failRef = &hh, at(i)
		}
	}
	if owid {
		// An OWID_ code whose name is no country: one of OWID's groups.
		label := firstNonEmpty(cell(t.idOr(roleName)), cell(t.idOr(roleISO3)))
		a := aggregate{publisher: "owid", group: "regions", code: cell(t.idOr(roleISO3)), name: label}
		r.skipped.add(a, label)
		return "", cellRef{t.sheet, n, t.idOr(roleISO3)}, true, &a
	}
	if !any {
		if r.in.Country != "" {
			return r.in.Country, cellRef{t.sheet, n, -1}, false, nil
		}
		c := t.idOr(roleName, roleISO3)
		r.warnAt(cellRef{t.sheet, n, c}, CodeNoCountry, "", "the row has figures but no country; it is skipped")
		return "", ref, true, nil
	}
	r.errorAt(failRef, CodeUnknownCountry, fail.tried, "unknown country %q%s", fail.tried, didYouMean(fail.suggested))
	return "", ref, true, nil
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
	switch normalize(s) {
	case "base", "anhydrous base", "as base", "free base":
		return true
	}
	return false
}

func popUnit(s string) (unit, bool) {
	switch normalize(s) {
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
	switch normalize(s) {
	case "annual", "a", "annual estimate", "annual estimates":
		return access.EstimateAnnual, true
	case "supplementary", "s", "supp", "supplementary estimate", "supplementary estimates":
		return access.EstimateSupplementary, true
	}
	return "", false
}

func parseEstimateStatus(s string) (access.EstimateStatus, bool) {
	switch normalize(s) {
	case "submitted", "s", "furnished", "proposed":
		return access.EstimateSubmitted, true
	case "confirmed", "c", "established", "approved":
		return access.EstimateConfirmed, true
	}
	return "", false
}

// state is which of the three value states field f was given in: a number,
// "-" (nil or below the publication threshold, recorded as 0) or blank.
func (p *pending) state(f int) access.ValueState {
	switch {
	case p.set&(1<<f) == 0:
		return access.ValueNotReported
	case p.dash&(1<<f) != 0:
		return access.ValueNil
	}
	return access.ValueReported
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
	var dim string
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
	id := r.recs.id(seriesKey{kind: t.kind, iso3: iso3, dim: r.intern(dim)})
	first, dup, err := r.recs.get(id, p.year)
	if err != nil {
		return r.recordsErr(err)
	}
	if dup {
		if sameValues(first, p) {
			r.warnAt(firstRef, CodeDuplicate, "", "duplicate of row %d (same values); skipped", first.row)
		} else {
			r.errorAt(firstRef, CodeDuplicateConflict, "", "%s %d %s appears twice with different values (first on row %d)",
				iso3, p.year, strings.ReplaceAll(dim, "|", " "), first.row)
		}
		return nil
	}
	ent := &r.recs.fill
	ent.fill(t.sheet, firstRef.row, p)
	if err := r.emitRecord(t.kind, iso3, ek, es, p, ent, firstRef, lin); err != nil {
		return err
	}
	if err := r.recs.put(id, p.year, ent); err != nil {
		return r.recordsErr(err)
	}
	return nil
}

// recordsErr is the error of a run whose records could not be kept or read
// back (the temporary file they spill to).
func (r *run) recordsErr(err error) error {
	if errors.Is(err, errSpillFull) {
		return &access.Error{Code: access.TooLarge, Op: parseOp, Err: err,
			Msg: "the file holds too many records to check at once; split it into several uploads"}
	}
	return &access.Error{Code: access.Internal, Op: parseOp, Msg: "cannot keep the records for the duplicate and cross-record checks", Err: err}
}

// emitRecord adds record p to the batch, with the checks of one record;
// ent is what the run keeps of it, completed here with a computed total.
func (r *run) emitRecord(kind access.ImportKind, iso3 string, ek access.EstimateKind, es access.EstimateStatus, p *pending, ent *entry, firstRef cellRef, lin access.Lineage) error {
	switch kind {
	case access.KindConsumption:
		if g := p.vals[fConsumed]; p.set&(1<<fConsumed) != 0 && g > 0 && g < 1000 {
			r.warnAt(p.refs[fConsumed], CodeUnder1kg, p.raw[fConsumed], "%s (%s g) is under 1 kg: INCB publishes such amounts rounded or as \"-\"", p.raw[fConsumed], fmtG(g))
		}
		c := access.Consumption{ISO3: iso3, Year: p.year, Drug: p.drug.code, Grams: ptr(p, fConsumed),
			State: p.state(fConsumed), Manufactured: ptr(p, fManufactured), UtilizedForManufacture: ptr(p, fUtilized),
			Stock: ptr(p, fStock), Seizures: ptr(p, fSeizures), StockOutDays: ptr(p, fStockOut), Conversion: p.conv, Lineage: lin}
		r.batch.Consumption = appendRecord(r.batch.Consumption, c, r.batchSize())
		return r.flushFull()
	case access.KindEstimates:
		e := access.Estimate{ISO3: iso3, Year: p.year, Drug: p.drug.code, Kind: ek, Status: es,
			ToBeConsumed: ptr(p, fA), UtilizedForManufacture: ptr(p, fB), StockTarget: ptr(p, fC),
			SpecialStocks: ptr(p, fD), Total: ptr(p, fTotal), Conversion: p.conv, Lineage: lin}
		withC := round12(access.FormBTotal(e.ToBeConsumed, e.UtilizedForManufacture, e.StockTarget, e.SpecialStocks, nil))
		noC := round12(access.FormBTotal(e.ToBeConsumed, e.UtilizedForManufacture, nil, e.SpecialStocks, nil))
		if e.Total == nil {
			e.Total = access.F(withC)
			ent.vals[fTotal] = withC
			ent.set |= 1 << fTotal
			ent.cols[fTotal] = int16(firstRef.col)
			e.Conversion = joinNonEmpty(e.Conversion, "total computed as a+b+c+d ("+access.FormBTotalMethod+", prior stock unknown)")
		} else if items := p.set & (1<<fA | 1<<fB | 1<<fC | 1<<fD); items != 0 {
			tot := *e.Total
			tol := math.Max(1, 0.001*tot)
			if math.Abs(tot-withC) > tol && math.Abs(tot-noC) > tol {
				r.warnAt(p.refs[fTotal], CodeTotalMismatch, p.raw[fTotal],
					"total %s g matches neither a+b+c+d (%s g) nor a+b+d (%s g)", fmtG(tot), fmtG(withC), fmtG(noC))
			}
		}
		r.batch.Estimates = appendRecord(r.batch.Estimates, e, r.batchSize())
		return r.flushFull()
	case access.KindPopulation:
		pp := access.Population{ISO3: iso3, Year: p.year, Persons: p.vals[fPopTotal], Lineage: lin}
		r.batch.Population = appendRecord(r.batch.Population, pp, r.batchSize())
		return r.flushFull()
	case access.KindDeaths:
		d := access.Deaths{ISO3: iso3, Year: p.year, Cause: p.cause, Deaths: p.vals[fDeaths], Lineage: lin}
		r.batch.Deaths = appendRecord(r.batch.Deaths, d, r.batchSize())
		return r.flushFull()
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
			v, ok := whoRegions[normalize(s)]
			if !ok {
				r.errorAt(at(i), CodeInvalidValue, s, "unknown WHO region %q (AFR, AMR, EMR, EUR, SEAR, WPR)", s)
				return nil
			}
			m.WHORegion = v
		}
	}
	if i, ok := t.id[roleIncome]; ok {
		if s := cell(i); s != "" {
			v, ok := incomeGroups[normalize(s)]
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
	sig := m.WHORegion + "|" + m.IncomeGroup + "|" + m.IncomeVintage
	if e, ok := r.countries[iso3]; ok {
		at := cellRef{t.sheet, n, t.idOr(roleISO3, roleName)}
		if e.sig == sig {
			r.warnAt(at, CodeDuplicate, iso3, "%s is listed again with the same values (first on row %d); skipped", iso3, e.row)
		} else {
			r.errorAt(at, CodeDuplicateConflict, iso3, "%s is listed twice with different values (first on row %d)", iso3, e.row)
		}
		return nil
	}
	r.countries[iso3] = countrySeen{row: n, sig: sig}
	return r.add(func(b *access.Batch) { b.Countries = append(b.Countries, m) })
}

// rowSeries reads the row's indicator (WDI, DataBank, GHO): a series the
// series table maps to the table's kind is read; any other is listed once
// as ignored and the row skipped.
func (r *run) rowSeries(t *table, cell func(int) string) (seriesTarget, bool) {
	code, name := "", ""
	if i, ok := t.id[roleIndicatorCode]; ok {
		code = cell(i)
	}
	if i, ok := t.id[roleIndicatorName]; ok {
		name = cell(i)
	}
	if code == "" && name == "" {
		return seriesTarget{}, false
	}
	for _, s := range []string{code, name} {
		if st, ok := seriesMap.lookup(s); ok && s != "" {
			if st.kind == t.kind {
				return st, false
			}
			break
		}
	}
	r.ignored.add(firstNonEmpty(code, name))
	return seriesTarget{}, true
}

// fromIHME reports a GBD results-tool table (measure and metric columns).
func (t *table) fromIHME() bool {
	_, measure := t.id[roleMeasure]
	_, metric := t.id[roleMetric]
	return measure || metric
}

// keepRow applies the filters of results tables: deaths (measure), counts
// (metric), both sexes and all ages. A row passed over is counted by
// reason and reported once.
func (r *run) keepRow(t *table, cell func(int) string) bool {
	check := func(rl role, col, want string, keep ...string) bool {
		i, ok := t.id[rl]
		if !ok {
			return true
		}
		v := cell(i)
		n := normalize(v)
		if n == "" {
			return true
		}
		for _, k := range keep {
			if n == k {
				return true
			}
		}
		if rl == roleSex && !sexValues[n] {
			return true // GHO's Dim1 may hold another dimension than sex
		}
		r.filter(fmt.Sprintf("%s %q (only %s is read)", col, v, want))
		return false
	}
	return check(roleMeasure, "measure", "Deaths", "deaths", "death") &&
		check(roleMetric, "metric", "Number", "number", "count", "numbers") &&
		check(roleSex, "sex", "Both", "both", "both sexes", "btsx", "sex btsx", "total", "all") &&
		check(roleAge, "age", "All ages", "all ages", "all age", "total", "all", "age all ages")
}

// sexValues are the values a sex column holds other than both sexes.
var sexValues = map[string]bool{"male": true, "female": true, "males": true, "females": true, "men": true, "women": true,
	"sex mle": true, "sex fmle": true, "mle": true, "fmle": true, "m": true, "f": true}
