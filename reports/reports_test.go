package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/reliefgap/reliefgap/internal/access"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const maliciousName = `=HYPERLINK("http://x","y")`

func s(v string) *string { return &v }

func testCountry() access.CountryGaps {
	f := access.F
	return access.CountryGaps{
		Country: access.CountryRef{ISO3: "XKX", Name: maliciousName, WHORegion: "EUR", IncomeGroup: "UMC"},
		Methods: access.Methods{
			ME:                 access.Ref{Name: "me", Version: 2},
			SDDD:               access.Ref{Name: "sddd", Version: 1},
			Basket:             access.Ref{Name: "basket", Version: 1},
			INCBBands:          access.Ref{Name: "incb", Version: 1},
			BenchmarkBands:     access.Ref{Name: "bench", Version: 1},
			BenchmarkReference: access.Ref{Name: "ref", Version: 3},
			ACMBands:           access.Ref{Name: "acm", Version: 1},
			NeedModel:          nil,
			FormBTotal:         access.FormBTotalMethod,
			DaysPerYear:        access.DaysPerYear,
			Formulas: access.Formulas{
				MEMg:       "sum over ME-table drugs of g*1000*me_factor",
				NeedMetPct: "100 * me_mg / need_me_mg",
				GapMEMg:    "max(0, need_me_mg - me_mg)",
			},
		},
		Years: []access.YearGaps{
			{
				Year:                 2021,
				Population:           f(1_800_000),
				MEMg:                 f(2.5e7),
				MEMgPerCapita:        f(13.888888888888889),
				SDDDPerMillionPerDay: f(120.5),
				Adequacy:             s("inadequate"),
				BenchmarkIndex:       f(22.5),
				BenchmarkBand:        s("+low"),
				NeedMEMg:             nil, // missing: an empty cell, never 0
				Flags:                []string{access.FlagNeedModelMissing, "not_reported:@SUM(A1)"},
				Drugs: []access.DrugGaps{
					{Drug: "morphine", Kg: f(12.5), MEMg: f(1.25e7), SDDD: f(125000), EstimateTotalG: nil, EstimateMEMg: nil},
					{Drug: "-fentanyl", Kg: f(0.125), MEMg: f(1.25e7)},
				},
				Lineage: []access.LineageUse{
					{UploadID: 7, Sheet: "=cmd|' /C calc'!A0", Row: 12, What: "consumption:morphine", Year: 2021},
					{UploadID: 3, Sheet: "Population", Row: 200, What: "population", Year: 2021},
				},
			},
			{
				Year:     2022,
				MEMg:     f(0),
				GapMEMg:  f(1e9),
				ACM:      f(0.0375),
				ACMBand:  s("very low"),
				NeedMEMg: f(1e9),
				Flags:    []string{access.FlagPopulationMissing},
			},
		},
	}
}

func testGroup() access.GroupGaps {
	f := access.F
	return access.GroupGaps{
		Kind: access.GroupRegion, Code: "EUR", Year: 2021,
		Countries: 3, CountriesWithData: 2, CountriesWithoutData: 1, CountriesWithNeed: 1,
		Population:            3_800_000,
		PopulationWithData:    3_000_000,
		PopulationWithoutData: 800_000,
		ConsumptionToNeedPct:  f(5.5),
		MEMg:                  f(5.5e7),
		MEMgPerCapita:         f(14.473684210526315),
		NeedMEMg:              f(1e9),
		GapMEMg:               f(9.75e8),
		NeedMetPct:            f(2.5),
		MedianMEMgPerCapita:   f(14.5),
		WorldSharePct:         nil,
		AdequacyCounts:        map[string]int{"inadequate": 1, "=bad": 1},
		BenchmarkBandCounts:   map[string]int{},
		ACMBandCounts:         map[string]int{"very low": 1},
		Ranking: []access.RankedCountry{
			{Rank: 1, Country: access.CountryRef{ISO3: "AAA", Name: "Alpha", WHORegion: "EUR", IncomeGroup: "HIC"},
				MEMgPerCapita: 15, BenchmarkIndex: f(25), Adequacy: s("moderate"), MEMgPerCapitaCAGR5y: f(0.05)},
			{Rank: 2, Country: access.CountryRef{ISO3: "XKX", Name: maliciousName, WHORegion: "EUR", IncomeGroup: "UMC"},
				MEMgPerCapita: 13.888888888888889},
		},
	}
}

// readBack returns every sheet's rows as excelize GetRows returns them.
func readBack(t *testing.T, b []byte) (*excelize.File, map[string][][]string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	got := map[string][][]string{}
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		got[name] = rows
	}
	return f, got
}

func checkGolden(t *testing.T, name string, got map[string][][]string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		b, err := marshalGolden(got)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reports -update to create it)", err)
	}
	var want map[string][][]string
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	for sheet := range want {
		if _, ok := got[sheet]; !ok {
			t.Errorf("sheet %q missing", sheet)
		}
	}
	for sheet, rows := range got {
		w, ok := want[sheet]
		if !ok {
			t.Errorf("unexpected sheet %q", sheet)
			continue
		}
		n := max(len(rows), len(w))
		for i := range n {
			var g, e []string
			if i < len(rows) {
				g = rows[i]
			}
			if i < len(w) {
				e = w[i]
			}
			if !slices.Equal(g, e) { // an empty row reads back as nil
				t.Errorf("%s row %d:\n got %q\nwant %q", sheet, i+1, g, e)
			}
		}
	}
}

// marshalGolden writes one sheet row a line, so that diffs of the golden
// files show the rows that changed.
func marshalGolden(sheets map[string][][]string) ([]byte, error) {
	names := make([]string, 0, len(sheets))
	for n := range sheets {
		names = append(names, n)
	}
	sort.Strings(names)
	var b bytes.Buffer
	b.WriteString("{")
	for i, n := range names {
		if i > 0 {
			b.WriteString(",")
		}
		k, _ := json.Marshal(n)
		fmt.Fprintf(&b, "\n  %s: [", k)
		for j, row := range sheets[n] {
			if j > 0 {
				b.WriteString(",")
			}
			if row == nil {
				row = []string{}
			}
			r, err := json.Marshal(row)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(&b, "\n    %s", r)
		}
		b.WriteString("\n  ]")
	}
	b.WriteString("\n}\n")
	return b.Bytes(), nil
}

func TestCountryXLSX(t *testing.T) {
	b, err := CountryXLSX(testCountry())
	if err != nil {
		t.Fatal(err)
	}
	f, got := readBack(t, b)
	if want := []string{SheetFigures, SheetDrugs, SheetLineage, SheetMethods, SheetFlags}; !reflect.DeepEqual(f.GetSheetList(), want) {
		t.Errorf("sheets = %q, want %q", f.GetSheetList(), want)
	}
	checkGolden(t, "country.golden.json", got)

	// Text from data is a string cell, never a formula.
	for _, c := range []struct{ sheet, cell, want string }{
		{SheetFigures, "B1", maliciousName},
		{SheetFigures, "S4", access.FlagNeedModelMissing + FlagSeparator + "not_reported:@SUM(A1)"},
		{SheetFigures, "I4", "+low"},
		{SheetDrugs, "B4", "-fentanyl"},
		{SheetLineage, "E2", "=cmd|' /C calc'!A0"},
	} {
		assertText(t, f, c.sheet, c.cell, c.want)
	}

	// Numbers are numbers; a missing figure is an empty cell.
	assertNumber(t, f, SheetFigures, "B4", "1800000")
	assertNumber(t, f, SheetFigures, "C5", "0") // a real zero stays a zero
	assertNumber(t, f, SheetDrugs, "C3", "12.5")
	assertNumber(t, f, SheetLineage, "D2", "7")
	for _, c := range []struct{ sheet, cell string }{
		{SheetFigures, "J4"}, // need_me_mg 2021
		{SheetFigures, "B5"}, // population 2022
		{SheetDrugs, "F3"},   // estimate_total_g
	} {
		if v, err := f.GetCellValue(c.sheet, c.cell); err != nil || v != "" {
			t.Errorf("%s!%s = %q, %v; want empty", c.sheet, c.cell, v, err)
		}
	}
}

func TestGroupXLSX(t *testing.T) {
	b, err := GroupXLSX(testGroup())
	if err != nil {
		t.Fatal(err)
	}
	f, got := readBack(t, b)
	if want := []string{SheetSummary, SheetRanking}; !reflect.DeepEqual(f.GetSheetList(), want) {
		t.Errorf("sheets = %q, want %q", f.GetSheetList(), want)
	}
	checkGolden(t, "group.golden.json", got)
	assertText(t, f, SheetRanking, "C4", maliciousName)
	assertNumber(t, f, SheetRanking, "F3", "15")
}

func assertText(t *testing.T, f *excelize.File, sheet, cell, want string) {
	t.Helper()
	if fm, err := f.GetCellFormula(sheet, cell); err != nil || fm != "" {
		t.Errorf("%s!%s formula = %q, %v; want none", sheet, cell, fm, err)
	}
	if v, _ := f.GetCellValue(sheet, cell); v != want {
		t.Errorf("%s!%s = %q, want %q", sheet, cell, v, want)
	}
	if ty, _ := f.GetCellType(sheet, cell); ty != excelize.CellTypeSharedString && ty != excelize.CellTypeInlineString {
		t.Errorf("%s!%s type = %v, want a string", sheet, cell, ty)
	}
}

func assertNumber(t *testing.T, f *excelize.File, sheet, cell, want string) {
	t.Helper()
	if v, _ := f.GetCellValue(sheet, cell); v != want {
		t.Errorf("%s!%s = %q, want %q", sheet, cell, v, want)
	}
	// excelize leaves the type of a number cell unset (Excel's default, "n").
	if ty, _ := f.GetCellType(sheet, cell); ty != excelize.CellTypeUnset && ty != excelize.CellTypeNumber {
		t.Errorf("%s!%s type = %v, want a number", sheet, cell, ty)
	}
}

func TestCountryCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := CountryCSV(&buf, testCountry()); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(buf.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("%d records, want 3:\n%s", len(recs), buf.String())
	}
	head := map[string]int{}
	for i, h := range recs[0] {
		head[h] = i
	}
	row := recs[1]
	for _, c := range []struct{ col, want string }{
		{"name", "'" + maliciousName},
		{"iso3", "XKX"},
		{"year", "2021"},
		{"population", "1800000"},
		{"me_mg", "25000000"},
		{"me_mg_per_capita", "13.88888888888889"},
		{"benchmark_band", "'+low"},
		{"need_me_mg", ""},
		{"flags", "need_model_missing; not_reported:@SUM(A1)"},
	} {
		if got := row[head[c.col]]; got != c.want {
			t.Errorf("2021 %s = %q, want %q", c.col, got, c.want)
		}
	}
	if got := recs[2][head["population"]]; got != "" {
		t.Errorf("2022 population = %q, want empty", got)
	}
	if got := recs[2][head["gap_me_mg"]]; got != "1000000000" {
		t.Errorf("2022 gap_me_mg = %q", got)
	}
}

func TestCSVText(t *testing.T) {
	for in, want := range map[string]string{
		"":          "",
		"Kenya":     "Kenya",
		"=1+1":      "'=1+1",
		"+1":        "'+1",
		"-1":        "'-1",
		"@SUM(A1)":  "'@SUM(A1)",
		"\tx":       "'\tx",
		"\rx":       "'\rx",
		"a=b":       "a=b",
		"'quoted":   "'quoted",
		"Côte d'Iv": "Côte d'Iv",
	} {
		if got := csvText(in); got != want {
			t.Errorf("csvText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTablesCSV(t *testing.T) {
	gs := []access.CountryGaps{testCountry()}
	var buf bytes.Buffer
	if err := DrugsCSV(&buf, gs); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Two drugs in 2021: the name and "-fentanyl" escaped, numbers as they are.
	if len(recs) != 3 || recs[2][1] != "'"+maliciousName || recs[2][5] != "'-fentanyl" || recs[2][6] != "0.125" || recs[1][8] != "125000" {
		t.Errorf("drugs csv = %q", recs)
	}
	buf.Reset()
	if err := GapsCSV(&buf, append(gs, gs...)); err != nil {
		t.Fatal(err)
	}
	if recs, _ := csv.NewReader(&buf).ReadAll(); len(recs) != 5 {
		t.Errorf("gaps csv has %d records, want a header and 2 × 2 country-years", len(recs))
	}
	rows := []access.RankRow{{Position: 1, Rank: 1, Country: gs[0].Country, Year: gs[0].Years[0]}, {Position: 2, Country: access.CountryRef{ISO3: "XXB"}}}
	buf.Reset()
	if err := RankingCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	recs, _ = csv.NewReader(&buf).ReadAll()
	if len(recs) != 3 || recs[1][1] != "1" || recs[2][1] != "" || recs[1][9] != "13.88888888888889" {
		t.Errorf("ranking csv = %q", recs)
	}
	buf.Reset()
	if err := GroupRankingCSV(&buf, testGroup()); err != nil {
		t.Fatal(err)
	}
	recs, _ = csv.NewReader(&buf).ReadAll()
	if len(recs) != 3 || recs[2][2] != "'"+maliciousName || recs[1][9] != "0.05" {
		t.Errorf("group ranking csv = %q", recs)
	}
}

func TestInputsCSV(t *testing.T) {
	in := access.CountryInputs{
		Country: access.Country{ISO3: "XKX"},
		Consumption: []access.Consumption{
			{ISO3: "XKX", Year: 2021, Drug: "morphine", Grams: access.F(1500.5)},
			{ISO3: "XKX", Year: 2020, Drug: "=cmd", State: access.ValueNil, Grams: access.F(0)},
			{ISO3: "XKX", Year: 2020, Drug: "fentanyl"}, // blank: not reported
		},
		Deaths: []access.Deaths{{ISO3: "XKX", Year: 2020, Cause: "neoplasms", Deaths: 1200}},
	}
	var buf bytes.Buffer
	if err := InputsCSV(&buf, access.KindConsumption, in); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// By year, then drug: 2020 "=cmd" (escaped), 2020 fentanyl, 2021 morphine.
	if len(recs) != 4 || recs[1][2] != "'=cmd" || recs[1][4] != "nil" || recs[2][3] != "" || recs[2][4] != "not_reported" || recs[3][3] != "1500.5" {
		t.Errorf("consumption csv = %q", recs)
	}
	buf.Reset()
	if err := InputsCSV(&buf, access.KindDeaths, in); err != nil || buf.String() != "iso3,year,cause,deaths\nXKX,2020,neoplasms,1200\n" {
		t.Errorf("deaths csv = %q, %v", buf.String(), err)
	}
	if err := InputsCSV(&buf, access.KindCountries, in); err == nil {
		t.Error("countries have no CSV here")
	}
}
