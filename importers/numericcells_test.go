package importers

import (
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
)

// A workbook cell stored as a number has a decimal point whatever the
// locale: 1.125 kg is 1,125 g with no locale given, with the comma locale
// given, and next to text cells written with a decimal comma (which still
// read as the comma says). Before, the stored 1.125 was read like the text
// "1.125" (ambiguous), and with the comma locale as 1,125 kg.
func TestWorkbookNumbersIgnoreLocale(t *testing.T) {
	data := xlsxOf(t, sheetSpec{name: "S", rows: [][]string{
		{"iso3", "year", "drug", "unit", "consumption"},
		{"KEN", "2012", "morphine", "kg", "1.125"}, // a number
		{"KEN", "2013", "morphine", "kg", "0,5"},   // text
		{"KEN", "2014", "morphine", "kg", "2.25"},  // a number
	}})
	want := map[int]float64{2012: 1125, 2013: 500, 2014: 2250}
	for _, locale := range []string{"", "comma", "dot"} {
		c := parse(t, access.ParseInput{Filename: "w.xlsx", Locale: locale, Data: data})
		if locale == "dot" {
			want[2013] = 0 // "0,5" is then not a number
		}
		got := map[int]float64{}
		for _, r := range c.b.Consumption {
			got[r.Year] = *r.Grams
		}
		for y, g := range want {
			if g == 0 {
				if _, ok := got[y]; ok {
					t.Errorf("locale %q: %d read as %v g", locale, y, got[y])
				}
				continue
			}
			if got[y] != g {
				t.Errorf("locale %q: %d = %v g, want %v", locale, y, got[y], g)
			}
		}
		for _, p := range c.Problems {
			if p.Code == CodeNumberLocale && (p.Value == "1.125" || p.Value == "2.25") {
				t.Errorf("locale %q: a stored number was taken for ambiguous: %s", locale, p.Message)
			}
		}
	}
	// The same values as text in a CSV file still follow the locale.
	csv := "iso3,year,drug,unit,consumption\nKEN,2012,morphine,kg,\"1.125\"\n"
	c := parse(t, access.ParseInput{Filename: "c.csv", Locale: "comma", Data: []byte(csv)})
	if len(c.b.Consumption) != 1 || *c.b.Consumption[0].Grams != 1125000 || !strings.Contains(problemCodes(c.Problems), CodeNumberLocale) {
		t.Fatalf("CSV with the comma locale: %+v %v", c.b.Consumption, c.Problems)
	}
}

func problemCodes(ps []access.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.Code + " ")
	}
	return b.String()
}
