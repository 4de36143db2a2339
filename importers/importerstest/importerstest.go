// Package importerstest holds the publisher fixtures of importers/testdata
// and what each must import as, for the importer's own tests and for the
// end-to-end tests of the reliefgap command.
package importerstest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Case is one publisher layout: its fixture and what it must give.
type Case struct {
	Fixture string // a file in importers/testdata
	Kind    string
	Layout  string
	Rows    int // data rows read
	Records int
	Skipped int      // aggregate rows skipped
	Ignored []string // parts of the one series_ignored message
	// Spot values: "ISO3 year what" → grams, persons or deaths; -1 for
	// no record.
	Spot map[string]float64
	Warn map[string]int // problem code → count
	// States of consumed quantities: "ISO3 year drug" → reported, nil or
	// not_reported (a blank cell: no record, or one without grams).
	States map[string]string
}

var Cases = []Case{
	{Fixture: "wb_wdi_long.csv", Kind: "population", Layout: "wdi-long",
		// 15 rows: 11 World Bank groups, and Channel Islands, Chile,
		// Kenya and Kosovo, which are countries.
		Rows: 15, Records: 4, Skipped: 11,
		Spot: map[string]float64{"CHI 2019 population": 172264, "XKX 2019 population": 1788878, "CHL 2019 population": 18952035}},
	{Fixture: "API_SP.POP.TOTL_DS2_en_csv_v2_31753.csv", Kind: "population", Layout: "wdi-wide",
		// 13 Rows: 7 aggregates (AFE AFW ARB EMU HIC INX WLD) and 6
		// countries (ABW AFG CHI KEN XKX UGA) × 3 years.
		Rows: 13, Records: 18, Skipped: 7,
		Spot: map[string]float64{"KEN 2019 population": 52573973, "CHI 2019 population": 172264, "XKX 2019 population": 1788878}},
	{Fixture: "databank_wdi_export.csv", Kind: "population", Layout: "databank-wide",
		// Kenya 2, Uganda 1 (2019 is ".."); SSF and LMY skipped; GDP ignored.
		Rows: 6, Records: 3, Skipped: 2, Ignored: []string{"ignored 1 series", "NY.GDP.PCAP.CD (2)"},
		Spot: map[string]float64{"KEN 2018 population": 50951450, "UGA 2018 population": 42729032}},
	{Fixture: "owid_deaths_by_cause.csv", Kind: "deaths", Layout: "owid-gbd",
		// Kenya 2019 and 2018, Kosovo, Uganda: neoplasms and HIV/AIDS
		// where given (Kosovo has no HIV figure): 7 records; Africa,
		// African Region (WHO), World, High-income countries skipped.
		Rows: 8, Records: 7, Skipped: 4, Ignored: []string{"ignored 3 series", "Population (historical) (1)", "Deaths - Road injuries - Sex: Both - Age: All Ages (Number) (1)", "(Rate) (1)"},
		Spot: map[string]float64{"KEN 2019 neoplasms": 20345.5, "XKX 2019 neoplasms": 2100, "UGA 2019 hiv-aids": 23000}},
	{Fixture: "owid_population.csv", Kind: "population", Layout: "owid-grapher",
		Rows: 6, Records: 3, Skipped: 3,
		Spot: map[string]float64{"KEN 2020 population": 53771300, "AFG 2019 population": 38041757}},
	{Fixture: "gho_long.csv", Kind: "deaths", Layout: "gho-long",
		// Three country rows of HIV deaths; AFR, WB_LI and GLOBAL skipped;
		// HIV_0000000001 (people living with HIV) ignored.
		Rows: 7, Records: 3, Skipped: 3, Ignored: []string{"ignored 1 series", "HIV_0000000001 (1)"},
		Spot: map[string]float64{"KEN 2019 hiv-aids": 21000, "KEN 2018 hiv-aids": 23000},
		Warn: map[string]int{"aggregates_skipped": 1}},
	{Fixture: "gho_wide.csv", Kind: "population", Layout: "gho-wide",
		Rows: 3, Records: 9,
		Spot: map[string]float64{"KEN 2019 population": 52574000, "CIV 2017 population": 24437000}},
	{Fixture: "gho_countries.grid", Kind: "countries", Layout: "who-gho",
		Rows: 7, Records: 3, Skipped: 4},
	{Fixture: "ihme_gbd_results.csv", Kind: "deaths", Layout: "ihme-gbd",
		// Kenya neoplasms and HIV/AIDS, Uganda neoplasms; road injuries
		// ignored; rate, percent, male and DALY rows skipped; Global and
		// High SDI skipped as aggregates.
		Rows: 10, Records: 3, Skipped: 2, Ignored: []string{"ignored 1 series", "Road injuries (1)"},
		Spot: map[string]float64{"KEN 2019 neoplasms": 20345.12, "UGA 2019 neoplasms": 17000},
		Warn: map[string]int{"rows_filtered": 4, "aggregates_skipped": 1}}, // Global and High SDI both as GBD regions
	{Fixture: "wb_country_metadata.csv", Kind: "countries", Layout: "worldbank-metadata",
		Rows: 5, Records: 3, Skipped: 2},
	{Fixture: "incb_drug_per_sheet.grid", Kind: "consumption", Layout: "incb-wide-years",
		// Morphine: 5 countries × 3 years less Uganda 2013 (blank) = 14;
		// codeine: 2 × 2 = 4. Africa, Americas, Total, Total skipped.
		Rows: 11, Records: 18, Skipped: 4,
		Spot:   map[string]float64{"USA 2013 morphine": 25571e3, "TZA 2012 morphine": 0, "BOL 2013 morphine": 622, "IND 2013 codeine": 46498e3},
		States: map[string]string{"TZA 2012 morphine": "nil", "TZA 2013 morphine": "reported", "UGA 2013 morphine": "not_reported"},
		Warn:   map[string]int{"subtotal_mismatch": 1}},
	{Fixture: "incb_year_per_sheet.grid", Kind: "consumption", Layout: "incb-wide-drugs",
		// 2013: Kenya 4, Uganda 3 (fentanyl blank), India 4; 2012: Kenya
		// 4, India 4. Africa, Asia, Total, Total skipped.
		Rows: 9, Records: 19, Skipped: 4,
		Spot:   map[string]float64{"IND 2013 codeine": 46498e3, "IND 2013 pethidine": 1005e3, "KEN 2013 fentanyl": 0, "UGA 2012 morphine": -1},
		States: map[string]string{"KEN 2013 fentanyl": "nil", "KEN 2013 codeine": "reported", "UGA 2013 fentanyl": "not_reported"}},
	{Fixture: "incb_drug_column.grid", Kind: "consumption", Layout: "incb-wide-years",
		// Kenya morphine 3, codeine 2 (2013 blank), fentanyl 3; India 3.
		Rows: 5, Records: 11, Skipped: 1,
		Spot: map[string]float64{"KEN 2011 fentanyl": 100, "IND 2013 codeine": 46498e3, "KEN 2012 codeine": 0},
		// The World row is one drug's: no sum of the other rows to check it by.
		Warn: map[string]int{"subtotal_mismatch": 0}},
}

// Fixture reads dir/name; a .grid fixture is built into a workbook and
// named NAME.xlsx.
func Fixture(dir, name string) (filename string, data []byte, err error) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return "", nil, err
	}
	if strings.HasSuffix(name, ".grid") {
		w, err := Workbook(b)
		return strings.TrimSuffix(name, ".grid") + ".xlsx", w, err
	}
	return name, b, nil
}

// Workbook builds a workbook from a .grid text: "@sheet NAME" starts a
// sheet, "@merge A1:D1" merges a range, "#" lines are comments, and every
// other line is a row of cells separated by "|". Plain numbers ("12",
// "0.622") become number cells; everything else ("46,498", "-", "46,498 a")
// is text, as in a publisher's file.
func Workbook(grid []byte) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet, row := "", 0
	sc := bufio.NewScanner(bytes.NewReader(grid))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "@sheet "):
			name := strings.TrimPrefix(line, "@sheet ")
			if sheet == "" {
				if err := f.SetSheetName("Sheet1", name); err != nil {
					return nil, err
				}
			} else if _, err := f.NewSheet(name); err != nil {
				return nil, err
			}
			sheet, row = name, 0
		case strings.HasPrefix(line, "@merge "):
			r := strings.SplitN(strings.TrimPrefix(line, "@merge "), ":", 2)
			if sheet == "" || len(r) != 2 {
				return nil, fmt.Errorf("bad merge line %q", line)
			}
			if err := f.MergeCell(sheet, r[0], r[1]); err != nil {
				return nil, err
			}
		default:
			if sheet == "" {
				return nil, fmt.Errorf("row before @sheet: %q", line)
			}
			row++
			for c, v := range strings.Split(line, "|") {
				if v == "" {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, row)
				if x, err := strconv.ParseFloat(v, 64); err == nil && plain(v) {
					if err := f.SetCellFloat(sheet, cell, x, -1, 64); err != nil {
						return nil, err
					}
				} else if err := f.SetCellStr(sheet, cell, v); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func plain(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return s != "-" && s != "." && s != ""
}
