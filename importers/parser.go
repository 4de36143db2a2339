package importers

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"

	"github.com/reliefgap/reliefgap/internal/access"
)

// Parser reads consumption, estimates, population, deaths and country
// metadata files (.xlsx, .csv, .tsv). It implements access.Parser.
type Parser struct {
	// BatchSize is the number of records per emitted batch (default 2,000).
	BatchSize int
}

var _ access.Parser = (*Parser)(nil)

// New returns a Parser with default settings.
func New() *Parser { return &Parser{BatchSize: 2000} }

// maxProblems bounds the problems listed; the rest are counted in one
// closing problem.
const maxProblems = 5000

// headerScan is how many rows at the top of a sheet are searched for the
// header row.
const headerScan = 40

type limits = access.Limits

// errPanic marks a recovered panic, so that tests can tell it apart.
var errPanic = errors.New("unexpected failure while reading the file")

// Parse reads in.Data and emits its records in batches. Row-level findings
// are Problems in the result; the caller refuses the import when any has
// severity error. A returned error means the file could not be read at
// all: too large (access.TooLarge), not a spreadsheet, or emit failed.
func (p *Parser) Parse(ctx context.Context, in access.ParseInput, emit func(access.Batch) error) (res access.ParseResult, err error) {
	const op = "importers.Parse"
	defer func() {
		if r := recover(); r != nil {
			res = access.ParseResult{}
			err = &access.Error{Code: access.Invalid, Op: op,
				Msg: "the file could not be read (it may be damaged or in an unexpected shape)",
				Err: fmt.Errorf("%w: %v\n%s", errPanic, r, firstLines(string(debug.Stack()), 12))}
		}
	}()
	lim := withDefaults(in.Limits)
	if int64(len(in.Data)) > lim.MaxBytes {
		return res, &access.Error{Code: access.TooLarge, Op: op,
			Msg: fmt.Sprintf("the file is %d bytes; the limit is %d", len(in.Data), lim.MaxBytes)}
	}
	if in.Resolver == nil {
		return res, access.Errorf(access.Invalid, op, "no country and drug reference data to resolve names with")
	}
	if in.Kind != "" && !in.Kind.Valid() {
		return res, access.Errorf(access.Invalid, op, "unknown import kind %q", in.Kind)
	}
	r := newRun(ctx, p, in, lim, emit)
	ext := strings.ToLower(filepath.Ext(in.Filename))
	var sheets []sheet
	switch {
	case isXLSX(in.Data):
		f, err := openXLSX(in.Data, lim)
		if err != nil {
			return res, &access.Error{Code: access.Invalid, Op: op, Msg: "the file is not a readable .xlsx workbook", Err: err}
		}
		defer f.Close()
		sheets = xlsxSheets(f, len(in.Data))
		r.locale = LocaleUnknown
	case ext == ".xls" || ext == ".ods" || ext == ".xlsb" || ext == ".xlsm" && !isXLSX(in.Data) || ext == ".xlsx":
		return res, access.Errorf(access.Invalid, op, "%s files are not supported; save the workbook as .xlsx or .csv", ext)
	case bytesLookBinary(in.Data):
		return res, access.Errorf(access.Invalid, op, "the file is neither an .xlsx workbook nor a text (CSV) file")
	default:
		var info csvInfo
		sheets, info, err = csvSheets(in.Data)
		if err != nil {
			return res, &access.Error{Code: access.Invalid, Op: op, Msg: "the text file could not be decoded", Err: err}
		}
		r.locale = info.locale
		r.totalRows = int64(strings.Count(string(in.Data), "\n"))
	}
	if res, ok, err := parseAvailabilityKinds(ctx, in, sheets, lim, r.locale, emit); ok {
		return res, err
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
	r.finalChecks()
	if err := r.flush(); err != nil {
		return res, err
	}
	if r.suppressed > 0 {
		sev := access.SeverityWarning
		if r.suppressedErrors > 0 {
			sev = access.SeverityError
		}
		r.problems = append(r.problems, access.Problem{Severity: sev, Code: CodeTooManyProblems,
			Message: fmt.Sprintf("%d more problems (%d errors) not listed", r.suppressed, r.suppressedErrors)})
	}
	if in.Progress != nil {
		in.Progress(int64(r.rows), int64(r.rows))
	}
	res = access.ParseResult{Kind: r.kind, Layout: strings.Join(r.layouts, "+"), Rows: r.rows, Problems: r.problems, Matches: r.matches}
	return res, nil
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
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
	CodeOtherIndicator     = "other_indicator"
	CodeAmbiguousNumberFmt = "ambiguous_number"
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
// cross-record checks.
type entry struct {
	kind  access.ImportKind
	iso3  string
	year  int
	dim   string // drug, cause, or drug|estimate kind
	vals  [nFields]float64
	set   uint32
	refs  [nFields]cellRef
	first cellRef
}

func (e *entry) has(f int) bool { return e.set&(1<<f) != 0 }

type run struct {
	ctx   context.Context
	p     *Parser
	in    access.ParseInput
	lim   access.Limits
	emit  func(access.Batch) error
	batch access.Batch

	locale    Locale
	kind      access.ImportKind
	layouts   []string
	tables    int
	rows      int
	totalRows int64

	problems         []access.Problem
	suppressed       int
	suppressedErrors int
	matches          []access.Match
	matchSeen        map[string]bool
	entries          map[string]*entry
	order            []string
	countryCache     map[string]countryHit
	drugCache        map[string]drugHit
}

type countryHit struct {
	iso3      string
	skip      string // "aggregate" or "no-iso-code": a row to pass over
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
		entries: map[string]*entry{}, countryCache: map[string]countryHit{}, drugCache: map[string]drugHit{}}
}

func (r *run) problem(p access.Problem) {
	if len(r.problems) >= maxProblems {
		r.suppressed++
		if p.Severity == access.SeverityError {
			r.suppressedErrors++
		}
		return
	}
	r.problems = append(r.problems, p)
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
	if r.p.BatchSize > 0 {
		return r.p.BatchSize
	}
	return 2000
}

func (r *run) add(fill func(b *access.Batch)) error {
	fill(&r.batch)
	if r.batch.Len() >= r.batchSize() {
		return r.flush()
	}
	return nil
}

func (r *run) flush() error {
	if r.batch.Len() == 0 {
		return nil
	}
	b := r.batch
	r.batch = access.Batch{}
	if err := r.emit(b); err != nil {
		return fmt.Errorf("importers: storing a batch: %w", err)
	}
	return nil
}

// resolveCountry resolves a code or name, trying the text without
// footnote markers ("United Republic of Tanzania a") when the text itself
// is unknown.
func (r *run) resolveCountry(s string) countryHit {
	s = strings.TrimSpace(s)
	if h, ok := r.countryCache[s]; ok {
		return h
	}
	h := countryHit{tried: s}
	c, m, ok := r.in.Resolver.Country(s)
	if !ok {
		if t := strings.TrimSpace(reFootnote.ReplaceAllString(s, "")); t != s && t != "" {
			c, m, ok = r.in.Resolver.Country(t)
			m.Value = s
		}
	}
	switch {
	case ok:
		h.iso3, h.ok = c.ISO3, true
		if m.Method != "iso3" {
			r.match(m)
		}
	case isAggregate(s):
		h.skip = "aggregate"
		r.match(access.Match{What: "country", Value: s, Method: "aggregate"})
	case isNoISOArea(s):
		h.skip = "no-iso-code"
		r.match(access.Match{What: "country", Value: s, Method: "no-iso-code"})
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
	if !ok {
		if t := strings.TrimSpace(reFootnote.ReplaceAllString(s, "")); t != s && t != "" {
			code, frac, salt, m, ok = r.in.Resolver.Drug(t)
			m.Value = s
		}
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
	words := strings.Fields(access.NormalizeName(s))
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
	out, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	if err != nil {
		return v
	}
	return out
}

var (
	wbAggregateCodes = setOf("AFE", "AFW", "ARB", "CEB", "CSS", "EAP", "EAR", "EAS", "ECA", "ECS", "EMU", "EUU",
		"FCS", "HIC", "HPC", "IBD", "IBT", "IDA", "IDB", "IDX", "INX", "LAC", "LCN", "LDC", "LIC", "LMC", "LMY",
		"LTE", "MEA", "MIC", "MNA", "NAC", "OED", "OSS", "PRE", "PSS", "PST", "SAS", "SSA", "SSF", "SST", "TEA",
		"TEC", "TLA", "TMN", "TSA", "TSS", "UMC", "WLD", "XKX_AGG")
	aggregateNames = setOf("world", "total", "grand total", "totals", "sum", "all countries", "global",
		"africa", "americas", "asia", "europe", "oceania", "latin america and the caribbean", "northern america",
		"sub saharan africa", "sub saharan africa excluding high income", "east asia pacific", "europe central asia",
		"middle east north africa", "south asia", "north america", "latin america caribbean", "arab world",
		"euro area", "european union", "high income", "low income", "lower middle income", "upper middle income",
		"middle income", "low middle income", "low and middle income", "oecd members", "least developed countries",
		"least developed countries un classification", "fragile and conflict affected situations",
		"heavily indebted poor countries hipc", "ida only", "ida blend", "ida total", "ibrd only", "ida ibrd total",
		"small states", "other small states", "pacific island small states", "caribbean small states",
		"more developed regions", "less developed regions", "sdg regions", "not classified",
		"african region", "region of the americas", "south east asia region", "european region",
		"eastern mediterranean region", "western pacific region", "who region", "income groups")
	noISOAreas = setOf("channel islands", "830", "channel islands 830")
	reM49Code  = regexp.MustCompile(`^[0-9]{1,4}$`)
	m49Regions = setOf("1", "2", "5", "9", "11", "13", "14", "15", "17", "18", "19", "21", "29", "30", "34", "35",
		"39", "53", "54", "57", "61", "142", "143", "145", "150", "151", "154", "155", "202", "419")
)

func setOf(xs ...string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// isAggregate recognises regional, income and world totals that World
// Bank, UN and INCB tables list among countries.
func isAggregate(s string) bool {
	t := strings.TrimSpace(s)
	if wbAggregateCodes[strings.ToUpper(t)] {
		return true
	}
	n := access.NormalizeName(t)
	if aggregateNames[n] {
		return true
	}
	if reM49Code.MatchString(t) {
		v, _ := strconv.Atoi(t)
		if v >= 900 || m49Regions[strconv.Itoa(v)] {
			return true
		}
	}
	return strings.HasSuffix(n, " income") || strings.HasPrefix(n, "world ") ||
		strings.Contains(n, " excluding high income") || strings.Contains(n, "ida ") && strings.Contains(n, "ibrd")
}

func isNoISOArea(s string) bool {
	n := access.NormalizeName(s)
	if reM49Code.MatchString(n) {
		v, _ := strconv.Atoi(n)
		n = strconv.Itoa(v)
	}
	return noISOAreas[n]
}

// sortedKeys is used for deterministic final checks.
func sortedKeys(m map[string][]*entry) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
