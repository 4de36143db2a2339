package importers

import (
	"context"
	"fmt"
	"strings"

	"github.com/reliefgap/reliefgap/internal/access"
)

// Availability files, in two families (see doc.go, "Availability surveys"):
//
//   - "who-hai-summary": a WHO/HAI survey summary. A metadata block above
//     the table (Country, Survey year, Reference price with its year,
//     Lowest-paid government worker's daily wage, Currency), then medicines
//     down and, per sector, columns for % availability, median price ratio
//     (MPR), number of facilities surveyed and optionally the median unit
//     price. The sector is named in a row above the measures (usually a
//     merged cell over the sector's columns) or in each measure header
//     ("Public % availability").
//   - "gho-ccs-long" and "gho-ccs-wide": GHO exports of the NCD
//     country-capacity survey indicator "general availability of oral
//     morphine in public primary care": long (a row per country and year:
//     SpatialDimValueCode / Location, Period, Value, optionally the
//     indicator) or wide (countries down, survey years across).
const (
	LayoutWHOHAI  = "who-hai-summary"
	LayoutCCSLong = "gho-ccs-long"
	LayoutCCSWide = "gho-ccs-wide"
)

// Problem codes of the availability importers.
const (
	CodeUnknownMedicine = "unknown_medicine"
	CodeSectorMissing   = "sector_missing"
	CodeFractionRead    = "availability_as_fraction"
	CodeUnknownAnswer   = "unknown_answer"
)

// availRows caps the rows of one availability sheet held in memory.
const availRows = 100_000

// parseAvailabilityKinds reads the file when it is an availability survey
// or a country-capacity export: when kind asks for one, or when kind is
// empty and a sheet's headers show one. ok is false for any other file.
func parseAvailabilityKinds(ctx context.Context, in access.ParseInput, sheets []sheet, lim limits, loc Locale, emit func(access.Batch) error) (res access.ParseResult, ok bool, err error) {
	switch in.Kind {
	case "", access.KindAvailability, access.KindCCS:
	default:
		return res, false, nil
	}
	a := &availRun{in: in, lim: lim, loc: loc, matchSeen: map[string]bool{}, seen: map[string]int{}, sectors: map[access.Sector]bool{}}
	a.kind = in.Kind
	if a.kind == "" {
		if a.kind = detectAvailabilityKind(sheets, lim); a.kind == "" {
			return res, false, nil
		}
	}
	tables := 0
	for _, sh := range sheets {
		if err := ctx.Err(); err != nil {
			return res, true, err
		}
		rows, more, err := readSheet(sh, min(lim.MaxRows, availRows), lim)
		if err != nil {
			a.problem(access.Problem{Severity: access.SeverityError, Code: CodeUnreadableSheet, Sheet: sh.name, Message: "the sheet could not be read: " + err.Error()})
			continue
		}
		if more {
			a.errorAt(cellRef{sh.name, rows[len(rows)-1].n, -1}, CodeTooManyRows, "", "the sheet has more than %d rows; the rest is not read", len(rows))
		}
		var found bool
		if a.kind == access.KindAvailability {
			found = a.whoHAI(sh.name, rows)
		} else {
			found = a.ccs(sh.name, rows)
		}
		if found {
			tables++
		}
	}
	if tables == 0 {
		what := "no WHO/HAI survey table found: no row names a medicine column with % availability, median price ratio or facilities surveyed per sector"
		if a.kind == access.KindCCS {
			what = "no country-capacity table found: no row names a country column with a year and an answer column, or with survey years across"
		}
		a.problem(access.Problem{Severity: access.SeverityError, Code: CodeNoTable, Message: what})
	}
	if a.kind == access.KindAvailability && tables > 0 {
		for _, s := range access.Sectors {
			if !a.sectors[s] {
				a.problem(access.Problem{Severity: access.SeverityWarning, Code: CodeSectorMissing, Value: string(s),
					Message: fmt.Sprintf("the survey has no columns for the %s sector; no figures are stored for it", s)})
			}
		}
	}
	if err := a.flush(emit); err != nil {
		return res, true, err
	}
	return access.ParseResult{Kind: a.kind, Layout: strings.Join(a.layouts, "+"), Rows: a.rows, Problems: a.problems, Matches: a.matches}, true, nil
}

// detectAvailabilityKind looks at the top rows of each sheet for a WHO/HAI
// summary or a country-capacity export; "" when there is neither.
func detectAvailabilityKind(sheets []sheet, lim limits) access.ImportKind {
	for _, sh := range sheets {
		top, _, err := readSheet(sh, headerScan, lim)
		if err != nil {
			continue
		}
		if _, _, found := findWHOHAIHeader(top); found {
			return access.KindAvailability
		}
		if ccsLooksLike(top) {
			return access.KindCCS
		}
	}
	return ""
}

// readSheet reads up to max rows of a sheet; more says that rows remain.
func readSheet(sh sheet, max int, lim limits) (rows []numberedRow, more bool, err error) {
	src, err := sh.open()
	if err != nil {
		return nil, false, err
	}
	defer src.Close()
	for src.Next() {
		if len(rows) == max {
			return rows, true, nil
		}
		cells := src.Row()
		if len(cells) > lim.MaxColumns {
			cells = cells[:lim.MaxColumns]
		}
		cp := make([]string, len(cells))
		for i, c := range cells {
			if len(c) > lim.MaxCellLength {
				c = c[:lim.MaxCellLength]
			}
			cp[i] = strings.TrimSpace(c)
		}
		rows = append(rows, numberedRow{src.RowNum(), cp})
	}
	return rows, false, src.Err()
}

// availRun is the state of one availability import.
type availRun struct {
	in        access.ParseInput
	lim       limits
	loc       Locale
	kind      access.ImportKind
	layouts   []string
	rows      int
	problems  []access.Problem
	matches   []access.Match
	matchSeen map[string]bool
	batch     access.Batch
	seen      map[string]int // record key → row, for duplicates
	sectors   map[access.Sector]bool
}

func (a *availRun) problem(p access.Problem) {
	if len(a.problems) < maxProblems {
		a.problems = append(a.problems, p)
	}
}

func (a *availRun) errorAt(c cellRef, code, value, format string, args ...any) {
	a.problem(c.problem(access.SeverityError, code, value, fmt.Sprintf(format, args...)))
}

func (a *availRun) warnAt(c cellRef, code, value, format string, args ...any) {
	a.problem(c.problem(access.SeverityWarning, code, value, fmt.Sprintf(format, args...)))
}

func (a *availRun) match(m access.Match) {
	k := m.What + "\x00" + m.Value
	if !a.matchSeen[k] {
		a.matchSeen[k] = true
		a.matches = append(a.matches, m)
	}
}

func (a *availRun) layout(l string) {
	if !contains(a.layouts, l) {
		a.layouts = append(a.layouts, l)
	}
}

func (a *availRun) flush(emit func(access.Batch) error) error {
	if a.batch.Len() == 0 {
		return nil
	}
	b := a.batch
	a.batch = access.Batch{}
	if err := emit(b); err != nil {
		return fmt.Errorf("importers: storing a batch: %w", err)
	}
	return nil
}

// country resolves a country cell; "" with ok set means a row to skip
// (an aggregate), ok false an error already reported.
func (a *availRun) country(at cellRef, s string) (iso3 string, ok bool) {
	c, m, found := a.in.Resolver.Country(s)
	if !found {
		if t := strings.TrimSpace(reFootnote.ReplaceAllString(s, "")); t != s && t != "" {
			c, m, found = a.in.Resolver.Country(t)
			m.Value = s
		}
	}
	switch {
	case found:
		if m.Method != "iso3" {
			a.match(m)
		}
	case isAggregate(s):
		return "", true
	default:
		sug := a.in.Resolver.Suggest(s, 3)
		a.match(access.Match{What: "country", Value: s, Suggestions: sug})
		a.errorAt(at, CodeUnknownCountry, s, "unknown country %q%s", s, didYouMean(sug))
		return "", false
	}
	if a.in.Country != "" && c.ISO3 != a.in.Country {
		a.errorAt(at, CodeOutOfScope, s, "this upload is for %s; the row is for %s", a.in.Country, c.ISO3)
		return "", false
	}
	return c.ISO3, true
}

// --- WHO/HAI survey summaries ---------------------------------------------

// measure is what a WHO/HAI column holds.
type measure int

const (
	mNone measure = iota
	mAvailability
	mMPR
	mFacilities
	mUnitPrice
)

func measureOf(h string) measure {
	n := " " + access.NormalizeName(h) + " "
	has := func(s string) bool { return strings.Contains(n, s) }
	switch {
	case has(" mpr ") || has(" median price ratio") || has(" price ratio"):
		return mMPR
	case has(" availability") || has(" available "):
		return mAvailability
	case has(" facilities") || has(" outlets") || has(" n ") && len(strings.Fields(n)) <= 3 || has(" number surveyed ") || has(" facilities surveyed "):
		return mFacilities
	case has(" unit price") || has(" median price") || has(" patient price"):
		return mUnitPrice
	}
	return mNone
}

func isMedicineHeader(h string) bool {
	switch access.NormalizeName(h) {
	case "medicine", "medicines", "medicine name", "name of medicine", "generic name", "medicine generic name",
		"product", "product name", "medicine strength dosage form", "medicine strength and dosage form", "item":
		return true
	}
	return false
}

// findWHOHAIHeader finds the row naming the medicine column and the row of
// measure headers (the same row or the next).
func findWHOHAIHeader(rows []numberedRow) (medRow, measRow int, ok bool) {
	countMeasures := func(cells []string) int {
		k := 0
		for _, c := range cells {
			if measureOf(c) != mNone {
				k++
			}
		}
		return k
	}
	for i := 0; i < len(rows) && i < headerScan; i++ {
		med := false
		for _, c := range rows[i].cells {
			if isMedicineHeader(c) {
				med = true
				break
			}
		}
		if !med {
			continue
		}
		if countMeasures(rows[i].cells) > 0 {
			return i, i, true
		}
		if i+1 < len(rows) && countMeasures(rows[i+1].cells) > 0 {
			return i, i + 1, true
		}
	}
	return 0, 0, false
}

// surveyMeta is the metadata block above a WHO/HAI table.
type surveyMeta struct {
	country, currency, reference, title string
	year, refYear                       int
	wage                                *float64
	countryRef, yearRef, wageRef        cellRef
	wageCol, currencyCol                int // per-row columns, -1 when absent
}

func (a *availRun) readMeta(sheet string, rows []numberedRow) surveyMeta {
	m := surveyMeta{wageCol: -1, currencyCol: -1}
	for _, r := range rows {
		for i := 0; i < len(r.cells); i++ {
			label := access.NormalizeName(r.cells[i])
			if label == "" {
				continue
			}
			j := i + 1
			for j < len(r.cells) && r.cells[j] == "" {
				j++
			}
			if j >= len(r.cells) {
				break
			}
			v, ref := r.cells[j], cellRef{sheet, r.n, j}
			switch {
			case label == "country" || label == "country name" || label == "country iso3":
				m.country, m.countryRef = v, ref
			case strings.Contains(label, "wage"):
				if x, err := ParseNumber(v, a.loc); err == nil && x >= 0 {
					m.wage = access.F(x)
				} else {
					a.errorAt(ref, CodeInvalidNumber, v, "the daily wage is not a number")
				}
				m.wageRef = ref
			case strings.Contains(label, "reference") && strings.Contains(label, "year"):
				if y, ok := parseYear(v); ok {
					m.refYear = y
				}
			case strings.Contains(label, "reference price") || label == "price reference" || label == "reference prices":
				m.reference = v
				if ys := yearsIn(v); len(ys) == 1 && m.refYear == 0 {
					m.refYear = ys[0]
				}
			case label == "currency" || label == "local currency":
				m.currency = v
			case label == "survey year" || label == "year" || label == "year of survey" || label == "data collection year" ||
				label == "year of data collection":
				if y, ok := parseYear(v); ok {
					m.year, m.yearRef = y, ref
				} else {
					a.errorAt(ref, CodeInvalidYear, v, "the survey year is not a year between 1900 and 2100")
				}
			case label == "survey" || label == "survey title" || label == "title":
				m.title = v
			default:
				continue
			}
			i = j
		}
	}
	return m
}

// whoCol is one measure column of a WHO/HAI table.
type whoCol struct {
	idx     int
	sector  access.Sector
	measure measure
}

// whoTable is a recognised WHO/HAI table: its metadata, the columns of
// its identifying fields (-1 when absent) and its measure columns.
type whoTable struct {
	sheet                                             string
	meta                                              surveyMeta
	iso3                                              string // from the metadata or the upload's scope
	medCol, strengthCol, formCol, countryCol, yearCol int
	cols                                              []whoCol
	fraction                                          bool // availability typed as fractions
}

func (a *availRun) whoHAI(sheet string, rows []numberedRow) bool {
	mi, si, ok := findWHOHAIHeader(rows)
	if !ok {
		return false
	}
	a.layout(LayoutWHOHAI)
	t := &whoTable{sheet: sheet, meta: a.readMeta(sheet, rows[:mi]), medCol: -1, strengthCol: -1, formCol: -1, countryCol: -1, yearCol: -1}
	t.identColumns(rows[mi].cells)
	var above []string
	if si > 0 {
		above = rows[si-1].cells
	}
	a.measureColumns(t, rows[si], above)
	a.surveyIdentity(t, rows[mi].n)
	// Availability read from a percentage-formatted workbook cell arrives
	// as a fraction (0.45 for 45%): when every value of the sheet is in
	// [0, 1] and one is not 0 or 1, all are read as fractions.
	if t.fraction = a.availabilityAsFractions(rows[si+1:], t.cols); t.fraction {
		a.warnAt(cellRef{sheet, rows[si].n, -1}, CodeFractionRead, "", "availability values are all between 0 and 1: read as fractions (0.45 = 45%%)")
	}
	for _, r := range rows[si+1:] {
		a.whoHAIRow(t, r)
	}
	return true
}

// identColumns finds the medicine, strength, form, country, year, wage
// and currency columns of the header.
func (t *whoTable) identColumns(header []string) {
	for i, c := range header {
		n := access.NormalizeName(c)
		switch {
		case strings.Contains(n, "wage"):
			t.meta.wageCol = i
		case n == "currency" || n == "local currency":
			t.meta.currencyCol = i
		case isMedicineHeader(c) && t.medCol < 0:
			t.medCol = i
		case n == "strength" || n == "dose" || n == "strength dose":
			t.strengthCol = i
		case n == "dosage form" || n == "form" || n == "dosage":
			t.formCol = i
		case identRole(n) == roleISO3 || identRole(n) == roleName && n != "name":
			t.countryCol = i
		case identRole(n) == roleYear || n == "survey year":
			t.yearCol = i
		}
	}
}

// measureColumns reads the measure header. The sector of a column is named
// in its header, in the row above (carried to the right over the blank
// cells a merged heading leaves), or by the sheet's name (a workbook with
// one sheet per sector).
func (a *availRun) measureColumns(t *whoTable, head numberedRow, above []string) {
	carry := access.Sector("")
	sheetSector, _ := access.ParseSector(t.sheet)
	for i, h := range head.cells {
		if i < len(above) && above[i] != "" {
			carry, _ = access.ParseSector(above[i])
		}
		m := measureOf(h)
		if m == mNone || i == t.medCol {
			continue
		}
		sec, ok := access.ParseSector(h)
		if !ok {
			sec = carry
		}
		if sec == "" {
			sec = sheetSector
		}
		if sec == "" {
			a.errorAt(cellRef{t.sheet, head.n, i}, CodeMissingColumn, h, "no sector (public, private or other) is named for this column")
			continue
		}
		a.sectors[sec] = true
		t.cols = append(t.cols, whoCol{idx: i, sector: sec, measure: m})
	}
}

// surveyIdentity settles the survey's country and checks that a country
// and a year are given, by the metadata or by columns.
func (a *availRun) surveyIdentity(t *whoTable, headerRow int) {
	if t.meta.country == "" && t.countryCol < 0 && a.in.Country != "" {
		t.meta.country = a.in.Country
	}
	switch {
	case t.meta.country != "":
		iso3, ok := a.country(t.meta.countryRef, t.meta.country)
		if ok && iso3 == "" {
			a.errorAt(t.meta.countryRef, CodeUnknownCountry, t.meta.country, "the survey's country is not a country")
		}
		t.iso3 = iso3
	case t.countryCol < 0:
		a.errorAt(cellRef{t.sheet, headerRow, -1}, CodeMissingValue, "", "the survey names no country: add a line \"Country:\" above the table, or upload it for a country")
	}
	if t.meta.year == 0 && t.yearCol < 0 {
		a.errorAt(cellRef{t.sheet, headerRow, -1}, CodeMissingValue, "", "the survey names no year: add a line \"Survey year:\" above the table")
	}
}

func (a *availRun) availabilityAsFractions(rows []numberedRow, cols []whoCol) bool {
	any01 := false
	for _, r := range rows {
		for _, c := range cols {
			if c.measure != mAvailability || c.idx >= len(r.cells) {
				continue
			}
			v := r.cells[c.idx]
			if strings.Contains(v, "%") {
				return false
			}
			x, err := ParseNumber(v, a.loc)
			if err != nil {
				continue
			}
			if x > 1 || x < 0 {
				return false
			}
			if x != 0 && x != 1 {
				any01 = true
			}
		}
	}
	return any01
}

func cell(cells []string, i int) string {
	if i < 0 || i >= len(cells) {
		return ""
	}
	return cells[i]
}

func availNotGiven(s string) bool {
	switch access.NormalizeName(s) {
	case "", "na", "n a", "nd", "n d", "not available", "not found", "not surveyed", "x", "..", "nr":
		return true
	}
	return s == "-" || s == "–" || s == "—"
}

// whoHAIRow reads one medicine's row: a record per sector that has a
// figure. A row without any figure (a section heading, a medicine nobody
// looked for) is passed over.
func (a *availRun) whoHAIRow(t *whoTable, r numberedRow) {
	name := cell(r.cells, t.medCol)
	if name == "" || !a.hasFigure(t, r) {
		return
	}
	a.rows++
	full := strings.TrimSpace(strings.Join([]string{name, cell(r.cells, t.strengthCol), cell(r.cells, t.formCol)}, " "))
	at := cellRef{t.sheet, r.n, t.medCol}
	med, ok := a.medicine(at, name, full)
	if !ok {
		return
	}
	base, ok := a.rowIdentity(t, r)
	if !ok {
		return
	}
	base.Medicine, base.Drug, base.VocabularyVersion = med.Code, med.Drug, access.MedicinesV1.Version
	bySector := map[access.Sector]*access.AvailabilitySurvey{}
	var order []access.Sector
	for _, c := range t.cols {
		v := cell(r.cells, c.idx)
		if availNotGiven(v) {
			continue
		}
		s := bySector[c.sector]
		if s == nil {
			rec := base
			rec.Sector = c.sector
			s = &rec
			bySector[c.sector] = s
			order = append(order, c.sector)
		}
		a.measureValue(cellRef{t.sheet, r.n, c.idx}, v, c.measure, t.fraction, s)
	}
	for _, sec := range order {
		s := bySector[sec]
		key := fmt.Sprintf("%s/%d/%s/%s", s.ISO3, s.Year, s.Medicine, s.Sector)
		if first, dup := a.seen[key]; dup {
			a.errorAt(at, CodeDuplicate, full, "%s in the %s sector is already given on row %d", med.Name, sec, first)
			continue
		}
		a.seen[key] = r.n
		a.batch.Availability = append(a.batch.Availability, *s)
	}
}

func (a *availRun) hasFigure(t *whoTable, r numberedRow) bool {
	for _, c := range t.cols {
		if !availNotGiven(cell(r.cells, c.idx)) {
			return true
		}
	}
	return false
}

// medicine resolves a row's medicine through the vocabulary, with the
// strength and form columns or without them; an unknown one is an error
// with suggestions.
func (a *availRun) medicine(at cellRef, name, full string) (access.Medicine, bool) {
	med, method, ok := access.MedicinesV1.ResolveMedicine(full)
	if !ok && full != name {
		med, method, ok = access.MedicinesV1.ResolveMedicine(name)
	}
	if !ok {
		sug := access.MedicinesV1.SuggestMedicines(full, 3)
		a.match(access.Match{What: "medicine", Value: full, Suggestions: sug})
		a.errorAt(at, CodeUnknownMedicine, full, "unknown medicine %q (medicines vocabulary %s v%d)%s",
			full, access.MedicinesV1.Name, access.MedicinesV1.Version, didYouMean(sug))
		return med, false
	}
	if method != "code" {
		a.match(access.Match{What: "medicine", Value: full, Resolved: med.Code, Method: method})
	}
	return med, true
}

// rowIdentity is what a row's records share: country, year, the survey's
// reference price and title, and the wage and currency (per row, or from
// the metadata).
func (a *availRun) rowIdentity(t *whoTable, r numberedRow) (access.AvailabilitySurvey, bool) {
	s := access.AvailabilitySurvey{ISO3: t.iso3, Year: t.meta.year, PriceReference: t.meta.reference, PriceReferenceYear: t.meta.refYear,
		Currency: t.meta.currency, DailyWage: t.meta.wage, Survey: t.meta.title, Lineage: access.Lineage{Sheet: t.sheet, Row: r.n}}
	if v := cell(r.cells, t.countryCol); v != "" {
		iso3, ok := a.country(cellRef{t.sheet, r.n, t.countryCol}, v)
		if !ok || iso3 == "" {
			return s, false
		}
		s.ISO3 = iso3
	}
	if v := cell(r.cells, t.yearCol); v != "" {
		y, ok := parseYear(v)
		if !ok {
			a.errorAt(cellRef{t.sheet, r.n, t.yearCol}, CodeInvalidYear, v, "not a year between 1900 and 2100")
			return s, false
		}
		s.Year = y
	}
	if s.ISO3 == "" || s.Year == 0 {
		return s, false // reported once for the table
	}
	if v := cell(r.cells, t.meta.wageCol); !availNotGiven(v) {
		x, err := ParseNumber(v, a.loc)
		if err != nil || x < 0 {
			a.errorAt(cellRef{t.sheet, r.n, t.meta.wageCol}, CodeInvalidNumber, v, "the daily wage is not a number")
			return s, false
		}
		s.DailyWage = access.F(x)
	}
	if v := cell(r.cells, t.meta.currencyCol); v != "" {
		s.Currency = v
	}
	return s, true
}

// measureValue reads one measure cell into s; a bad value is an error
// problem and leaves the field not given.
func (a *availRun) measureValue(ref cellRef, v string, m measure, fraction bool, s *access.AvailabilitySurvey) {
	pct := strings.HasSuffix(v, "%")
	x, err := ParseNumber(strings.TrimSuffix(v, "%"), a.loc)
	if err != nil {
		a.errorAt(ref, CodeInvalidNumber, v, "not a number (%v)", err)
		return
	}
	if x < 0 {
		a.errorAt(ref, CodeNegative, v, "a negative figure")
		return
	}
	switch m {
	case mAvailability:
		if fraction && !pct {
			x *= 100
		}
		if x > 100 {
			a.errorAt(ref, CodeInvalidValue, v, "availability is a percentage of facilities: at most 100")
			return
		}
		s.AvailabilityPct = access.F(round12(x))
	case mMPR:
		s.MedianPriceRatio = access.F(x)
	case mFacilities:
		if x != float64(int(x)) {
			a.errorAt(ref, CodeInvalidValue, v, "the number of facilities surveyed is a whole number")
			return
		}
		n := int(x)
		s.FacilitiesSurveyed = &n
	case mUnitPrice:
		s.MedianUnitPrice = access.F(x)
	}
}
