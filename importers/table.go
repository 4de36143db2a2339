package importers

import (
	"encoding/csv"
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/reliefgap/reliefgap/internal/access"
)

// table is a recognised table on one sheet.
type table struct {
	sheet     string
	kind      access.ImportKind
	layout    string
	headerRow int
	cols      []column
	id        map[role]int // identifier and dimension columns → index
	vals      []column     // quantity columns
	ctxYear   int          // a year named by the title or sheet name
	ctxDrug   drugHit      // a drug named by the title or sheet name
	ctxUnit   unit         // a unit named by the title, units line or sheet name
	thousands bool         // population in thousands
	vintage   string
	sub       *subtotals // INCB subtotal and Total rows, checked at the end
	unused    []string   // headers that are neither identifiers nor quantities
}

// sheetRows is one sheet being read: its first rows, buffered so that the
// layouts can look at them, and the rest still to be streamed.
type sheetRows struct {
	name   string
	head   []bufRow        // the first headerScan rows (fewer if the sheet is short)
	merges func() [][4]int // merged ranges, read lazily
	next   func() (int, []string, bool)
	src    rowSource
	// ahead reads the rest of the sheet's rows ahead, in a goroutine; the
	// sheet's merged cells must have been read by then. From then on, a
	// row next returns is good until the next call.
	ahead func()
}

// bufRow is one row with its 1-based number as the user sees it.
type bufRow struct {
	n     int
	cells []string
	num   []bool // which cells are numbers stored as such, when known
}

// sheet reads one sheet: its first rows are buffered and offered to each
// layout of sheetLayouts in turn; the first that recognises them reads the
// sheet.
func (r *run) sheet(sh sheet) error {
	raw, err := sh.open()
	if err != nil {
		r.problem(access.Problem{Severity: access.SeverityError, Code: CodeUnreadableSheet, Sheet: sh.name,
			Message: "the sheet could not be read: " + err.Error()})
		return nil
	}
	src := newAheadRows(raw)
	defer src.Close()
	tooManyCols := false
	// Rows are copied (the source may reuse its slice): into new slices
	// while the first rows are kept to find the header, into one slice
	// once the sheet streams (ahead), as nothing keeps a data row.
	var spare []string
	streaming := false
	next := func() (int, []string, bool) {
		if !src.Next() {
			return 0, nil, false
		}
		n, cells := src.RowNum(), src.Row()
		if len(cells) > r.lim.MaxColumns {
			if !tooManyCols {
				tooManyCols = true
				r.errorAt(cellRef{sh.name, n, r.lim.MaxColumns}, CodeTooManyColumns, "",
					"the row has %d columns; at most %d are read", len(cells), r.lim.MaxColumns)
			}
			cells = cells[:r.lim.MaxColumns]
		}
		var cp []string
		if streaming {
			spare = slices.Grow(spare[:0], len(cells))[:len(cells)]
			cp = spare
		} else {
			cp = make([]string, len(cells))
		}
		for i, c := range cells {
			if len(c) > r.lim.MaxCellLength {
				r.errorAt(cellRef{sh.name, n, i}, CodeCellTooLong, truncate(c, 32), "the cell holds %d characters; the limit is %d", len(c), r.lim.MaxCellLength)
				c = ""
			}
			cp[i] = c
		}
		return n, cp, true
	}
	num := func() []bool {
		if v := src.NumericCells(); len(v) > 0 {
			return append([]bool(nil), v[:min(len(v), r.lim.MaxColumns)]...)
		}
		return nil
	}
	rows := &sheetRows{name: sh.name, merges: sh.merges, next: next, src: src, ahead: func() { src.start(); streaming = true }}
	for len(rows.head) < headerScan {
		n, cells, ok := next()
		if !ok {
			break
		}
		rows.head = append(rows.head, bufRow{n, cells, num()})
	}
	for _, l := range sheetLayouts {
		if l.match(r, rows) {
			return l.read(r, rows)
		}
	}
	return r.sourceErr(sh.name, src.Err())
}

// tableSheet is the general reader: it finds the header row among the
// first rows, maps its columns, then streams the data rows.
func (r *run) tableSheet(sh *sheetRows) error {
	buf, next, src := sh.head, sh.next, sh.src
	hi := -1
	for i, b := range buf {
		if r.looksLikeHeader(b.cells) {
			hi = i
			break
		}
	}
	if hi < 0 {
		return r.sourceErr(sh.name, src.Err())
	}
	header := append([]string(nil), buf[hi].cells...)
	var above []string
	for _, b := range buf[:hi] {
		for _, c := range b.cells {
			if !isBlank(c) {
				above = append(above, c)
			}
		}
	}
	if hasGaps(header) {
		header = r.fillMerged(header, sh.merges(), buf[:hi+1])
	}
	var sample [][]string
	for _, b := range buf[hi+1:] {
		sample = append(sample, b.cells)
	}
	t, ok := r.buildTable(sh.name, buf[hi].n, header, above, sample)
	if !ok {
		return r.sourceErr(sh.name, src.Err())
	}
	r.tables++
	t.sub = newSubtotals(t)
	r.publisherHint = publisherOf(t.layout, r.in.Filename)
	defer r.checkSubtotals(t)
	if r.kind == "" {
		r.kind = t.kind
	}
	if !contains(r.layouts, t.layout) {
		r.layouts = append(r.layouts, t.layout)
	}
	defer r.setNumeric(0, nil)
	for _, b := range buf[hi+1:] {
		r.setNumeric(b.n, b.num)
		if err := r.tableRow(t, b.n, b.cells); err != nil {
			return r.stop(sh.name, b.n, err)
		}
	}
	sh.ahead()
	for {
		n, cells, ok := next()
		if !ok {
			break
		}
		r.setNumeric(n, numericOf(src))
		if err := r.tableRow(t, n, cells); err != nil {
			return r.stop(sh.name, n, err)
		}
	}
	return r.sourceErr(sh.name, src.Err())
}

// fillMerged copies the top-left value of each merged range that covers
// the header row (the last of rows) over the header's blank cells in it.
func (r *run) fillMerged(header []string, merges [][4]int, rows []bufRow) []string {
	hn := rows[len(rows)-1].n
	for _, m := range merges {
		if m[1] > hn || m[3] < hn {
			continue
		}
		v := ""
		for _, b := range rows {
			if b.n == m[1] && m[0]-1 < len(b.cells) {
				v = b.cells[m[0]-1]
			}
		}
		for c := m[0] - 1; c < m[2] && c < r.lim.MaxColumns; c++ {
			for len(header) <= c {
				header = append(header, "")
			}
			if isBlank(header[c]) {
				header[c] = v
			}
		}
	}
	return header
}

// tableRow reads data row n of table t, within the row limit and the
// processing time budget, and counts it.
func (r *run) tableRow(t *table, n int, cells []string) error {
	if n > r.lim.MaxRows {
		return errStopSheet
	}
	// The context (which carries the processing time budget as its
	// deadline) is checked every 256 rows read, counted or not, so that a
	// sheet of blank or skipped rows cannot hold a worker either.
	if n%256 == 0 {
		if err := r.ctx.Err(); err != nil {
			return err
		}
	}
	counted, err := r.row(t, n, cells)
	if counted {
		r.rows++
		if r.rows%1000 == 0 && r.in.Progress != nil {
			r.in.Progress(int64(r.rows), r.totalRows)
		}
	}
	return err
}

var errStopSheet = errors.New("row limit reached")

func (r *run) stop(sheet string, n int, err error) error {
	if errors.Is(err, errStopSheet) {
		r.errorAt(cellRef{sheet, n, -1}, CodeTooManyRows, "", "the sheet has more than %d rows; the rest is not read", r.lim.MaxRows)
		return nil
	}
	return err
}

func (r *run) sourceErr(sheet string, err error) error {
	if err == nil {
		return nil
	}
	p := access.Problem{Severity: access.SeverityError, Code: CodeSyntax, Sheet: sheet, Message: "the file could not be read past this point: " + err.Error()}
	if l, _, ok := csvErrPos(err); ok {
		p.Row = l
	}
	r.problem(p)
	return nil
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func hasGaps(h []string) bool {
	for _, c := range h {
		if isBlank(c) {
			return true
		}
	}
	return false
}

// looksLikeHeader: a row that names a country column (or, for a scoped
// upload, a year column) together with years, drugs or quantities.
func (r *run) looksLikeHeader(cells []string) bool {
	scoped := r.in.Country != ""
	ident, year, other, years := false, false, 0, 0
	for _, c := range cells {
		n := normalize(c)
		if n == "" {
			continue
		}
		if _, ok := headerYear(c); ok {
			years++
			continue
		}
		switch identRole(n) {
		case roleISO3, roleISO2, roleNumeric, roleName:
			ident = true
		case roleYear:
			year = true
			other++
		case roleNone:
			for _, k := range access.ImportKinds {
				if _, ok := valueField(k, n); ok {
					other++
					break
				}
			}
			if causeIn(n) != "" || r.resolveDrugQuiet(c).ok {
				other++
			}
		default:
			other++
		}
	}
	switch {
	case ident && (years > 0 || other > 0):
		return true
	case scoped && year && other >= 2:
		return true
	case years >= 2 && len(cells) > 0 && !isBlank(cells[0]) && years == countNonBlank(cells)-1:
		return true // "Country or territory | 2009 | 2010 | ..." with an unusual first header
	case len(cells) > 1 && isBlank(cells[0]) && countNonBlank(cells) >= 2 && r.acrossOnly(cells[1:]):
		return true // " | Codeine | Morphine | ..." or " | 2009 | 2010": the country column unnamed
	}
	return false
}

// acrossOnly reports whether every non-blank cell names a year or a drug
// (the headers of a table with countries down and an unnamed first
// column).
func (r *run) acrossOnly(cells []string) bool {
	for _, c := range cells {
		if isBlank(c) {
			continue
		}
		if _, ok := headerYear(c); ok {
			continue
		}
		if r.resolveDrug(c).ok {
			continue
		}
		return false
	}
	return true
}

func countNonBlank(cells []string) int {
	n := 0
	for _, c := range cells {
		if !isBlank(c) {
			n++
		}
	}
	return n
}

var reVintage = regexp.MustCompile(`(?i)(FY ?)?((?:19|20)[0-9]{2})`)

// buildTable maps the header cells of a sheet to column meanings.
func (r *run) buildTable(sheetName string, headerRow int, header, above []string, sample [][]string) (*table, bool) {
	t := &table{sheet: sheetName, headerRow: headerRow, id: map[role]int{}}
	t.kind = r.tableKind(sheetName, header, above, sample)
	if t.kind == "" {
		return nil, false
	}
	r.readContext(t, sheetName, above)
	r.mapColumns(t, header)
	r.settleColumns(t, header)
	t.layout = r.layoutName(t, header)
	if !r.checkColumns(t) {
		r.tables++ // a table, with problems already reported
		return nil, false
	}
	return t, true
}

// tableKind says what kind of data a sheet holds: the import's kind, else
// what the header, the text above it and the sample rows say; "" if none.
func (r *run) tableKind(sheetName string, header, above []string, sample [][]string) access.ImportKind {
	context := strings.Join(append([]string{sheetName}, above...), " | ")
	hasDrugCols, hasYearCols := false, false
	for _, h := range header {
		if _, ok := headerYear(h); ok {
			hasYearCols = true
		} else if n := normalize(h); n != "" && identRole(n) == roleNone && r.resolveDrugQuiet(h).ok {
			hasDrugCols = true
		}
	}
	kind := r.in.Kind
	if kind == "" {
		kind = kindFromSeries(header, sample) // GHO, DataBank: the indicator says
	}
	if kind == "" {
		kind = detectKind(header, context, hasDrugCols, hasYearCols)
	}
	if kind == "" && isWDILong(header) {
		kind = access.KindPopulation // World Bank WDI: a population download
	}
	return kind
}

// readContext takes the year, drug, unit and scale a table's sheet name
// and the text above its header give.
func (r *run) readContext(t *table, sheetName string, above []string) {
	for _, s := range append([]string{sheetName}, above...) {
		if ys := yearsIn(s); len(ys) == 1 && t.ctxYear == 0 {
			t.ctxYear = ys[0]
		}
		if !t.ctxDrug.ok {
			if h, ok := r.drugInText(s); ok {
				t.ctxDrug = h
			}
		}
		if u, ok := unitInText(s); ok && !t.ctxUnit.ok() {
			t.ctxUnit = u
		}
		if thousandsIn(s) {
			t.thousands = true
		}
	}
}

// mapColumns gives each header cell its meaning: an identifying column, a
// value column, or an unused one.
func (r *run) mapColumns(t *table, header []string) {
	first := true
	for i, h := range header {
		n := normalize(h)
		if n == "" {
			continue
		}
		if rl := identRole(n); rl != roleNone {
			if _, dup := t.id[rl]; !dup {
				t.id[rl] = i
				if rl == roleName && first {
					first = false
				}
			}
			if rl == roleIncome && t.vintage == "" {
				if m := reVintage.FindStringSubmatch(h); m != nil {
					t.vintage = m[0]
				}
			}
			continue
		}
		c := column{idx: i, role: roleValue, head: h}
		if u, ok := unitInText(h); ok {
			c.unit = u
		} else if u, ok := drugUnit(h); ok {
			c.unit = u
		}
		if y, ok := headerYear(h); ok {
			c.year = y
			c.field = defaultField(t.kind)
			t.vals = append(t.vals, c)
			continue
		}
		switch t.kind {
		case access.KindConsumption, access.KindEstimates:
			if d := r.resolveDrug(h); d.ok {
				c.drug, c.frac, c.salt = d.code, d.frac, d.salt
				c.field = defaultField(t.kind)
				t.vals = append(t.vals, c)
				continue
			}
		case access.KindDeaths:
			if cause := causeOf(h); cause != "" {
				if deathsColumnUsable(h, n) {
					c.cause, c.field = cause, fDeaths
					t.vals = append(t.vals, c)
				} else {
					r.ignored.add(h) // a rate, share or subgroup
				}
				continue
			}
		case access.KindCountries:
			continue
		}
		if f, ok := valueField(t.kind, n); ok {
			c.field = f
			if t.kind == access.KindPopulation && thousandsIn(h) {
				c.unit = unit{"thousands", 1000}
			}
			t.vals = append(t.vals, c)
			continue
		}
		t.unused = append(t.unused, h)
	}
}

func defaultField(k access.ImportKind) int {
	switch k {
	case access.KindEstimates:
		return fTotal
	case access.KindPopulation:
		return fPopTotal
	case access.KindDeaths:
		return fDeaths
	}
	return fConsumed
}

func (r *run) layoutName(t *table, header []string) string {
	wideYears := false
	wideDrugs := false
	for _, v := range t.vals {
		if v.year != 0 {
			wideYears = true
		}
		if v.drug != "" {
			wideDrugs = true
		}
	}
	_, hasInd := t.id[roleIndicatorCode]
	_, hasIndName := t.id[roleIndicatorName]
	switch t.kind {
	case access.KindConsumption:
		switch {
		case wideYears:
			return "incb-wide-years"
		case wideDrugs:
			return "incb-wide-drugs"
		}
		return "consumption-long"
	case access.KindEstimates:
		switch {
		case wideYears:
			return "estimates-wide-years"
		case wideDrugs:
			return "estimates-wide-drugs"
		}
		return "estimates-long"
	}
	if l := publisherLayout(t, header); l != "" {
		return l
	}
	switch t.kind {
	case access.KindPopulation:
		_, hasNum := t.id[roleNumeric]
		_, hasVariant := t.id[roleVariant]
		switch {
		case (hasInd || hasIndName) && wideYears:
			return "wdi-wide"
		case wideYears:
			return "population-wide-years"
		case hasNum || hasVariant || t.thousands || anyThousands(t.vals):
			t.thousands = true
			return "wpp"
		}
		if idx, ok := t.id[roleName]; ok && normalize(header[idx]) == "country name" {
			return "wdi-long"
		}
		return "population-long"
	case access.KindDeaths:
		for _, v := range t.vals {
			if strings.Contains(v.head, " - ") && strings.Contains(strings.ToLower(v.head), "deaths") {
				return "owid-gbd"
			}
		}
		switch {
		case wideYears:
			return "deaths-wide-years"
		case len(t.vals) > 0 && t.vals[0].cause != "":
			return "deaths-wide"
		}
		return "deaths-long"
	case access.KindCountries:
		if _, ok := t.id[roleRegion]; ok {
			return "worldbank-metadata"
		}
		if i, ok := t.id[roleISO3]; ok && normalize(header[i]) == "dimensionmembercode" {
			return "who-gho"
		}
		if i, ok := t.id[roleIncome]; ok && strings.Contains(normalize(header[i]), "world bank income group") {
			return "who-gho"
		}
		return "countries-reference"
	}
	return string(t.kind)
}

func anyThousands(vs []column) bool {
	for _, v := range vs {
		if v.unit.name == "thousands" {
			return true
		}
	}
	return false
}

// checkColumns reports the columns a table of its kind needs and lacks.
func (r *run) checkColumns(t *table) bool {
	at := cellRef{t.sheet, t.headerRow, -1}
	missing := func(what string) bool {
		r.errorAt(at, CodeMissingColumn, "", "no %s column: the %s table needs one (header row %d)", what, t.kind, t.headerRow)
		return false
	}
	_, iso := t.id[roleISO3]
	_, iso2 := t.id[roleISO2]
	_, num := t.id[roleNumeric]
	_, name := t.id[roleName]
	if !(iso || iso2 || num || name) && r.in.Country == "" {
		return missing("country")
	}
	if t.kind == access.KindCountries {
		_, reg := t.id[roleWHORegion]
		_, inc := t.id[roleIncome]
		if !reg && !inc {
			return missing("WHO region or income group")
		}
		if t.vintage == "" {
			if m := reVintage.FindStringSubmatch(filepathBase(r.in.Filename)); m != nil {
				t.vintage = m[0]
			}
		}
		return true
	}
	if len(t.vals) == 0 {
		return missing("quantity")
	}
	_, year := t.id[roleYear]
	if !year && t.ctxYear == 0 {
		for _, v := range t.vals {
			if v.year == 0 {
				return missing("year")
			}
		}
	}
	if t.kind == access.KindConsumption || t.kind == access.KindEstimates {
		_, drug := t.id[roleDrug]
		if !drug && !t.ctxDrug.ok {
			for _, v := range t.vals {
				if v.drug == "" {
					return missing("drug")
				}
			}
		}
		_, unitCol := t.id[roleUnit]
		if !unitCol && !t.ctxUnit.ok() {
			for _, v := range t.vals {
				if !v.unit.ok() {
					r.errorAt(cellRef{t.sheet, t.headerRow, v.idx}, CodeUnknownUnit, v.head,
						"no unit for %q: add a Unit column, or name the unit (kg, g, mg) in the header or a units line", v.head)
					return false
				}
			}
		}
	}
	if t.kind == access.KindDeaths {
		_, cause := t.id[roleCause]
		if !cause {
			_, cause = t.id[roleIndicatorCode] // the series says which cause
		}
		for _, v := range t.vals {
			if v.cause == "" && !cause {
				return missing("cause")
			}
		}
	}
	return true
}

func filepathBase(s string) string {
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		return s[i+1:]
	}
	return s
}

func csvErrPos(err error) (line, col int, ok bool) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Line, -1, true
	}
	return 0, 0, false
}

// isDash reports INCB's "-": nil or below the publication threshold.
func isDash(s string) bool {
	switch strings.TrimSpace(s) {
	case "-", "–", "—", "--", "‒", "−":
		return true
	}
	return false
}

func isNotGiven(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "..", "na", "n/a":
		return true
	}
	return false
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// isWDILong recognises the World Bank WDI long layout: Country Name,
// Country Code, Year, Value.
func isWDILong(header []string) bool {
	seen := map[string]bool{}
	for _, h := range header {
		seen[normalize(h)] = true
	}
	return seen["country name"] && seen["country code"] && seen["year"] && seen["value"]
}

// settleColumns resolves what the header alone leaves open: an unnamed
// first column of country names; IHME's location_id, which is IHME's own
// numbering and not M49; deaths columns of causes not mapped (listed once
// as ignored rather than refused).
func (r *run) settleColumns(t *table, header []string) {
	if !t.hasCountryColumn() && len(header) > 0 && isBlank(header[0]) && !t.isValueCol(0) {
		t.id[roleName] = 0
	}
	// GHO: FactValueNumeric (or the API's NumericValue) is the number;
	// Value is display text ("21 000 [16 000-27 000]").
	numeric := false
	for _, v := range t.vals {
		if n := normalize(v.head); n == "factvaluenumeric" || n == "numericvalue" {
			numeric = true
		}
	}
	if numeric {
		kept := t.vals[:0]
		for _, v := range t.vals {
			if normalize(v.head) != "value" {
				kept = append(kept, v)
			}
		}
		t.vals = kept
	}
	_, measure := t.id[roleMeasure]
	_, metric := t.id[roleMetric]
	if i, ok := t.id[roleNumeric]; ok && (measure || metric) && normalize(header[i]) == "location id" {
		delete(t.id, roleNumeric)
	}
	if t.kind == access.KindDeaths {
		withCause := 0
		for _, v := range t.vals {
			if v.cause != "" {
				withCause++
			}
		}
		if withCause > 0 {
			kept := t.vals[:0]
			for _, v := range t.vals {
				if v.cause == "" && v.year == 0 {
					r.ignored.add(v.head) // "Deaths - Road injuries - …"
					continue
				}
				kept = append(kept, v)
			}
			t.vals = kept
			for _, h := range t.unused {
				r.ignored.add(h) // "Population (historical)"
			}
		}
	}
}

func (t *table) hasCountryColumn() bool {
	for _, rl := range []role{roleISO3, roleISO2, roleNumeric, roleName} {
		if _, ok := t.id[rl]; ok {
			return true
		}
	}
	return false
}

// kindFromSeries reads the kind from an indicator column's first values:
// a GHO or DataBank export holds whatever its indicator is.
func kindFromSeries(header []string, sample [][]string) access.ImportKind {
	idx := -1
	for i, h := range header {
		if rl := identRole(normalize(h)); rl == roleIndicatorCode || rl == roleIndicatorName && idx < 0 {
			idx = i
		}
	}
	if idx < 0 {
		return ""
	}
	for _, row := range sample {
		if idx < len(row) {
			if s, ok := seriesMap.lookup(row[idx]); ok {
				return s.kind
			}
		}
	}
	return ""
}

// causeOf maps a cause name or a deaths column header to a cause code:
// through the series table ("Neoplasms", "HIV/AIDS"; an OWID header
// "Deaths - Neoplasms - Sex: Both - Age: All Ages (Number)" by its middle
// part), else by the words it contains.
func causeOf(h string) string {
	name := h
	if parts := strings.Split(h, " - "); len(parts) >= 2 && strings.EqualFold(strings.TrimSpace(parts[0]), "deaths") {
		name = strings.TrimSpace(parts[1])
	}
	if s, ok := seriesMap.lookup(name); ok && s.kind == access.KindDeaths {
		return s.target
	}
	return causeIn(normalize(name))
}

// publisherLayout names the layouts of publishers whose tables the
// general reader maps column by column: GBD results, GHO exports, World
// Bank DataBank exports and OWID grapher downloads.
func publisherLayout(t *table, header []string) string {
	head := func(rl role) string {
		if i, ok := t.id[rl]; ok && i < len(header) {
			return normalize(header[i])
		}
		return ""
	}
	dataBank := false
	for _, v := range t.vals {
		if v.year != 0 && strings.Contains(strings.ToUpper(v.head), "YR") {
			dataBank = true
		}
	}
	switch {
	case t.fromIHME():
		return "ihme-gbd"
	case head(roleIndicatorCode) == "indicatorcode" && (head(roleISO3) == "spatialdimvaluecode" || head(roleISO3) == "spatialdim"):
		return "gho-long"
	case head(roleName) == "countries territories and areas":
		return "gho-wide"
	case dataBank:
		return "databank-wide"
	case head(roleName) == "entity" && t.kind != access.KindDeaths:
		return "owid-grapher"
	}
	return ""
}
