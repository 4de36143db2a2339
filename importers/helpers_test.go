package importers

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/xuri/excelize/v2"
)

const sharedData = "../../shared/data"

var testDrugs = []access.Drug{
	{Code: "morphine", Name: "Morphine", Synonyms: []string{"morphinum"}},
	{Code: "codeine", Name: "Codeine", Synonyms: []string{"methylmorphine"}},
	{Code: "fentanyl", Name: "Fentanyl"},
	{Code: "oxycodone", Name: "Oxycodone"},
	{Code: "pethidine", Name: "Pethidine", Synonyms: []string{"meperidine"}},
	{Code: "hydrocodone", Name: "Hydrocodone"},
	{Code: "hydromorphone", Name: "Hydromorphone"},
	{Code: "methadone", Name: "Methadone"},
	{Code: "dihydrocodeine", Name: "Dihydrocodeine"},
}

var testSaltBase = access.FactorTable{Name: access.TableSaltBase, Version: 1, Kind: access.KindSaltBase, Rows: []access.FactorRow{
	{Key: "morphine sulfate pentahydrate", Drug: "morphine", Value: 0.752},
	{Key: "morphine hydrochloride trihydrate", Drug: "morphine", Value: 0.759},
	{Key: "codeine phosphate hemihydrate", Drug: "codeine", Value: 0.737},
	{Key: "fentanyl citrate", Drug: "fentanyl", Value: 0.637},
	{Key: "pethidine hydrochloride", Drug: "pethidine", Value: 0.872},
}}

// smallCountries is a handful of countries for tests that need no more.
var smallCountries = []access.Country{
	{ISO3: "KEN", ISO2: "KE", Numeric: "404", Name: "Kenya", WHORegion: "AFR"},
	{ISO3: "UGA", ISO2: "UG", Numeric: "800", Name: "Uganda", WHORegion: "AFR"},
	{ISO3: "TZA", ISO2: "TZ", Numeric: "834", Name: "Tanzania", OfficialName: "United Republic of Tanzania"},
	{ISO3: "BOL", ISO2: "BO", Numeric: "068", Name: "Bolivia", OfficialName: "Bolivia (Plurinational State of)"},
	{ISO3: "CIV", ISO2: "CI", Numeric: "384", Name: "Côte d'Ivoire", Aliases: []string{"Ivory Coast"}},
	{ISO3: "DEU", ISO2: "DE", Numeric: "276", Name: "Germany"},
	{ISO3: "IND", ISO2: "IN", Numeric: "356", Name: "India"},
	{ISO3: "USA", ISO2: "US", Numeric: "840", Name: "United States", OfficialName: "United States of America"},
	{ISO3: "NGA", ISO2: "NG", Numeric: "566", Name: "Nigeria"},
	{ISO3: "AFG", ISO2: "AF", Numeric: "004", Name: "Afghanistan"},
	{ISO3: "CHI", Numeric: "830", Name: "Channel Islands"},
	{ISO3: "ABW", ISO2: "AW", Numeric: "533", Name: "Aruba"},
	{ISO3: "CHL", ISO2: "CL", Numeric: "152", Name: "Chile"},
	{ISO3: "XKX", ISO2: "XK", Name: "Kosovo", OfficialName: "Kosovo (in accordance with UN Security Council resolution 1244 (1999))"},
}

func smallResolver() *access.Resolver {
	return access.NewFoldingResolver(New(), smallCountries, testDrugs, testSaltBase)
}

// sharedCountries reads ../shared/data/countries.csv. INCB tables still
// list the Netherlands Antilles (ANT, dissolved 2010), which the current
// ISO list lacks; the reference data of a deployment carries it as a
// former country, and so does this test resolver.
func sharedCountries(t testing.TB) []access.Country {
	t.Helper()
	b := readShared(t, "countries.csv")
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	var out []access.Country
	for _, r := range rows[1:] {
		out = append(out, access.Country{ISO3: r[col["iso3"]], ISO2: r[col["iso2"]], Numeric: r[col["iso_numeric"]],
			Name: r[col["who_short_name_en"]], OfficialName: r[col["un_name_en"]], WHORegion: r[col["who_region"]],
			IncomeGroup: r[col["wb_ig_2020"]]})
	}
	out = append(out, access.Country{ISO3: "ANT", ISO2: "AN", Numeric: "530", Name: "Netherlands Antilles"})
	// The Channel Islands have no ISO 3166 code; UN (M49 830) and World
	// Bank (CHI) series list them, and migration 0010 adds them as CHI.
	out = append(out, access.Country{ISO3: "CHI", Numeric: "830", Name: "Channel Islands"})
	// Former names the reference data's alias table carries and the INCB
	// workbook uses.
	formerNames := map[string]string{"CPV": "Cape Verde", "CZE": "Czech Rep.", "SWZ": "Swaziland", "TUR": "Turkey"}
	for i := range out {
		if a, ok := formerNames[out[i].ISO3]; ok {
			out[i].Aliases = append(out[i].Aliases, a)
		}
	}
	return out
}

func sharedResolver(t testing.TB) *access.Resolver {
	return access.NewFoldingResolver(New(), sharedCountries(t), testDrugs, testSaltBase)
}

func readShared(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sharedData, name))
	if err != nil {
		if os.IsNotExist(err) {
			t.Skipf("shared data %s not present (it lives beside the repository, not in it): %v", name, err)
		}
		t.Fatal(err)
	}
	return b
}

// collected is everything one Parse call produced.
type collected struct {
	access.ParseResult
	batches int
	b       access.Batch
}

func parse(t testing.TB, in access.ParseInput) collected {
	t.Helper()
	if in.Resolver == nil {
		in.Resolver = smallResolver()
	}
	if in.SaltBase.Name == "" {
		in.SaltBase = testSaltBase
	}
	var c collected
	res, err := New().Parse(context.Background(), in, func(b access.Batch) error {
		c.batches++
		c.b.Consumption = append(c.b.Consumption, b.Consumption...)
		c.b.Estimates = append(c.b.Estimates, b.Estimates...)
		c.b.Population = append(c.b.Population, b.Population...)
		c.b.Deaths = append(c.b.Deaths, b.Deaths...)
		c.b.Countries = append(c.b.Countries, b.Countries...)
		return nil
	})
	if err != nil {
		t.Fatalf("Parse(%s): %v", in.Filename, err)
	}
	c.ParseResult = res
	return c
}

func parseCSV(t testing.TB, text string) collected {
	t.Helper()
	return parse(t, access.ParseInput{Filename: "t.csv", Data: []byte(text)})
}

func (c collected) errors() []access.Problem { return c.bySeverity(access.SeverityError) }
func (c collected) warnings() []access.Problem {
	return c.bySeverity(access.SeverityWarning)
}

func (c collected) bySeverity(s access.Severity) []access.Problem {
	var out []access.Problem
	for _, p := range c.Problems {
		if p.Severity == s {
			out = append(out, p)
		}
	}
	return out
}

func (c collected) withCode(code string) []access.Problem {
	var out []access.Problem
	for _, p := range c.Problems {
		if p.Code == code {
			out = append(out, p)
		}
	}
	return out
}

func noErrors(t testing.TB, c collected) {
	t.Helper()
	if e := c.errors(); len(e) > 0 {
		for i, p := range e {
			if i == 10 {
				break
			}
			t.Errorf("problem: %+v", p)
		}
		t.Fatalf("%d error problems", len(e))
	}
}

// xlsxOf builds a workbook: sheets in order, each a grid of cells; cells
// that parse as plain numbers are written as numbers.
func xlsxOf(t testing.TB, sheets ...sheetSpec) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			for c, v := range row {
				if v == "" {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if x, err := ParseNumber(v, LocaleDot); err == nil && !strings.ContainsAny(v, ", ") {
					_ = f.SetCellFloat(s.name, cell, x, -1, 64)
				} else {
					_ = f.SetCellStr(s.name, cell, v)
				}
			}
		}
		for _, m := range s.merges {
			_ = f.MergeCell(s.name, m[0], m[1])
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type sheetSpec struct {
	name   string
	rows   [][]string
	merges [][2]string
}

func grid(lines ...string) [][]string {
	var out [][]string
	for _, l := range lines {
		out = append(out, strings.Split(l, "|"))
	}
	return out
}

// countDataRows counts the data rows of a CSV file independently of the
// importer: every record after the header.
func countDataRows(t testing.TB, b []byte) int {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return len(rows) - 1
}
