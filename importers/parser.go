package importers

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/reliefgap/reliefgap/internal/access"
)

// Parser reads consumption, estimates, population, deaths and country
// metadata files (.xlsx, .csv, .tsv). It implements access.Parser.
type Parser struct {
	// BatchSize is the number of records per emitted batch (default 2,000).
	BatchSize int

	prep preparing // files read ahead (Prepare)
}

var _ access.Parser = (*Parser)(nil)

// New returns a Parser with default settings.
func New() *Parser { return &Parser{BatchSize: 2000} }

// maxProblemsPerCode bounds the problems listed of each code; the rest of
// a code are counted in one closing problem. Bounding each code alone
// keeps one frequent kind (thousands of under_1kg) from crowding out the
// others, and the bound is high enough that the full list of a national or
// INCB table is kept (for JSON and the annotated workbook) while memory
// stays bounded.
const maxProblemsPerCode = 20000

// maxProblems bounds the problems listed by readers that keep one list of
// every code (the availability surveys).
const maxProblems = 5000

// headerScan is how many rows at the top of a sheet are searched for the
// header row.
const headerScan = 40

type limits = access.Limits

// Parse reads in.Data and emits its records in batches. Row-level findings
// are Problems in the result; the caller refuses the import when any has
// severity error. A returned error means the file could not be read at
// all: too large (access.TooLarge), not a spreadsheet, or emit failed.
func (p *Parser) Parse(ctx context.Context, in access.ParseInput, emit func(access.Batch) error) (res access.ParseResult, err error) {
	lim := withDefaults(in.Limits)
	head, size, err := checkParseInput(in, lim)
	if err != nil {
		return res, err
	}
	r := newRun(ctx, p, in, lim, emit)
	defer r.recs.close()
	if r.givenLocale, err = ParseLocale(in.Locale); err != nil {
		return res, &access.Error{Code: access.Invalid, Op: parseOp, Msg: err.Error()}
	}
	sheets, closeFile, err := r.readSheets(in, head, size, lim)
	if err != nil {
		return res, err
	}
	defer closeFile()
	if res, ok, err := parseAvailabilityKinds(ctx, in, sheets, lim, r.locale, emit); ok {
		return res, err
	}
	return r.parseSheets(in, sheets)
}

// parseOp names Parse in its errors.
const parseOp = "importers.Parse"

// checkParseInput refuses an input that cannot be parsed at all, and
// returns the head of the file and its size.
func checkParseInput(in access.ParseInput, lim limits) ([]byte, int64, error) {
	const op = parseOp
	head, size := in.Data, int64(len(in.Data))
	if in.Path != "" {
		var err error
		if head, size, err = fileHead(in.Path); err != nil {
			return nil, 0, &access.Error{Code: access.Internal, Op: op, Msg: "cannot read the spooled upload", Err: err}
		}
	}
	if size > lim.MaxBytes {
		return nil, 0, &access.Error{Code: access.TooLarge, Op: op,
			Msg: fmt.Sprintf("the file is %d bytes; the limit is %d", size, lim.MaxBytes)}
	}
	if in.Resolver == nil {
		return nil, 0, access.Errorf(access.Invalid, op, "no country and drug reference data to resolve names with")
	}
	if in.Kind != "" && !in.Kind.Valid() {
		return nil, 0, access.Errorf(access.Invalid, op, "unknown import kind %q", in.Kind)
	}
	return head, size, nil
}

// readSheets reads the sheets of a workbook or text file and sets the
// run's locale. The returned func closes the workbook once the sheets
// have been read.
func (r *run) readSheets(in access.ParseInput, head []byte, size int64, lim limits) (sheets []sheet, closeFile func(), err error) {
	const op = parseOp
	closeFile = func() {}
	ext := strings.ToLower(filepath.Ext(in.Filename))
	switch {
	case isODS(head) || ext == ".ods":
		return nil, nil, access.Errorf(access.Invalid, op, "%s", odsMessage)
	case isXLS(head):
		if sheets, err = readXLSSheets(in, lim); err != nil {
			return nil, nil, err
		}
		r.locale = LocaleUnknown
		r.workbook = true
	case isXLSX(head):
		f, err := openParseXLSX(in, size, lim)
		if err != nil {
			return nil, nil, err
		}
		closeFile = func() { f.Close() }
		sheets = xlsxSheets(f, int(size), in.Data)
		r.locale = LocaleUnknown
		r.workbook = true
	case ext == ".xls" || ext == ".xlsb" || ext == ".xlsm" && !isXLSX(head) || ext == ".xlsx":
		return nil, nil, access.Errorf(access.Invalid, op, "%s files are not supported; save the workbook as .xlsx or .csv", ext)
	case bytesLookBinary(head):
		return nil, nil, access.Errorf(access.Invalid, op, "the file is neither an .xlsx workbook nor a text (CSV) file")
	case in.Path != "":
		if pr := r.p.preparedFor(in.Path, lim); pr != nil {
			sheets, r.totalRows, r.locale = pr.sheets, pr.lines, pr.info.locale
			r.colVotes, r.fileVotes, r.scanned = pr.colVotes, pr.fileVotes, true
			return sheets, closeFile, nil
		}
		var info csvInfo
		sheets, info, r.totalRows, err = csvFileSheets(in.Path, head)
		if err != nil {
			return nil, nil, &access.Error{Code: access.Invalid, Op: op, Msg: "the text file could not be decoded", Err: err}
		}
		r.locale = info.locale
	default:
		var info csvInfo
		sheets, info, err = csvSheets(in.Data)
		if err != nil {
			return nil, nil, &access.Error{Code: access.Invalid, Op: op, Msg: "the text file could not be decoded", Err: err}
		}
		r.locale = info.locale
		r.totalRows = int64(strings.Count(string(in.Data), "\n"))
	}
	return sheets, closeFile, nil
}

// readXLSSheets reads the sheets of an .xls workbook.
func readXLSSheets(in access.ParseInput, lim limits) ([]sheet, error) {
	const op = parseOp
	data := in.Data
	if in.Path != "" {
		// .xls workbooks are small (65,536 rows at most): read whole.
		var err error
		if data, err = os.ReadFile(in.Path); err != nil {
			return nil, &access.Error{Code: access.Internal, Op: op, Msg: "cannot read the spooled upload", Err: err}
		}
	}
	sheets, err := xlsSheets(data, lim)
	if err != nil {
		return nil, &access.Error{Code: access.Invalid, Op: op, Msg: "the file is not a readable .xls workbook; save it as .xlsx and try again", Err: err}
	}
	return sheets, nil
}

// openParseXLSX opens an .xlsx workbook, from the spooled file or memory.
func openParseXLSX(in access.ParseInput, size int64, lim limits) (*excelize.File, error) {
	const op = parseOp
	var f *excelize.File
	var err error
	if in.Path != "" {
		f, err = openXLSXFile(in.Path, lim)
	} else {
		f, err = openXLSX(in.Data, lim)
	}
	if errors.Is(err, errSharedStrings) {
		return nil, &access.Error{Code: access.Invalid, Op: op, Err: err, Msg: fmt.Sprintf(
			"the workbook's text (its shared-string table) is larger than %d MiB when unzipped; remove long texts or save it as CSV", maxSharedStrings>>20)}
	}
	if isUnzipLimit(err) {
		return nil, &access.Error{Code: access.Invalid, Op: op, Err: err, Msg: fmt.Sprintf(
			"the workbook inflates to more than %d MiB when unzipped (%d times its size, or %d MiB at most); remove unused sheets or save it as CSV",
			unzipLimit(size)>>20, maxInflateRatio, maxUnzipBytes>>20)}
	}
	if err != nil {
		return nil, &access.Error{Code: access.Invalid, Op: op, Msg: "the file is not a readable .xlsx workbook", Err: err}
	}
	return f, nil
}

// parseSheets reads the tables of the sheets and returns the result.
func (r *run) parseSheets(in access.ParseInput, sheets []sheet) (res access.ParseResult, err error) {
	if r.givenLocale == LocaleUnknown && !r.scanned {
		r.scanLocales(sheets)
		defer func() {
			for _, p := range r.prescans {
				p.close()
			}
		}()
	}
	wb, err := r.worldBankWorkbook(sheets) // wbincome.go
	if err != nil {
		return res, err
	}
	for _, sh := range sheets {
		if wb {
			break
		}
		if err := r.sheet(sh); err != nil {
			return res, err
		}
	}
	if r.tables == 0 {
		r.problem(access.Problem{Severity: access.SeverityError, Code: CodeNoTable,
			Message: "no table found: no row names a country (or code) column together with years, drugs or quantities"})
	}
	if err := r.finishProblems(); err != nil {
		return res, err
	}
	if in.Progress != nil {
		in.Progress(int64(r.rows), int64(r.rows))
	}
	res = access.ParseResult{Kind: r.kind, Layout: strings.Join(r.layouts, "+"), Rows: r.rows, Problems: r.problems, Matches: r.matches}
	return res, nil
}

// finishProblems adds the problems known only at the end of the file,
// flushes the last batch and counts the problems not listed.
func (r *run) finishProblems() error {
	if err := r.finalChecks(); err != nil {
		return err
	}
	for _, p := range r.skipped.problems() {
		r.problem(p)
	}
	if p, ok := r.ignored.problem(); ok {
		r.problem(p)
	}
	for _, why := range r.filterOrder {
		rows := "rows"
		if r.filtered[why] == 1 {
			rows = "row"
		}
		r.problem(access.Problem{Severity: access.SeverityWarning, Code: CodeRowsFiltered,
			Message: fmt.Sprintf("skipped %d %s of %s", r.filtered[why], rows, why)})
	}
	if err := r.flush(); err != nil {
		return err
	}
	for _, code := range sortedCodes(r.suppressed) {
		n := r.suppressed[code]
		sev := access.SeverityWarning
		if r.suppressedErrors[code] > 0 {
			sev = access.SeverityError
		}
		r.problems = append(r.problems, access.Problem{Severity: sev, Code: CodeTooManyProblems, Value: code,
			Message: fmt.Sprintf("%d more %s problems not listed (%d listed)", n, code, maxProblemsPerCode)})
	}
	return nil
}

func bytesLookBinary(b []byte) bool {
	if len(b) > 4096 {
		b = b[:4096]
	}
	for _, c := range b {
		if c == 0 {
			return true
		}
	}
	return false
}

func withDefaults(l access.Limits) access.Limits {
	d := access.DefaultLimits
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxRows <= 0 {
		l.MaxRows = d.MaxRows
	}
	if l.MaxColumns <= 0 {
		l.MaxColumns = d.MaxColumns
	}
	if l.MaxCellLength <= 0 {
		l.MaxCellLength = d.MaxCellLength
	}
	return l
}

// Problem codes.
const (
	CodeNoTable            = "no_table"
	CodeMissingColumn      = "missing_column"
	CodeInvalidNumber      = "invalid_number"
	CodeNegative           = "negative"
	CodeInvalidYear        = "invalid_year"
	CodeUnknownCountry     = "unknown_country"
	CodeUnknownDrug        = "unknown_drug"
	CodeUnknownUnit        = "unknown_unit"
	CodeUnknownCause       = "unknown_cause"
	CodeInvalidValue       = "invalid_value"
	CodeOutOfScope         = "out_of_scope"
	CodeDuplicateConflict  = "duplicate_conflict"
	CodeDuplicate          = "duplicate_row"
	CodeMissingValue       = "missing_value"
	CodeNoCountry          = "no_country"
	CodeCellTooLong        = "cell_too_long"
	CodeTooManyRows        = "too_many_rows"
	CodeTooManyColumns     = "too_many_columns"
	CodeSyntax             = "syntax"
	CodeBelowThreshold     = "below_publication_threshold"
	CodeUnder1kg           = "under_1kg"
	CodeYearOnYear         = "year_on_year"
	CodeAboveEstimate      = "above_estimate"
	CodeStockBalance       = "stock_balance"
	CodeTotalMismatch      = "total_mismatch"
	CodeTooManyProblems    = "too_many_problems"
	CodeUnreadableSheet    = "unreadable_sheet"
	CodeAmbiguousNumberFmt = "ambiguous_number"
	CodeNumberLocale       = "number_locale"
	CodeAggregatesSkipped  = "aggregates_skipped"
	CodeSubtotalMismatch   = "subtotal_mismatch"
	CodeSeriesIgnored      = "series_ignored"
	CodeOtherIndicator     = "other_indicator"
	CodeRowsFiltered       = "rows_filtered"
	CodeImplausible        = "implausible_quantity"
	CodeImplausibleMEPC    = "implausible_me_per_capita"
)

// cellRef addresses one cell as the user sees it.
type cellRef struct {
	sheet string
	row   int
	col   int // 0-based; -1 for a whole row
}

func (c cellRef) problem(sev access.Severity, code, value, msg string) access.Problem {
	p := access.Problem{Severity: sev, Code: code, Sheet: c.sheet, Row: c.row, Value: value, Message: msg}
	if c.col >= 0 {
		p.Column = colName(c.col)
	}
	return p
}

// entry is what the run remembers of one record, for duplicate and
// cross-record checks: its values and, instead of a cell reference per
// field, the record's one sheet and row and each field's column. Entries
// are kept in the run's records (records.go), not in memory.
type entry struct {
	seriesKey
	series int32 // the series' number in the run's records
	year   int
	vals   [nFields]float64
	set    uint32
	row    int32
	cols   [nFields]int16
	sheet  string
	raw    [nFields]string // the cells as typed
}

func (e *entry) has(f int) bool { return e.set&(1<<f) != 0 }

// ref is where field f of the record is in the file.
func (e *entry) ref(f int) cellRef { return cellRef{e.sheet, int(e.row), int(e.cols[f])} }

// fill sets e to the record p read on row of sheet.
func (e *entry) fill(sheet string, row int, p *pending) {
	*e = entry{row: int32(row), sheet: sheet, vals: p.vals, set: p.set, raw: p.raw}
	for f := range e.cols {
		e.cols[f] = -1
		if p.set&(1<<f) != 0 {
			e.cols[f] = int16(p.refs[f].col)
		}
	}
}

// countrySeen is the first row of a country in a country metadata table
// and the values it gave.
type countrySeen struct {
	row int
	sig string // WHO region|income group|vintage
}

// intern returns the run's one copy of s.
func (r *run) intern(s string) string {
	if v, ok := r.interned[s]; ok {
		return v
	}
	r.interned[s] = s
	return s
}

type run struct {
	// numeric says which cells of row numericRow are numbers stored as
	// such (a workbook's numeric cells), read without regard to locale.
	numericRow int
	numeric    []bool
	prescans   []*prescanned // sheets whose first rows the locale scan kept, still open (replay.go)
	ctx        context.Context
	p          *Parser
	in         access.ParseInput
	lim        access.Limits
	emit       func(access.Batch) error
	batch      access.Batch

	locale    Locale
	kind      access.ImportKind
	layouts   []string
	tables    int
	rows      int
	totalRows int64

	problems         []access.Problem
	suppressed       map[string]int // by code
	suppressedErrors map[string]int
	matches          []access.Match
	matchSeen        map[string]bool
	perCode          map[string]int // problems listed, by code

	publisherHint string // whose aggregates a name most likely is: worldbank, who, owid, ihme, incb, un
	skipped       skippedAggregates
	ignored       ignoredSeries
	filtered      map[string]int // rows passed over by a filter (sex, age, metric), by reason
	filterOrder   []string

	workbook     bool   // an .xlsx or .xls file, not text
	givenLocale  Locale // from ParseInput.Locale; LocaleUnknown when not given
	colVotes     map[colKey]*localeVotes
	scanned      bool                   // colVotes and fileVotes were read ahead (Prepare)
	flushed      bool                   // a batch was emitted
	colLocale    map[colKey]colDecision // columnLocale's decisions
	fileVotes    localeVotes
	localeNoted  map[colKey]bool
	recs         records                // every record, for duplicates and the final checks
	countries    map[string]countrySeen // country metadata rows by ISO3
	pending      []pending              // the records of the row being read
	pendingAt    map[pendingKey]int     // their indexes
	interned     map[string]string      // interned record dimensions
	countryCache map[string]countryHit
	drugCache    map[string]drugHit
}

type countryHit struct {
	iso3      string
	agg       *aggregate // a known group of countries: the row is skipped
	owid      bool       // an OWID_ code not in the table: a group unless the row's name is a country
	ok        bool
	tried     string
	suggested []string
}

type drugHit struct {
	code string
	frac float64
	salt string
	ok   bool
}

func newRun(ctx context.Context, p *Parser, in access.ParseInput, lim access.Limits, emit func(access.Batch) error) *run {
	return &run{ctx: ctx, p: p, in: in, lim: lim, emit: emit, matchSeen: map[string]bool{},
		recs: newRecords(), countries: map[string]countrySeen{}, pendingAt: map[pendingKey]int{}, interned: map[string]string{}, perCode: map[string]int{}, suppressed: map[string]int{}, suppressedErrors: map[string]int{}, localeNoted: map[colKey]bool{}, countryCache: map[string]countryHit{}, drugCache: map[string]drugHit{}}
}

func (r *run) problem(p access.Problem) {
	if r.perCode[p.Code] >= maxProblemsPerCode {
		r.suppressed[p.Code]++
		if p.Severity == access.SeverityError {
			r.suppressedErrors[p.Code]++
		}
		return
	}
	r.perCode[p.Code]++
	r.problems = append(r.problems, p)
}

func sortedCodes(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// filter counts a row passed over on purpose, to report once.
func (r *run) filter(why string) {
	if r.filtered == nil {
		r.filtered = map[string]int{}
	}
	if _, ok := r.filtered[why]; !ok {
		r.filterOrder = append(r.filterOrder, why)
	}
	r.filtered[why]++
}

func (r *run) errorAt(c cellRef, code, value, format string, args ...any) {
	r.problem(c.problem(access.SeverityError, code, value, fmt.Sprintf(format, args...)))
}

func (r *run) warnAt(c cellRef, code, value, format string, args ...any) {
	r.problem(c.problem(access.SeverityWarning, code, value, fmt.Sprintf(format, args...)))
}

func (r *run) match(m access.Match) {
	k := m.What + "\x00" + m.Value + "\x00" + m.Method
	if r.matchSeen[k] {
		return
	}
	r.matchSeen[k] = true
	r.matches = append(r.matches, m)
}

func (r *run) batchSize() int {
	n := 2000
	if r.p.BatchSize > 0 {
		n = r.p.BatchSize
	}
	if !r.flushed {
		// The first batch is small, so that the store starts writing
		// while the rest of the first thousands of rows are read.
		return min(n, firstBatch)
	}
	return n
}

// firstBatch bounds the records of a parse's first batch.
const firstBatch = 250

func (r *run) add(fill func(b *access.Batch)) error {
	fill(&r.batch)
	return r.flushFull()
}

// flushFull emits the batch once it holds batchSize records.
func (r *run) flushFull() error {
	if r.batch.Len() >= r.batchSize() {
		return r.flush()
	}
	return nil
}

// appendRecord appends v to one of a batch's slices, made the size of a
// whole batch at first so that it never grows by copying.
func appendRecord[T any](s []T, v T, size int) []T {
	if s == nil {
		s = make([]T, 0, size)
	}
	return append(s, v)
}

func (r *run) flush() error {
	if r.batch.Len() == 0 {
		return nil
	}
	b := r.batch
	r.batch, r.flushed = access.Batch{}, true
	select {
	case sb := <-r.in.Spent:
		r.batch = sb.Emptied()
	default:
	}
	if err := r.emit(b); err != nil {
		return fmt.Errorf("importers: storing a batch: %w", err)
	}
	return nil
}

// resolveCountry resolves a code or name, trying the text without
// footnote markers ("United Republic of Tanzania a") when the text itself
// is unknown. A text that is no country but a known aggregate (a region,
// an income group, a total) is marked so.
func (r *run) resolveCountry(s string) countryHit {
	s = strings.TrimSpace(s)
	if h, ok := r.countryCache[s]; ok {
		return h
	}
	h := countryHit{tried: s}
	t := strings.TrimSpace(reFootnote.ReplaceAllString(s, ""))
	c, m, ok := r.in.Resolver.Country(s)
	if !ok && t != s && t != "" {
		c, m, ok = r.in.Resolver.Country(t)
		m.Value = s
	}
	if ok {
		h.iso3, h.ok = c.ISO3, true
		if m.Method != "iso3" {
			r.match(m)
		}
		r.countryCache[s] = h
		return h
	}
	a, found := aggregates.lookupFor(s, r.publisherHint)
	if !found && t != s && t != "" {
		a, found = aggregates.lookupFor(t, r.publisherHint)
	}
	switch {
	case found:
		h.agg = &a
		r.match(access.Match{What: "country", Value: s, Method: "aggregate"})
	case isOWIDCode(s):
		h.owid = true
	default:
		h.suggested = r.in.Resolver.Suggest(s, 3)
		r.match(access.Match{What: "country", Value: s, Suggestions: h.suggested})
	}
	r.countryCache[s] = h
	return h
}

func (r *run) resolveDrug(s string) drugHit {
	s = strings.TrimSpace(s)
	if h, ok := r.drugCache[s]; ok {
		return h
	}
	var h drugHit
	code, frac, salt, m, ok := r.in.Resolver.Drug(s)
	for _, t := range drugNameVariants(s) {
		if ok {
			break
		}
		code, frac, salt, m, ok = r.in.Resolver.Drug(t)
		m.Value = s
	}
	if ok {
		h = drugHit{code: code, frac: frac, salt: salt, ok: true}
		if salt != "" {
			if v, found := r.in.SaltBase.Value(salt); found && v > 0 {
				h.frac = v
			}
		}
		if m.Method != "inn" {
			r.match(m)
		}
	}
	r.drugCache[s] = h
	return h
}

// drugInText finds a drug named in a title or sheet name ("Consumption of
// morphine, 2009-2013"), longest phrase first.
func (r *run) drugInText(s string) (drugHit, bool) {
	words := strings.Fields(normalize(s))
	for n := min(5, len(words)); n >= 1; n-- {
		for i := 0; i+n <= len(words); i++ {
			if h := r.resolveDrugQuiet(strings.Join(words[i:i+n], " ")); h.ok {
				return h, true
			}
		}
	}
	return drugHit{}, false
}

func (r *run) resolveDrugQuiet(s string) drugHit {
	code, frac, salt, _, ok := r.in.Resolver.Drug(s)
	for _, t := range drugNameVariants(s) {
		if ok {
			break
		}
		code, frac, salt, _, ok = r.in.Resolver.Drug(t)
	}
	if !ok {
		return drugHit{}
	}
	h := drugHit{code: code, frac: frac, salt: salt, ok: true}
	if salt != "" {
		if v, found := r.in.SaltBase.Value(salt); found && v > 0 {
			h.frac = v
		}
	}
	return h
}

func (r *run) conversion(u unit, h drugHit) string {
	var parts []string
	switch u.name {
	case "kg":
		parts = append(parts, "kg→g ×1000")
	case "mg":
		parts = append(parts, "mg→g ×0.001")
	case "t":
		parts = append(parts, "t→g ×1000000")
	}
	if h.salt != "" {
		src := "resolver"
		if r.in.SaltBase.Has(h.salt) {
			src = fmt.Sprintf("%s v%d", r.in.SaltBase.Name, r.in.SaltBase.Version)
		}
		parts = append(parts, fmt.Sprintf("%s→base ×%s (%s)", h.salt, strconv.FormatFloat(h.frac, 'f', -1, 64), src))
	}
	return strings.Join(parts, "; ")
}

// round12 drops floating-point noise from unit and salt conversions, so
// that 0.8120000000000001 kg and 0.812 kg both store 812 g.
func round12(v float64) float64 {
	if v == 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return v
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e12 {
		return v // a whole number of at most 12 digits: already so written
	}
	out, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	if err != nil {
		return v
	}
	return out
}

var reM49Code = regexp.MustCompile(`^[0-9]{1,4}$`)

var reParenthetical = regexp.MustCompile(`^(.*?)\s*\(([^()]*)\)\s*$`)

// drugNameVariants are the other readings of a drug header or cell, tried
// in order when it does not resolve as it is: without footnote markers
// ("Morphine a"), the series table's name ("Pethidine (meperidine)"), and
// the name outside and inside parentheses.
func drugNameVariants(s string) []string {
	var out []string
	t := strings.TrimSpace(reFootnote.ReplaceAllString(s, ""))
	if t != s && t != "" {
		out = append(out, t)
	}
	if st, ok := seriesMap.lookup(t); ok && st.kind == access.KindConsumption {
		out = append(out, st.target)
	}
	if m := reParenthetical.FindStringSubmatch(t); m != nil {
		out = append(out, m[1], m[2])
	}
	return out
}
