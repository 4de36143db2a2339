package importers

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseLocale reads a locale name as given by --locale or the upload form's
// locale field: "dot" (1,234.5; also "en", "point") or "comma" (1.234,5;
// also "de", "fr", "decimal-comma"); "" leaves it to the file.
func ParseLocale(s string) (Locale, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return LocaleUnknown, nil
	case "dot", "point", "decimal-point", "en", "en-us", "en-gb", "1,234.5":
		return LocaleDot, nil
	case "comma", "decimal-comma", "de", "fr", "es", "it", "pt", "ru", "1.234,5":
		return LocaleComma, nil
	}
	return LocaleUnknown, fmt.Errorf("unknown locale %q: use dot (1,234.5) or comma (1.234,5)", s)
}

func (l Locale) String() string {
	switch l {
	case LocaleDot:
		return "dot"
	case LocaleComma:
		return "comma"
	}
	return "auto"
}

// localeScanRows bounds the rows per sheet read in advance for evidence
// of the decimal separator.
const localeScanRows = 50_000

// colKey names one column of one sheet.
type colKey struct {
	sheet string
	col   int
}

// localeVotes is what the numbers of a column say about its separators:
// values that can only be read one way ("1,234,567", "0.5", "1.234,5",
// "0,5"), and values that are groups of three after a lone comma
// ("46,498"), which read as thousands when there are several and no
// counter-evidence.
type localeVotes struct {
	dot, comma, grouped int
	example             string
}

// evidence reports whether s can only be a number written with group as
// the thousands separator and dec as the decimal mark: "1,234.5",
// "1,234,567", ".5", "0.25", "3.1416" (for group ',' and dec '.'), that is
// the regular expression
//
//	^[0-9]{1,3}(G[0-9]{3})+D[0-9]+$ | ^[0-9]{1,3}(G[0-9]{3}){2,}$ | ^[0-9]*D([0-9]{1,2}|[0-9]{4,})$
//
// matched by hand: every cell of a column's first rows goes through it.
func evidence(s string, group, dec byte) bool {
	lead := leadDigits(s)
	rest := s[lead:]
	if rest == "" {
		return false
	}
	if rest[0] == dec { // ^[0-9]*D([0-9]{1,2}|[0-9]{4,})$
		frac := rest[1:]
		n := leadDigits(frac)
		if n == len(frac) && (n == 1 || n == 2 || n >= 4) {
			return true
		}
	}
	if lead < 1 || lead > 3 {
		return false
	}
	groups := 0
	for len(rest) >= 4 && rest[0] == group && leadDigits(rest[1:4]) == 3 {
		groups++
		rest = rest[4:]
	}
	switch {
	case groups >= 2 && rest == "":
		return true
	case groups >= 1 && len(rest) >= 2 && rest[0] == dec:
		return leadDigits(rest[1:]) == len(rest)-1
	}
	return false
}

// loneGroup reports whether s is "46,498": ^[1-9][0-9]{0,2},[0-9]{3}$.
func loneGroup(s string) bool { return groupOfThree(s, ',') }

// groupOfThree reports whether s is 1 to 3 digits (not starting with 0),
// sep and 3 digits.
func groupOfThree(s string, sep ...byte) bool {
	lead := leadDigits(s)
	if lead < 1 || lead > 3 || s[0] == '0' || len(s) != lead+4 || leadDigits(s[lead+1:]) != 3 {
		return false
	}
	for _, c := range sep {
		if s[lead] == c {
			return true
		}
	}
	return false
}

// leadDigits is the length of the run of ASCII digits s starts with.
func leadDigits(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return i
		}
	}
	return len(s)
}

// mayHaveFootnote reports whether s could carry a footnote mark
// (reNumFootnote): every mark ends in a symbol, a letter or ")", never in
// a digit, a point or a comma.
func mayHaveFootnote(s string) bool {
	if s == "" {
		return false
	}
	c := s[len(s)-1]
	return !(c >= '0' && c <= '9' || c == '.' || c == ',')
}

// vote records what one cell says.
func (v *localeVotes) vote(s string) {
	s = strings.TrimSpace(s)
	if mayHaveFootnote(s) {
		if m := reNumFootnote.FindStringSubmatch(s); m != nil {
			s = strings.TrimSpace(m[1])
		}
	}
	s = strings.TrimPrefix(strings.TrimSuffix(strings.TrimPrefix(s, "("), ")"), "-")
	if s == "" || len(s) > 40 || !strings.ContainsAny(s, ".,") {
		return
	}
	switch {
	case evidence(s, ',', '.'):
		v.dot++
		if v.example == "" || v.comma > 0 {
			v.example = s
		}
	case evidence(s, '.', ','):
		v.comma++
		if v.example == "" || v.dot > 0 {
			v.example = s
		}
	case loneGroup(s):
		v.grouped++
	}
}

// decide is the locale the votes settle, with the reason in words.
// minGrouped is how many "46,498"-like values, with nothing against them,
// settle thousands: in a workbook one does (a spreadsheet turns a typed
// decimal-comma number into a number; text like "46,498" comes from tables
// printed with thousands separators), in a text file three.
func (v localeVotes) decide(minGrouped int) (Locale, string) {
	switch {
	case v.dot > 0 && v.comma == 0:
		return LocaleDot, fmt.Sprintf("other numbers there use a decimal point (e.g. %q)", v.example)
	case v.comma > 0 && v.dot == 0:
		return LocaleComma, fmt.Sprintf("other numbers there use a decimal comma (e.g. %q)", v.example)
	case v.dot == 0 && v.comma == 0 && v.grouped >= minGrouped && v.grouped > 0:
		return LocaleDot, fmt.Sprintf("%d numbers there are written with a comma before exactly three digits, as thousands are", v.grouped)
	}
	return LocaleUnknown, ""
}

// scanLocales reads the first rows of every sheet for evidence of each
// column's decimal separator.
func (r *run) scanLocales(sheets []sheet) {
	r.colVotes = map[colKey]*localeVotes{}
	r.colLocale = nil
	budget := prescanKeepBytes
	for si := range sheets {
		sh := sheets[si]
		src, err := sh.open()
		if err != nil {
			continue
		}
		p := &prescanned{open: sh.open}
		keep := sh.reread
		n := 0
		for ; n < localeScanRows && src.Next(); n++ {
			row, num := src.Row(), numericOf(src)
			if keep && !p.keep(src.RowNum(), row, num, &budget) {
				keep = false
				budget += p.size()
				p = &prescanned{open: sh.open}
			}
			for i, c := range row {
				if i >= r.lim.MaxColumns || len(c) > 64 || !strings.ContainsAny(c, ".,") || i < len(num) && num[i] {
					continue // a number stored as such says nothing of the file's separators
				}
				k := colKey{sh.name, i}
				v := r.colVotes[k]
				if v == nil {
					v = &localeVotes{}
					r.colVotes[k] = v
				}
				v.vote(c)
				r.fileVotes.vote(c)
			}
		}
		if !keep {
			src.Close()
			continue
		}
		// The sheet is read from here on: its kept rows, then the rest.
		if n < localeScanRows {
			p.complete, p.err = true, src.Err()
			src.Close()
		} else {
			p.src = src
			r.prescans = append(r.prescans, p)
		}
		sheets[si].open = p.openSheet
	}
}

// setNumeric records which cells of row n are numbers stored as such.
func (r *run) setNumeric(n int, num []bool) { r.numericRow, r.numeric = n, num }

// isNumeric reports whether the cell at is a number stored as such.
func (r *run) isNumeric(at cellRef) bool {
	return at.row == r.numericRow && at.col >= 0 && at.col < len(r.numeric) && r.numeric[at.col]
}

// number reads a quantity cell. An ambiguous "1,234" or "1.234" is read
// in the locale given for the upload, else the one the rest of its column
// (or the file) settles, else as the file's delimiter suggests; the first
// value so read in each column is reported.
func (r *run) number(at cellRef, s string, withUnit bool) (published, error) {
	if r.isNumeric(at) {
		// Stored as a number: its decimal mark is a point, whatever the
		// locale of the file or the one given.
		return readPublished(s, LocaleDot, withUnit)
	}
	if r.givenLocale != LocaleUnknown {
		p, err := readPublished(s, r.givenLocale, withUnit)
		if err == nil && ambiguous(s, withUnit) && !r.localeNoted[colKey{"", -1}] {
			r.localeNoted[colKey{"", -1}] = true // once per file
			r.warnAt(at, CodeNumberLocale, s, "%q read as %s with the %s locale given for this upload", s, fmtNum(p.v), r.givenLocale)
		}
		return p, err
	}
	if ambiguous(s, withUnit) {
		decided, why := r.columnLocale(at)
		if decided != LocaleUnknown {
			p, err := readPublished(s, decided, withUnit)
			// Reported once per file and reading, at the first cell so read.
			if nk := (colKey{"", -10 - int(decided)}); err == nil && !r.localeNoted[nk] {
				r.localeNoted[nk] = true
				r.warnAt(at, CodeNumberLocale, s, "%q read as %s, and numbers like it the same way: %s (set the locale to dot or comma to decide otherwise)", s, fmtNum(p.v), why)
			}
			return p, err
		}
	}
	p, err := readPublished(s, r.locale, withUnit)
	if err == ErrAmbiguousNumber {
		err = fmt.Errorf("%w; nothing else in the file settles it: set the locale to dot (1,234.5) or comma (1.234,5)", err)
	}
	return p, err
}

// columnLocale is the decimal separator the evidence in at's column (or
// else in the whole file) settles, and why. The evidence is gathered
// before any cell is read (scanLocales), so each column is decided once.
func (r *run) columnLocale(at cellRef) (Locale, string) {
	k := colKey{at.sheet, at.col}
	if d, ok := r.colLocale[k]; ok {
		return d.loc, d.why
	}
	decided, why := LocaleUnknown, ""
	if v := r.colVotes[k]; v != nil {
		if decided, why = v.decide(r.minGrouped()); decided != LocaleUnknown {
			why = "in column " + colName(at.col) + " " + why
		}
	}
	if decided == LocaleUnknown {
		if decided, why = r.fileVotes.decide(r.minGrouped()); decided != LocaleUnknown {
			why = "in this file " + why
		}
	}
	if r.colLocale == nil {
		r.colLocale = map[colKey]colDecision{}
	}
	r.colLocale[k] = colDecision{decided, why}
	return decided, why
}

// colDecision is a column's decimal separator as decided, and why.
type colDecision struct {
	loc Locale
	why string
}

func (r *run) minGrouped() int {
	if r.workbook {
		return 1
	}
	return 3
}

// ambiguous reports whether s could be read two ways: "1,234", "1.234".
func ambiguous(s string, withUnit bool) bool {
	if !strings.ContainsAny(s, ".,") {
		return false
	}
	t, _ := stripNumber(s, withUnit)
	t = strings.TrimPrefix(strings.TrimSuffix(strings.TrimPrefix(t, "("), ")"), "-")
	return groupOfThree(t, '.', ',') // ^[1-9][0-9]{0,2}[.,][0-9]{3}$
}

func fmtNum(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(strconv.FormatFloat(v, 'f', 6, 64), "0"), ".")
}
