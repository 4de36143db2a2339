package importers

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
)

// gridWorkbook builds a workbook from a .grid fixture: "@sheet NAME"
// starts a sheet, "@merge A1:D1" merges a range, "#" lines are comments,
// and every other line is a row of cells separated by "|" (plain numbers
// become number cells, everything else text, as a publisher's file has
// them).
func gridWorkbook(t testing.TB, data []byte) []byte {
	t.Helper()
	var sheets []sheetSpec
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "@sheet "):
			sheets = append(sheets, sheetSpec{name: strings.TrimPrefix(line, "@sheet ")})
		case strings.HasPrefix(line, "@merge "):
			r := strings.SplitN(strings.TrimPrefix(line, "@merge "), ":", 2)
			sheets[len(sheets)-1].merges = append(sheets[len(sheets)-1].merges, [2]string{r[0], r[1]})
		default:
			if len(sheets) == 0 {
				t.Fatalf("grid row before @sheet: %q", line)
			}
			s := &sheets[len(sheets)-1]
			s.rows = append(s.rows, strings.Split(line, "|"))
		}
	}
	return xlsxOf(t, sheets...)
}

// fixture reads importers/testdata/NAME; .grid fixtures are built into a
// workbook named NAME.xlsx.
func fixture(t testing.TB, name string) (filename string, data []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(name, ".grid") {
		return strings.TrimSuffix(name, ".grid") + ".xlsx", gridWorkbook(t, b)
	}
	return name, b
}

// publisherCase is one publisher layout: its fixture, what it must give.
type publisherCase struct {
	fixture string
	kind    access.ImportKind
	layout  string
	rows    int // data rows read
	records int
	skipped int                // aggregate rows skipped
	ignored []string           // parts of the one series_ignored message
	spot    map[string]float64 // "ISO3 year what" → value (grams, persons, deaths)
	warn    map[string]int     // problem code → count
}

var publisherCases = []publisherCase{
	{fixture: "API_SP.POP.TOTL_DS2_en_csv_v2_31753.csv", kind: access.KindPopulation, layout: "wdi-wide",
		// 13 rows: 7 aggregates (AFE AFW ARB EMU HIC INX WLD) and 6
		// countries (ABW AFG CHI KEN XKX UGA) × 3 years.
		rows: 13, records: 18, skipped: 7,
		spot: map[string]float64{"KEN 2019 population": 52573973, "CHI 2019 population": 172264, "XKX 2019 population": 1788878}},
	{fixture: "databank_wdi_export.csv", kind: access.KindPopulation, layout: "databank-wide",
		// Kenya 2, Uganda 1 (2019 is ".."); SSF and LMY skipped; GDP ignored.
		rows: 6, records: 3, skipped: 2, ignored: []string{"ignored 1 series", "NY.GDP.PCAP.CD (2)"},
		spot: map[string]float64{"KEN 2018 population": 50951450, "UGA 2018 population": 42729032}},
	{fixture: "owid_deaths_by_cause.csv", kind: access.KindDeaths, layout: "owid-gbd",
		// Kenya 2019 and 2018, Kosovo, Uganda: neoplasms and HIV/AIDS
		// where given (Kosovo has no HIV figure): 7 records; Africa,
		// African Region (WHO), World, High-income countries skipped.
		rows: 8, records: 7, skipped: 4, ignored: []string{"ignored 3 series", "Population (historical) (1)", "Deaths - Road injuries - Sex: Both - Age: All Ages (Number) (1)", "(Rate) (1)"},
		spot: map[string]float64{"KEN 2019 neoplasms": 20345.5, "XKX 2019 neoplasms": 2100, "UGA 2019 hiv-aids": 23000}},
	{fixture: "owid_population.csv", kind: access.KindPopulation, layout: "owid-grapher",
		rows: 6, records: 3, skipped: 3,
		spot: map[string]float64{"KEN 2020 population": 53771300, "AFG 2019 population": 38041757}},
	{fixture: "gho_long.csv", kind: access.KindDeaths, layout: "gho-long",
		// Three country rows of HIV deaths; AFR, WB_LI and GLOBAL skipped;
		// HIV_0000000001 (people living with HIV) ignored.
		rows: 7, records: 3, skipped: 3, ignored: []string{"ignored 1 series", "HIV_0000000001 (1)"},
		spot: map[string]float64{"KEN 2019 hiv-aids": 21000, "KEN 2018 hiv-aids": 23000},
		warn: map[string]int{CodeAggregatesSkipped: 1}},
	{fixture: "gho_wide.csv", kind: access.KindPopulation, layout: "gho-wide",
		rows: 3, records: 9,
		spot: map[string]float64{"KEN 2019 population": 52574000, "CIV 2017 population": 24437000}},
	{fixture: "gho_countries.grid", kind: access.KindCountries, layout: "who-gho",
		rows: 7, records: 3, skipped: 4},
	{fixture: "ihme_gbd_results.csv", kind: access.KindDeaths, layout: "ihme-gbd",
		// Kenya neoplasms and HIV/AIDS, Uganda neoplasms; road injuries
		// ignored; rate, percent, male and DALY rows skipped; Global and
		// High SDI skipped as aggregates.
		rows: 10, records: 3, skipped: 2, ignored: []string{"ignored 1 series", "Road injuries (1)"},
		spot: map[string]float64{"KEN 2019 neoplasms": 20345.12, "UGA 2019 neoplasms": 17000},
		warn: map[string]int{CodeRowsFiltered: 4, CodeAggregatesSkipped: 1}}, // Global and High SDI both as GBD regions
	{fixture: "wb_country_metadata.csv", kind: access.KindCountries, layout: "worldbank-metadata",
		rows: 5, records: 3, skipped: 2},
	{fixture: "incb_drug_per_sheet.grid", kind: access.KindConsumption, layout: "incb-wide-years",
		// Morphine: 5 countries × 3 years less Uganda 2013 (blank) = 14;
		// codeine: 2 × 2 = 4. Africa, Americas, Total, Total skipped.
		rows: 11, records: 18, skipped: 4,
		spot: map[string]float64{"USA 2013 morphine": 25571e3, "TZA 2012 morphine": 0, "BOL 2013 morphine": 622, "IND 2013 codeine": 46498e3},
		warn: map[string]int{CodeSubtotalMismatch: 1}},
	{fixture: "incb_year_per_sheet.grid", kind: access.KindConsumption, layout: "incb-wide-drugs",
		// 2013: Kenya 4, Uganda 3 (fentanyl blank), India 4; 2012: Kenya
		// 4, India 4. Africa, Asia, Total, Total skipped.
		rows: 9, records: 19, skipped: 4,
		spot: map[string]float64{"IND 2013 codeine": 46498e3, "IND 2013 pethidine": 1005e3, "KEN 2013 fentanyl": 0, "UGA 2012 morphine": -1}},
	{fixture: "incb_drug_column.grid", kind: access.KindConsumption, layout: "incb-wide-years",
		// Kenya morphine 3, codeine 2 (2013 blank), fentanyl 3; India 3.
		rows: 5, records: 11, skipped: 1,
		spot: map[string]float64{"KEN 2011 fentanyl": 100, "IND 2013 codeine": 46498e3, "KEN 2012 codeine": 0}},
}

// spotValues maps "ISO3 year what" to each record's value.
func spotValues(b access.Batch) map[string]float64 {
	out := map[string]float64{}
	for _, c := range b.Consumption {
		if c.Grams != nil {
			out[fmt.Sprint(c.ISO3, " ", c.Year, " ", c.Drug)] = *c.Grams
		}
	}
	for _, p := range b.Population {
		out[fmt.Sprint(p.ISO3, " ", p.Year, " population")] = p.Persons
	}
	for _, d := range b.Deaths {
		out[fmt.Sprint(d.ISO3, " ", d.Year, " ", d.Cause)] = d.Deaths
	}
	return out
}

func (c collected) records() int { return c.b.Len() }

func skippedCount(c collected) int {
	n := 0
	for _, p := range c.withCode(CodeAggregatesSkipped) {
		var k int
		fmt.Sscanf(p.Message, "skipped %d", &k)
		n += k
	}
	return n
}

// TestPublisherLayouts imports one fixture per publisher layout, each
// written from the publisher's documented layout.
func TestPublisherLayouts(t *testing.T) {
	for _, tc := range publisherCases {
		t.Run(tc.fixture, func(t *testing.T) {
			name, data := fixture(t, tc.fixture)
			c := parse(t, access.ParseInput{Filename: name, Data: data})
			checkPublisherCase(t, tc, c)
		})
	}
}

func checkPublisherCase(t *testing.T, tc publisherCase, c collected) {
	t.Helper()
	noErrors(t, c)
	if c.Kind != tc.kind || c.Layout != tc.layout {
		t.Errorf("kind %q layout %q, want %q %q", c.Kind, c.Layout, tc.kind, tc.layout)
	}
	if c.Rows != tc.rows || c.records() != tc.records {
		t.Errorf("rows %d records %d, want %d and %d", c.Rows, c.records(), tc.rows, tc.records)
	}
	if n := skippedCount(c); n != tc.skipped {
		t.Errorf("%d aggregate rows skipped, want %d: %+v", n, tc.skipped, c.withCode(CodeAggregatesSkipped))
	}
	ig := c.withCode(CodeSeriesIgnored)
	switch {
	case len(tc.ignored) == 0 && len(ig) > 0:
		t.Errorf("ignored %+v", ig)
	case len(tc.ignored) > 0 && len(ig) != 1:
		t.Errorf("ignored %+v, want one summary", ig)
	case len(tc.ignored) > 0:
		for _, part := range tc.ignored {
			if !strings.Contains(ig[0].Message, part) {
				t.Errorf("ignored %q lacks %q", ig[0].Message, part)
			}
		}
	}
	got := spotValues(c.b)
	for k, want := range tc.spot {
		v, ok := got[k]
		if want < 0 {
			if ok {
				t.Errorf("%s = %v, want no record", k, v)
			}
			continue
		}
		if !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", k, v, ok, want)
		}
	}
	for code, n := range tc.warn {
		if got := len(c.withCode(code)); got != n {
			t.Errorf("%d %s problems, want %d: %+v", got, code, n, c.withCode(code))
		}
	}
}
