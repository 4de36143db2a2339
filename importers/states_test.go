package importers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/xuri/excelize/v2"
)

// stateOf maps "ISO3 year drug" to the consumed grams and state of each
// record; a key that is absent was not reported.
func stateOf(cs []access.Consumption) map[string]string {
	out := map[string]string{}
	for _, c := range cs {
		g := "nil"
		if c.Grams != nil {
			g = fmt.Sprint(*c.Grams)
		}
		out[fmt.Sprint(c.ISO3, " ", c.Year, " ", c.Drug)] = g + " " + string(c.GramsState())
	}
	return out
}

// TestValueStatesEveryLayout: a number is reported, "-" is nil (0 g) and a
// blank is not reported, in long CSV, long xlsx and each INCB orientation.
func TestValueStatesEveryLayout(t *testing.T) {
	tests := []struct {
		name   string
		in     access.ParseInput
		layout string
		want   map[string]string
	}{
		{"long csv", access.ParseInput{Filename: "l.csv", Data: []byte("ISO3,Year,Drug,Unit,Consumption,Stocks\n" +
			"KEN,2012,morphine,kg,12,1\nKEN,2013,morphine,kg,-,1\nKEN,2014,morphine,kg,,1\n")}, "consumption-long",
			map[string]string{"KEN 2012 morphine": "12000 reported", "KEN 2013 morphine": "0 nil", "KEN 2014 morphine": "nil not_reported"}},
		{"long xlsx", access.ParseInput{Filename: "l.xlsx", Data: xlsxOf(t, sheetSpec{name: "S", rows: grid(
			"ISO3|Year|Drug|Unit|Consumption|Stocks", "KEN|2012|morphine|kg|12|1", "KEN|2013|morphine|kg|-|1", "KEN|2014|morphine|kg||1")})},
			"consumption-long",
			map[string]string{"KEN 2012 morphine": "12000 reported", "KEN 2013 morphine": "0 nil", "KEN 2014 morphine": "nil not_reported"}},
		{"drug per sheet, years across", access.ParseInput{Filename: "y.xlsx", Data: xlsxOf(t, sheetSpec{name: "Morphine", rows: grid(
			"(kilograms)", "Country|2012|2013|2014", "Kenya|12|-|")})}, "incb-wide-years",
			map[string]string{"KEN 2012 morphine": "12000 reported", "KEN 2013 morphine": "0 nil"}},
		{"year per sheet, drugs across", access.ParseInput{Filename: "d.xlsx", Data: xlsxOf(t, sheetSpec{name: "2013", rows: grid(
			"(kilograms)", "Country|Morphine|Codeine|Fentanyl", "Kenya|12|-|")})}, "incb-wide-drugs",
			map[string]string{"KEN 2013 morphine": "12000 reported", "KEN 2013 codeine": "0 nil"}},
		{"drug column, years across", access.ParseInput{Filename: "c.xlsx", Data: xlsxOf(t, sheetSpec{name: "All", rows: grid(
			"(kilograms)", "Country|Drug|2012|2013|2014", "Kenya|Morphine|12|-|", "Kenya|Codeine||-|3")})}, "incb-wide-years",
			map[string]string{"KEN 2012 morphine": "12000 reported", "KEN 2013 morphine": "0 nil",
				"KEN 2013 codeine": "0 nil", "KEN 2014 codeine": "3000 reported"}},
		{"semicolon csv", access.ParseInput{Filename: "s.csv", Data: []byte("Country;Year;Drug;Consumption (kg)\r\nKenya;2012;morphine;1,5\r\nKenya;2013;morphine;-\r\n")},
			"consumption-long", map[string]string{"KEN 2012 morphine": "1500 reported", "KEN 2013 morphine": "0 nil"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := parse(t, tt.in)
			noErrors(t, c)
			if c.Layout != tt.layout {
				t.Errorf("layout %q, want %q", c.Layout, tt.layout)
			}
			got := stateOf(c.b.Consumption)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestReadPublished(t *testing.T) {
	tests := []struct {
		in   string
		unit bool
		want float64
		u    string
		err  error
	}{
		{"46,498 a", false, 46498, "", nil}, // a lone "46,498" is ambiguous; with LocaleDot as here it is thousands
		{"46,498a", false, 46498, "", nil},
		{"12 b,c", false, 12, "", nil},
		{"7*", false, 7, "", nil},
		{"5†", false, 5, "", nil},
		{"3 (a)", false, 3, "", nil},
		{"(1,234)", false, -1234, "", nil},
		{"1\u202f234\u00a0567", false, 1234567, "", nil},
		{"1\u2009234.5", false, 1234.5, "", nil},
		{"30 kg", true, 30, "kg", nil},
		{"1.5g", true, 1.5, "g", nil},
		{"30 kg", false, 0, "", ErrNotNumber},
		{"4.2e-05", false, 4.2e-05, "", nil},
		{"(-3)", false, 0, "", ErrNotNumber},
		{"()", false, 0, "", ErrNotNumber},
		{"abc", true, 0, "", ErrNotNumber},
	}
	for _, tt := range tests {
		p, err := readPublished(tt.in, LocaleDot, tt.unit)
		if !errors.Is(err, tt.err) || (err == nil && (p.v != tt.want || p.unit.name != tt.u)) {
			t.Errorf("readPublished(%q) = %v %q %v, want %v %q %v", tt.in, p.v, p.unit.name, err, tt.want, tt.u, tt.err)
		}
	}
}

// TestAmbiguousCommaFromColumn: "1,234" is thousands where the column's
// other numbers use a decimal point, a decimal comma where they use one,
// refused where nothing settles it, and read as the locale says when given.
func TestAmbiguousCommaFromColumn(t *testing.T) {
	const head = "Country,Year,Drug,Unit,Consumption\n"
	dot := parseCSV(t, head+"KEN,2012,morphine,kg,\"1,234\"\nKEN,2013,morphine,kg,\"2,345.5\"\n")
	noErrors(t, dot)
	if g := stateOf(dot.b.Consumption)["KEN 2012 morphine"]; g != "1.234e+06 reported" {
		t.Errorf("dot column: %s", g) // 1,234 kg = 1,234,000 g
	}
	if n := dot.withCode(CodeNumberLocale); len(n) != 1 || n[0].Row != 2 || n[0].Column != "E" || n[0].Value != "1,234" {
		t.Errorf("locale note %+v", n)
	}
	comma := parseCSV(t, head+"KEN,2012,morphine,kg,\"1,234\"\nKEN,2013,morphine,kg,\"0,5\"\n")
	noErrors(t, comma)
	if g := stateOf(comma.b.Consumption)["KEN 2012 morphine"]; g != "1234 reported" {
		t.Errorf("comma column: %s", g) // 1,234 kg read as 1.234 kg = 1234 g
	}
	alone := parseCSV(t, head+"KEN,2012,morphine,kg,\"1,234\"\n")
	if e := alone.withCode(CodeInvalidNumber); len(e) != 1 {
		t.Errorf("nothing settles a lone 1,234: %+v", alone.Problems)
	}
	given := parse(t, access.ParseInput{Filename: "g.csv", Locale: "comma", Data: []byte(head + "KEN,2012,morphine,kg,\"1,234\"\n")})
	noErrors(t, given)
	if g := stateOf(given.b.Consumption)["KEN 2012 morphine"]; g != "1234 reported" {
		t.Errorf("given comma: %s", g)
	}
	if n := given.withCode(CodeNumberLocale); len(n) != 1 {
		t.Errorf("given locale not reported: %+v", given.Problems)
	}
	// Several text numbers with a comma before exactly three digits, and
	// nothing else: thousands, as INCB tables print them.
	incb := parseCSV(t, head+"KEN,2010,morphine,kg,\"46,498\"\nKEN,2011,morphine,kg,\"25,571\"\nKEN,2012,morphine,kg,\"1,234\"\n")
	noErrors(t, incb)
	if g := stateOf(incb.b.Consumption)["KEN 2010 morphine"]; g != "4.6498e+07 reported" {
		t.Errorf("grouped column: %s", g)
	}
}

// TestProblemQuotesTheCell: problems quote the cell as typed, and a unit
// typed in the cell is used.
func TestProblemQuotesTheCell(t *testing.T) {
	c := parseCSV(t, "Country,Year,Drug,Unit,Consumption\nKEN,2012,morphine,kg,0.5\nKEN,2013,morphine,kg,30 kg\nKEN,2014,morphine,g,30 kg\nKEN,2015,morphine,kg,12 boxes\n")
	got := stateOf(c.b.Consumption)
	if got["KEN 2013 morphine"] != "30000 reported" || got["KEN 2014 morphine"] != "30000 reported" {
		t.Errorf("units in cells: %v", got)
	}
	u := c.withCode(CodeUnder1kg)
	if len(u) != 1 || u[0].Value != "0.5" {
		t.Errorf("under 1 kg %+v", u)
	}
	e := c.withCode(CodeInvalidNumber)
	if len(e) != 1 || e[0].Value != "12 boxes" {
		t.Errorf("invalid %+v", e)
	}
	y := c.withCode(CodeYearOnYear) // 500 g → 30,000 g is ×60
	if len(y) != 1 || y[0].Value != "30 kg" {
		t.Errorf("year on year %+v", y)
	}
}

func TestProblemsCappedPerCode(t *testing.T) {
	r := newRun(context.Background(), New(), access.ParseInput{}, withDefaults(access.Limits{}), nil)
	for i := 0; i < maxProblemsPerCode+7; i++ {
		r.warnAt(cellRef{"S", i + 2, 4}, CodeUnder1kg, "0.5", "under")
	}
	r.errorAt(cellRef{"S", 3, 0}, CodeUnknownCountry, "XYZ", "unknown")
	if len(r.problems) != maxProblemsPerCode+1 || r.suppressed[CodeUnder1kg] != 7 || r.problems[len(r.problems)-1].Code != CodeUnknownCountry {
		t.Errorf("%d problems, suppressed %v", len(r.problems), r.suppressed)
	}
}

// TestAnnotateShowsValuesAsTyped: the Problems sheet shows "-" and "-5"
// without an apostrophe; text that could become a formula keeps one.
func TestAnnotateShowsValuesAsTyped(t *testing.T) {
	ps := []access.Problem{
		{Severity: access.SeverityWarning, Code: CodeBelowThreshold, Row: 2, Column: "E", Value: "-", Message: "m"},
		{Severity: access.SeverityError, Code: CodeNegative, Row: 3, Column: "E", Value: "-5", Message: "m"},
		{Severity: access.SeverityError, Code: CodeInvalidNumber, Row: 4, Column: "E", Value: "=1+2", Message: "m"},
	}
	out, err := Annotate("a.csv", []byte("Country,Year,Drug,Unit,Consumption\nKEN,2012,morphine,kg,-\nKEN,2013,morphine,kg,-5\nKEN,2014,morphine,kg,=1+2\n"), ps)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(problemsSheet)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{rows[1][5], rows[2][5], rows[3][5]}
	// Errors sort first: -5, =1+2, then the "-" warning.
	if fmt.Sprint(got) != fmt.Sprint([]string{"-5", "'=1+2", "-"}) {
		t.Errorf("values %q", got)
	}
}

// TestNamesFoldedWithUnicode: a name that differs from a known one only in
// normalisation (a combining accent), case (full folding) or accents
// matches.
func TestNamesFoldedWithUnicode(t *testing.T) {
	for _, name := range []string{"Co\u0302te d'Ivoire", "CÔTE D’IVOIRE", "Cote d Ivoire", "côte-d'ivoire", "Co<U+0302>te d'Ivoire"} {
		c := parseCSV(t, "Country,Year,Drug,Unit,Consumption\n"+name+",2013,morphine,kg,1\n")
		noErrors(t, c)
		if len(c.b.Consumption) != 1 || c.b.Consumption[0].ISO3 != "CIV" {
			t.Errorf("%q: %+v", name, c.b.Consumption)
		}
	}
	for in, want := range map[string]string{"Straße": "strasse", "Øresund": "oresund", "Curaçao": "curacao", "ÅLAND": "aland", "Türkiye": "turkiye"} {
		if got := normalize(in); got != want {
			t.Errorf("normalize(%q) = %q, want %q", in, got, want)
		}
	}
}
