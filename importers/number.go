package importers

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Locale says how a file writes numbers.
type Locale int

const (
	// LocaleUnknown accepts a decimal point, and a decimal comma only where
	// it cannot be a thousands separator ("0,5", "1,25"); "1,234" is refused
	// as ambiguous.
	LocaleUnknown Locale = iota
	// LocaleDot is "1,234.5": decimal point, comma for thousands.
	LocaleDot
	// LocaleComma is "1.234,5" or "1 234,5": decimal comma, point or space
	// for thousands (semicolon-separated CSV files).
	LocaleComma
)

// Errors ParseNumber returns; the message of each is shown to users.
var (
	ErrEmptyNumber     = errors.New("empty")
	ErrNotNumber       = errors.New("not a number")
	ErrAmbiguousNumber = errors.New("ambiguous: a comma may be a decimal or a thousands separator")
)

// ParseNumber reads a quantity the way a person typed it in a spreadsheet.
// It accepts an optional sign, digits, one decimal separator, thousands
// groups of three digits (comma, point, space or no-break space) and a
// decimal exponent on plain numbers ("4.2e-05"). It refuses NaN, Inf, hex,
// underscores, currency and any other text, and a comma whose meaning the
// locale does not settle. Negative numbers are returned as such; callers
// decide whether they are allowed.
func ParseNumber(s string, loc Locale) (float64, error) {
	s = strings.TrimSpace(s)
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\u00a0', '\u202f', '\u2009':
			return ' '
		case '\u2212': // minus sign
			return '-'
		}
		return r
	}, s)
	if s == "" {
		return 0, ErrEmptyNumber
	}
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	if s == "" {
		return 0, ErrNotNumber
	}
	mant, exp := s, ""
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant, exp = s[:i], s[i+1:]
		if !validExponent(exp) || strings.ContainsAny(mant, ", ") {
			return 0, ErrNotNumber
		}
	}
	for _, c := range mant {
		if !(c >= '0' && c <= '9' || c == '.' || c == ',' || c == ' ') {
			return 0, ErrNotNumber
		}
	}
	plain, err := canonical(mant, loc)
	if err != nil {
		return 0, err
	}
	if exp != "" {
		plain += "e" + exp
	}
	v, err := strconv.ParseFloat(plain, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, ErrNotNumber
	}
	if neg {
		v = -v
	}
	return v, nil
}

func validExponent(e string) bool {
	if e != "" && (e[0] == '+' || e[0] == '-') {
		e = e[1:]
	}
	if e == "" || len(e) > 3 {
		return false
	}
	for _, c := range e {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// canonical rewrites a mantissa of digits and separators as digits with at
// most one '.'.
func canonical(m string, loc Locale) (string, error) {
	if m == "" || m == "." || m == "," {
		return "", ErrNotNumber
	}
	nDot, nComma, nSpace := strings.Count(m, "."), strings.Count(m, ","), strings.Count(m, " ")
	if nSpace > 0 {
		// Space groups: "1 234 567", "1 234,5", "1 234.5".
		if nDot+nComma > 1 || (nDot == 1 && loc == LocaleComma) || (nComma == 1 && loc == LocaleDot) {
			return "", ErrNotNumber
		}
		intPart, frac := m, ""
		if i := strings.IndexAny(m, ".,"); i >= 0 {
			intPart, frac = m[:i], m[i+1:]
		}
		if !grouped(intPart, " ") || !digits(frac, true) {
			return "", ErrNotNumber
		}
		return joinNumber(strings.ReplaceAll(intPart, " ", ""), frac), nil
	}
	switch {
	case nDot > 0 && nComma > 0:
		// The later separator is the decimal one.
		dec, thou := ".", ","
		if strings.LastIndex(m, ",") > strings.LastIndex(m, ".") {
			dec, thou = ",", "."
		}
		if strings.Count(m, dec) != 1 || (loc == LocaleDot && dec == ",") || (loc == LocaleComma && dec == ".") {
			return "", ErrNotNumber
		}
		i := strings.LastIndex(m, dec)
		if !grouped(m[:i], thou) || !digits(m[i+1:], true) {
			return "", ErrNotNumber
		}
		return joinNumber(strings.ReplaceAll(m[:i], thou, ""), m[i+1:]), nil
	case nComma > 0:
		return oneSeparator(m, ",", loc == LocaleComma, loc == LocaleDot)
	case nDot > 0:
		return oneSeparator(m, ".", loc != LocaleComma, loc == LocaleComma)
	}
	if !digits(m, false) {
		return "", ErrNotNumber
	}
	return m, nil
}

// oneSeparator handles a mantissa with only one kind of separator sep.
// decimalFirst says the locale reads sep as the decimal separator;
// thousandsFirst that it reads it as a thousands separator.
func oneSeparator(m, sep string, decimalFirst, thousandsFirst bool) (string, error) {
	n := strings.Count(m, sep)
	asThousands := func() (string, error) {
		if !grouped(m, sep) {
			return "", ErrNotNumber
		}
		return strings.ReplaceAll(m, sep, ""), nil
	}
	asDecimal := func() (string, error) {
		i := strings.Index(m, sep)
		if n != 1 || !digits(m[:i], true) || !digits(m[i+1:], true) || (i == 0 && i+1 == len(m)) {
			return "", ErrNotNumber
		}
		return joinNumber(m[:i], m[i+1:]), nil
	}
	switch {
	case n > 1:
		return asThousands()
	case decimalFirst:
		return asDecimal()
	case thousandsFirst:
		if grouped(m, sep) {
			return asThousands()
		}
		// "1.5" in a decimal-comma file cannot be a thousands group.
		if sep == "." {
			return asDecimal()
		}
		return "", ErrNotNumber
	}
	// Unknown locale and a single comma: a decimal comma only where the
	// comma cannot be a thousands separator.
	if grouped(m, sep) {
		return "", ErrAmbiguousNumber
	}
	return asDecimal()
}

// grouped reports whether s is digits in groups of three separated by sep,
// the first group 1–3 digits and not starting with 0 (unless it is "0"
// alone with no groups).
func grouped(s, sep string) bool {
	parts := strings.Split(s, sep)
	if len(parts) < 2 {
		return digits(s, false)
	}
	if len(parts[0]) < 1 || len(parts[0]) > 3 || !digits(parts[0], false) || parts[0][0] == '0' {
		return false
	}
	for _, p := range parts[1:] {
		if len(p) != 3 || !digits(p, false) {
			return false
		}
	}
	return true
}

func digits(s string, emptyOK bool) bool {
	if s == "" {
		return emptyOK
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func joinNumber(i, f string) string {
	if i == "" {
		i = "0"
	}
	if f == "" {
		return i
	}
	return i + "." + f
}

// parseYear reads a calendar year between 1900 and 2100 ("2013", "2013.0").
func parseYear(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 4 {
		return 0, false
	}
	if len(s) == 4 && isDigits(s) { // the usual "2013"
		y := int(s[0]-'0')*1000 + int(s[1]-'0')*100 + int(s[2]-'0')*10 + int(s[3]-'0')
		return y, y >= 1900 && y <= 2100
	}
	v, err := ParseNumber(s, LocaleDot)
	if err != nil || v != math.Trunc(v) || v < 1900 || v > 2100 || strings.ContainsAny(s, ", eE") {
		return 0, false
	}
	return int(v), true
}

var (
	// A footnote marker after a number: "46,498 a", "46,498a", "12 b,c",
	// "7*", "3 (a)", "5†". A glued letter is never e or E, which belong to
	// an exponent.
	reNumFootnote = regexp.MustCompile(`^(.*[0-9)])(?:\s*(?:\*+|[†‡¹²³]+)|\s+(?:[a-zA-Z](?:,[a-zA-Z])*|\([a-z0-9]\))|([a-df-zA-DF-Z]))$`)
	// A unit after a number: "30 kg", "1.5g".
	reNumUnit = regexp.MustCompile(`^(.*[0-9)])\s*([A-Za-z]+\.?)$`)
)

// published is a quantity cell read the way publishers print numbers.
type published struct {
	v    float64
	unit unit // a unit typed after the number ("30 kg"), if any
}

// readPublished reads a number as tables print it: thousands separators
// and non-breaking or thin spaces (ParseNumber), parentheses for negatives
// ("(1,234)"), a footnote marker after the number ("46,498 a") and, when
// withUnit is set, a drug unit after it ("30 kg").
func readPublished(s string, loc Locale, withUnit bool) (published, error) {
	var out published
	s, out.unit = stripNumber(s, withUnit)
	if len(s) > 2 && s[0] == '(' && s[len(s)-1] == ')' {
		inner := strings.TrimSpace(s[1 : len(s)-1])
		if inner == "" || inner[0] == '-' || inner[0] == '+' {
			return out, ErrNotNumber
		}
		s = "-" + inner
	}
	v, err := ParseNumber(s, loc)
	out.v = v
	return out, err
}

// stripNumber drops a footnote marker and, when withUnit is set, a drug
// unit after a number, returning the unit.
func stripNumber(s string, withUnit bool) (string, unit) {
	var u unit
	s = strings.TrimSpace(s)
	if s == "" || s[len(s)-1] >= '0' && s[len(s)-1] <= '9' {
		return s, u // the common case: nothing after the number
	}
	cutUnit := func() {
		if m := reNumUnit.FindStringSubmatch(s); withUnit && !u.ok() && m != nil {
			if du, ok := drugUnit(strings.TrimSuffix(m[2], ".")); ok {
				s, u = strings.TrimSpace(m[1]), du
			}
		}
	}
	cutUnit() // "1.5g" is a unit, not a footnote g
	if m := reNumFootnote.FindStringSubmatch(s); m != nil {
		s = strings.TrimSpace(m[1])
	}
	cutUnit() // "30 kg a"
	return s, u
}

var reYearHeader = regexp.MustCompile(`^(?:YR)?((?:19|20)[0-9]{2}|2100)(?:\s*\[YR[0-9]{4}\])?$`)

// headerYear reads a year column's header: "2013", "2013.0", and the
// World Bank DataBank's "2013 [YR2013]" and "YR2013".
func headerYear(s string) (int, bool) {
	if y, ok := parseYear(s); ok {
		return y, true
	}
	m := reYearHeader.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, false
	}
	return parseYear(m[1])
}

// isDigits reports whether s is ASCII digits only.
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
