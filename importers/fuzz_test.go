package importers

import (
	"context"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/importers/importerstest"
	"github.com/reliefgap/reliefgap/internal/access"
)

// cellCodes are the problem codes that always concern one cell.
var cellCodes = map[string]bool{
	CodeInvalidNumber: true, CodeNegative: true, CodeInvalidYear: true, CodeUnknownCountry: true,
	CodeUnknownDrug: true, CodeUnknownCause: true, CodeOutOfScope: true, CodeCellTooLong: true,
	CodeBelowThreshold: true, CodeUnder1kg: true, CodeYearOnYear: true, CodeDuplicate: true,
	CodeDuplicateConflict: true, CodeTotalMismatch: true, CodeInvalidValue: true,
}

// rowCodes always concern a row.
var rowCodes = map[string]bool{CodeMissingColumn: true, CodeTooManyRows: true, CodeNoCountry: true, CodeMissingValue: true}

func fuzzParse(t *testing.T, name string, data []byte) {
	lim := access.Limits{MaxRows: 500, MaxColumns: 64, MaxCellLength: 256}
	res, err := New().Parse(context.Background(), access.ParseInput{Filename: name, Data: data, Resolver: smallResolver(),
		SaltBase: testSaltBase, Limits: lim}, func(access.Batch) error { return nil })
	_ = err // any error is fine; a panic fails the fuzz run by itself
	for _, p := range res.Problems {
		if (cellCodes[p.Code] || rowCodes[p.Code]) && p.Row <= 0 {
			t.Fatalf("problem without a row: %+v", p)
		}
		if cellCodes[p.Code] && p.Column == "" && p.Code != CodeOutOfScope {
			t.Fatalf("problem without a column: %+v", p)
		}
	}
}

func FuzzParseCSV(f *testing.F) {
	for _, s := range []string{
		"ISO3,Year,Drug,Consumption,Unit\nKEN,2013,morphine,12.5,kg\n",
		"Country;Year;Drug;Consumption (kg)\nKenya;2013;morphine;1.234,5\n",
		"Country or territory,2012,2013\n(kilograms)\nKenya,-,3\n",
		"iso3,entity,year,deaths_neoplasms\nKEN,Kenya,2019,20000\n",
		"Country Code,Region,IncomeGroup\nKEN,Sub-Saharan Africa,Low income\nWLD,,\n",
		"m49,iso3,location,year,pop_total_thousands\n404,KEN,Kenya,2019,5\n",
		"\"a,\"\"b\"\n\xff\xfe",
	} {
		f.Add([]byte(s))
	}
	// One seed per publisher layout: the fixtures of TestPublisherLayouts.
	for _, tc := range importerstest.Cases {
		if !strings.HasSuffix(tc.Fixture, ".grid") {
			_, data := publisherFixture(f, tc.Fixture)
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, "f.csv", data) })
}

func FuzzParseXLSX(f *testing.F) {
	f.Add(xlsxOf(f, sheetSpec{name: "Morphine", rows: grid("(kg)", "Country|2012|2013", "Kenya|-|3", "Uganda|1,5|x")}))
	f.Add(xlsxOf(f, sheetSpec{name: "S", rows: grid("Country|Year|Drug|Unit|To be consumed|Total estimate", "KEN|2013|morphine|kg|10|12")}))
	for _, tc := range importerstest.Cases {
		if strings.HasSuffix(tc.Fixture, ".grid") {
			_, data := publisherFixture(f, tc.Fixture)
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, "f.xlsx", data) })
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"1,234", "1.234,5", "1 234,5", "4.2e-05", "NaN", "0x1F", "-", "1_000", ",", "1,2,3", "+.5"} {
		f.Add(s, 0)
	}
	f.Fuzz(func(t *testing.T, s string, loc int) {
		v, err := ParseNumber(s, Locale(loc%3))
		if err == nil && (v != v || v > 1e308 || v < -1e308) {
			t.Fatalf("ParseNumber(%q) = %v", s, v)
		}
	})
}

// FuzzParseXLS: whatever the bytes after an OLE2 header, reading an .xls
// never panics.
func FuzzParseXLS(f *testing.F) {
	f.Add(xlsSample(f))
	f.Add([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, "f.xls", data) })
}
