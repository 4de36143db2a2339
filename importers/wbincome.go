package importers

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/reliefgap/reliefgap/internal/access"
)

// The World Bank's own income-classification workbooks, read as published:
//
//	worldbank-income-history  OGHIST.xlsx, sheet "Country Analytical History": a
//	                          title block, a "Bank's fiscal year:" row (FY89 …),
//	                          a "Data for calendar year :" row (1987 …), threshold
//	                          rows, then one row per economy (code, name, then L,
//	                          LM, LM*, UM, H or ".." per fiscal year), former
//	                          economies and notes below. One countries record per
//	                          economy and data year (DataYear = FY − 2).
//	worldbank-class           CLASS.xlsx: sheet "List of economies" (Economy, Code,
//	                          Region, Income group, Lending category) and sheet
//	                          "composition" listing the members of every World
//	                          Bank aggregate; the aggregates' own rows are passed
//	                          over. One countries record per economy: the current
//	                          classification, vintage from the notes or file name.
//
// worldBankWorkbook recognises them from their sheets; any other workbook
// goes to the general table reader.

// wbIncomeCodes are the history's cell codes. LM* marks Yemen's first two
// years, when the two Yemens combined "would have been LM".
var wbIncomeCodes = map[string]string{
	"L": "LIC", "LM": "LMC", "LM*": "LMC", "UM": "UMC", "H": "HIC", "..": "", "": "",
}

// wbFormerCodes are the history's own codes for former economies whose
// ISO 3166-3 code differs: its "YUG" row is Serbia and Montenegro, its
// "YUGf" row the Socialist Federal Republic of Yugoslavia.
var wbFormerCodes = map[string]string{"YUGf": "YUG"}

var reFY = regexp.MustCompile(`^FY ?([0-9]{2}|[0-9]{4})$`)

// worldBankWorkbook reads sheets as a World Bank classification workbook
// if they are one, and reports whether they were.
func (r *run) worldBankWorkbook(sheets []sheet) (bool, error) {
	if r.in.Kind != "" && r.in.Kind != access.KindCountries {
		return false, nil
	}
	byName := map[string]sheet{}
	for _, sh := range sheets {
		byName[access.NormalizeName(sh.name)] = sh
	}
	if sh, ok := byName["country analytical history"]; ok {
		top, err := topRows(sh, headerScan)
		if err != nil {
			return false, nil
		}
		if fy, _ := historyHeader(top); fy >= 0 {
			return true, r.incomeHistory(sh)
		}
	}
	list, okList := byName["list of economies"]
	comp, okComp := byName["composition"]
	if okList && okComp {
		top, err := topRows(list, 1)
		if err == nil && len(top) == 1 && classHeader(top[0].cells) != nil {
			return true, r.incomeClass(list, comp, byName["notes"])
		}
	}
	return false, nil
}

type numberedRow struct {
	n     int
	cells []string
}

// topRows reads up to n rows of a sheet.
func topRows(sh sheet, n int) ([]numberedRow, error) {
	src, err := sh.open()
	if err != nil {
		return nil, err
	}
	defer src.Close()
	var out []numberedRow
	for len(out) < n && src.Next() {
		out = append(out, numberedRow{src.RowNum(), append([]string(nil), src.Row()...)})
	}
	return out, src.Err()
}

// historyHeader finds the fiscal-year and data-year rows: the indexes in
// rows of the "Bank's fiscal year" row and the "Data for calendar year" row
// below it, or -1.
func historyHeader(rows []numberedRow) (fy, data int) {
	fy, data = -1, -1
	for i, row := range rows {
		for _, c := range row.cells {
			n := access.NormalizeName(c)
			switch {
			case strings.HasPrefix(n, "bank s fiscal year") || strings.HasPrefix(n, "banks fiscal year"):
				fy = i
			case strings.HasPrefix(n, "data for calendar year") && fy >= 0:
				return fy, i
			}
		}
	}
	return -1, -1
}

// fiscalYearOf reads "FY89" or "FY2026" as a four-digit year.
func fiscalYearOf(s string) (int, bool) {
	m := reFY.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(s)))
	if m == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(m[1])
	if len(m[1]) == 2 {
		if n >= 50 {
			n += 1900
		} else {
			n += 2000
		}
	}
	return n, true
}

// historyColumn is one fiscal year of the history.
type historyColumn struct {
	idx      int
	fy       int
	dataYear int
}

// incomeHistory reads the "Country Analytical History" sheet.
func (r *run) incomeHistory(sh sheet) error {
	src, err := sh.open()
	if err != nil {
		return err
	}
	defer src.Close()
	var head []numberedRow
	for len(head) < headerScan && src.Next() {
		head = append(head, numberedRow{src.RowNum(), append([]string(nil), src.Row()...)})
	}
	fyRow, dataRow := historyHeader(head)
	if fyRow < 0 {
		return r.sourceErr(sh.name, src.Err())
	}
	r.tables++
	r.kind = access.KindCountries
	r.layouts = append(r.layouts, "worldbank-income-history")
	var cols []historyColumn
	fyCells, dataCells := head[fyRow].cells, head[dataRow].cells
	for i, c := range fyCells {
		fy, ok := fiscalYearOf(c)
		if !ok {
			continue
		}
		col := historyColumn{idx: i, fy: fy, dataYear: fy - access.IncomeFiscalLag}
		if i < len(dataCells) {
			if y, ok := parseYear(strings.TrimSpace(dataCells[i])); ok && y != col.dataYear {
				r.errorAt(cellRef{sh.name, head[dataRow].n, i}, CodeInvalidYear, dataCells[i],
					"fiscal year %s should classify data of %d (FY − 2), not %d", c, col.dataYear, y)
				continue
			}
		}
		cols = append(cols, col)
	}
	if len(cols) == 0 {
		r.errorAt(cellRef{sh.name, head[fyRow].n, -1}, CodeMissingColumn, "", "no fiscal years (FY89, FY90, …) on the \"Bank's fiscal year\" row")
		return nil
	}
	seen := map[string]int{}
	handle := func(n int, cells []string) error {
		if n > r.lim.MaxRows {
			return errStopSheet
		}
		return r.historyRow(sh.name, n, cells, cols, seen)
	}
	for _, b := range head[dataRow+1:] {
		if err := handle(b.n, b.cells); err != nil {
			return r.stop(sh.name, b.n, err)
		}
	}
	for src.Next() {
		if err := handle(src.RowNum(), src.Row()); err != nil {
			return r.stop(sh.name, src.RowNum(), err)
		}
	}
	return r.sourceErr(sh.name, src.Err())
}

var reEconomyCode = regexp.MustCompile(`^[A-Z]{3}[a-z]?$`)

// historyRow reads one economy's row; threshold rows, blank rows and notes
// (no code in the first column) are passed over.
func (r *run) historyRow(sheetName string, n int, cells []string, cols []historyColumn, seen map[string]int) error {
	cell := func(i int) string {
		if i < len(cells) {
			return strings.TrimSpace(cells[i])
		}
		return ""
	}
	code, name := cell(0), cell(1)
	if !reEconomyCode.MatchString(code) {
		return nil
	}
	r.rows++
	iso3, ok := r.economy(sheetName, n, code, name)
	if !ok {
		return nil
	}
	if first, dup := seen[iso3]; dup {
		r.errorAt(cellRef{sheetName, n, 0}, CodeDuplicateConflict, code, "%s is listed twice (first on row %d)", iso3, first)
		return nil
	}
	seen[iso3] = n
	for _, c := range cols {
		v := cell(c.idx)
		g, ok := wbIncomeCodes[strings.ToUpper(v)]
		if !ok {
			r.errorAt(cellRef{sheetName, n, c.idx}, CodeInvalidValue, v,
				"unknown income code %q (L, LM, LM*, UM, H or ..)", truncate(v, 16))
			continue
		}
		m := access.CountryMetadata{ISO3: iso3, IncomeGroup: g, IncomeVintage: fmt.Sprintf("FY%d", c.fy), DataYear: c.dataYear,
			Name: name, Lineage: access.Lineage{Sheet: sheetName, Row: n}}
		if err := r.add(func(b *access.Batch) { b.Countries = append(b.Countries, m) }); err != nil {
			return err
		}
	}
	return nil
}

// economy resolves a World Bank economy code. A former economy ("Serbia and
// Montenegro (former)") is resolved by its name, since the Bank's codes for
// them are not ISO 3166-3's.
func (r *run) economy(sheetName string, n int, code, name string) (string, bool) {
	if iso, ok := wbFormerCodes[code]; ok {
		return iso, true
	}
	if strings.Contains(strings.ToLower(name), "(former)") {
		if h := r.resolveCountry(strings.TrimSpace(strings.Replace(name, "(former)", "", 1))); h.ok {
			return h.iso3, true
		}
		if h := r.resolveCountry(name); h.ok {
			return h.iso3, true
		}
	}
	if h := r.resolveCountry(code); h.ok {
		return h.iso3, true
	}
	if h := r.resolveCountry(name); h.ok {
		return h.iso3, true
	}
	r.warnAt(cellRef{sheetName, n, 0}, CodeUnknownCountry, code,
		"economy %s (%s) is not in the country reference data; its row is skipped", code, truncate(name, 60))
	return "", false
}

// classHeader maps the columns of a "List of economies" header, or nil.
func classHeader(cells []string) map[string]int {
	at := map[string]int{}
	for i, c := range cells {
		switch access.NormalizeName(c) {
		case "economy":
			at["name"] = i
		case "code":
			at["code"] = i
		case "income group":
			at["income"] = i
		}
	}
	if len(at) != 3 {
		return nil
	}
	return at
}

var reClassDate = regexp.MustCompile(`(?i)set on july 1, ((?:19|20)[0-9]{2})`)

// incomeClass reads the current classification ("List of economies"),
// passing over the aggregates that "composition" lists.
func (r *run) incomeClass(list, comp, notes sheet) error {
	aggregates := map[string]bool{}
	if rows, err := topRows(comp, r.lim.MaxRows); err == nil {
		for _, row := range rows {
			if len(row.cells) > 0 {
				aggregates[strings.TrimSpace(row.cells[0])] = true
			}
		}
	}
	// The vintage: the notes' "set on July 1, 2025" is FY2026; else the file name.
	vintage := ""
	if notes.open != nil {
		if rows, err := topRows(notes, 40); err == nil {
			for _, row := range rows {
				for _, c := range row.cells {
					if m := reClassDate.FindStringSubmatch(c); m != nil {
						y, _ := strconv.Atoi(m[1])
						vintage = fmt.Sprintf("FY%d", y+1)
					}
				}
			}
		}
	}
	if vintage == "" {
		if m := reVintage.FindStringSubmatch(filepathBase(r.in.Filename)); m != nil {
			if fy, ok := fiscalYearOf(strings.ReplaceAll(strings.ToUpper(m[0]), " ", "")); ok {
				vintage = fmt.Sprintf("FY%d", fy)
			} else {
				vintage = m[0]
			}
		}
	}
	src, err := list.open()
	if err != nil {
		return err
	}
	defer src.Close()
	if !src.Next() {
		return r.sourceErr(list.name, src.Err())
	}
	at := classHeader(src.Row())
	r.tables++
	r.kind = access.KindCountries
	r.layouts = append(r.layouts, "worldbank-class")
	seen := map[string]int{}
	for src.Next() {
		n, cells := src.RowNum(), src.Row()
		if n > r.lim.MaxRows {
			return r.stop(list.name, n, errStopSheet)
		}
		cell := func(i int) string {
			if i < len(cells) {
				return strings.TrimSpace(cells[i])
			}
			return ""
		}
		code, name, income := cell(at["code"]), cell(at["name"]), cell(at["income"])
		if code == "" || aggregates[code] {
			continue
		}
		r.rows++
		iso3, ok := r.economy(list.name, n, code, name)
		if !ok {
			continue
		}
		if first, dup := seen[iso3]; dup {
			r.errorAt(cellRef{list.name, n, at["code"]}, CodeDuplicateConflict, code, "%s is listed twice (first on row %d)", iso3, first)
			continue
		}
		seen[iso3] = n
		g := ""
		if income != "" {
			v, ok := incomeGroups[access.NormalizeName(income)]
			if !ok {
				r.errorAt(cellRef{list.name, n, at["income"]}, CodeInvalidValue, income, "unknown income group %q (LIC, LMC, UMC, HIC)", truncate(income, 40))
				continue
			}
			g = v
		}
		m := access.CountryMetadata{ISO3: iso3, IncomeGroup: g, IncomeVintage: vintage, Name: name,
			Lineage: access.Lineage{Sheet: list.name, Row: n}}
		if err := r.add(func(b *access.Batch) { b.Countries = append(b.Countries, m) }); err != nil {
			return err
		}
	}
	return r.sourceErr(list.name, src.Err())
}
