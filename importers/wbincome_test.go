package importers

import (
	"os"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
)

// xlsxFromText builds a workbook from a fixture under testdata: "=== name"
// starts a sheet, cells are separated by "|", "#" lines are comments.
func xlsxFromText(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var sheets []sheetSpec
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "=== "):
			sheets = append(sheets, sheetSpec{name: strings.TrimPrefix(line, "=== ")})
		case len(sheets) > 0:
			s := &sheets[len(sheets)-1]
			s.rows = append(s.rows, strings.Split(line, "|"))
		}
	}
	return xlsxOf(t, sheets...)
}

// formerResolver knows the test countries and the former states the
// history lists.
func formerResolver() *access.Resolver {
	cs := append([]access.Country(nil), smallCountries...)
	cs = append(cs,
		access.Country{ISO3: "YEM", ISO2: "YE", Numeric: "887", Name: "Yemen", Aliases: []string{"Yemen, Rep."}},
		access.Country{ISO3: "CSK", Numeric: "200", Name: "Czechoslovakia", OfficialName: "Czechoslovakia (former)"},
		access.Country{ISO3: "SUN", Numeric: "810", Name: "USSR", OfficialName: "Union of Soviet Socialist Republics (former)"},
		access.Country{ISO3: "YUG", Numeric: "890", Name: "Yugoslavia", OfficialName: "Socialist Federal Republic of Yugoslavia (former)"},
		access.Country{ISO3: "SCG", Numeric: "891", Name: "Serbia and Montenegro", OfficialName: "Serbia and Montenegro (former)"},
	)
	return access.NewResolver(cs, testDrugs, testSaltBase)
}

// sharedFormerResolver is sharedResolver with the former states that the
// reference data of a deployment carries (migrations 0004 and 0007).
func sharedFormerResolver(t *testing.T) *access.Resolver {
	cs := sharedCountries(t)
	for _, c := range []access.Country{
		{ISO3: "CSK", Numeric: "200", Name: "Czechoslovakia", OfficialName: "Czechoslovakia (former)"},
		{ISO3: "SUN", Numeric: "810", Name: "USSR", OfficialName: "Union of Soviet Socialist Republics (former)"},
		{ISO3: "YUG", Numeric: "890", Name: "Yugoslavia", OfficialName: "Socialist Federal Republic of Yugoslavia (former)"},
		{ISO3: "SCG", Numeric: "891", Name: "Serbia and Montenegro", OfficialName: "Serbia and Montenegro (former)"},
	} {
		cs = append(cs, c)
	}
	return access.NewResolver(cs, testDrugs, testSaltBase)
}

type incomeKey struct {
	iso3 string
	year int
}

func incomeByYear(c collected) map[incomeKey]access.CountryMetadata {
	out := map[incomeKey]access.CountryMetadata{}
	for _, m := range c.b.Countries {
		out[incomeKey{m.ISO3, m.DataYear}] = m
	}
	return out
}

func TestIncomeHistoryFixture(t *testing.T) {
	data := xlsxFromText(t, "testdata/wb_income_history_small.txt")
	c := parse(t, access.ParseInput{Filename: "OGHIST.xlsx", Data: data, Resolver: formerResolver()})
	noErrors(t, c)
	if c.Kind != access.KindCountries || c.Layout != "worldbank-income-history" {
		t.Fatalf("kind %q layout %q", c.Kind, c.Layout)
	}
	// 11 economies × 4 fiscal years; the threshold rows, notes and the
	// Parameters sheet are not records.
	if c.Rows != 11 || len(c.b.Countries) != 44 {
		t.Errorf("rows %d, records %d; want 11 and 44", c.Rows, len(c.b.Countries))
	}
	got := incomeByYear(c)
	for _, w := range []struct {
		iso3    string
		year    int
		group   string
		vintage string
	}{
		{"IND", 1987, "LIC", "FY1989"}, // FY89 classifies 1987 data
		{"DEU", 1990, "HIC", "FY1992"}, // FY92: 1990
		{"YEM", 1987, "LMC", "FY1989"}, // LM* is LM
		{"YEM", 1989, "LMC", "FY1991"}, // LM
		{"SUN", 1989, "", "FY1991"},    // ".." is not classified
		{"SUN", 1990, "UMC", "FY1992"}, // the USSR, by its name
		{"CSK", 1990, "UMC", "FY1992"}, // Czechoslovakia, by its name
		{"YUG", 1988, "UMC", "FY1990"}, // the history's YUGf is the SFRY
		{"SCG", 1990, "", "FY1992"},    // its "YUG" is Serbia and Montenegro
	} {
		m, ok := got[incomeKey{w.iso3, w.year}]
		if !ok {
			t.Errorf("%s %d: no record", w.iso3, w.year)
			continue
		}
		if m.IncomeGroup != w.group || m.IncomeVintage != w.vintage || m.Lineage.Sheet != "Country Analytical History" {
			t.Errorf("%s %d = %+v, want %s %s", w.iso3, w.year, m, w.group, w.vintage)
		}
	}
	// Lineage: India is on the 14th row of the sheet.
	if m := got[incomeKey{"IND", 1987}]; m.Lineage.Row != 14 {
		t.Errorf("IND row = %d, want 14", m.Lineage.Row)
	}
}

func TestIncomeHistoryBadCells(t *testing.T) {
	data := xlsxOf(t, sheetSpec{name: "Country Analytical History", rows: grid(
		"|World Bank Analytical Classifications",
		"|Bank's fiscal year:|FY14|FY15",
		"|Data for calendar year :|2012|2014",
		"IND|India|LM|X",
		"ZZZ|Nowhere|L|L",
	)})
	c := parse(t, access.ParseInput{Filename: "OGHIST.xlsx", Data: data, Resolver: formerResolver()})
	// FY15 over 2014 data contradicts FY − 2: the column is refused; the
	// unknown code "X" is not in it, so only the year is an error.
	if e := c.withCode(CodeInvalidYear); len(e) != 1 || e[0].Row != 3 || e[0].Column != "D" {
		t.Errorf("invalid year problems = %+v", e)
	}
	if w := c.withCode(CodeUnknownCountry); len(w) != 1 || w[0].Severity != access.SeverityWarning {
		t.Errorf("unknown economy problems = %+v", w)
	}
	if len(c.b.Countries) != 1 || c.b.Countries[0].IncomeGroup != "LMC" || c.b.Countries[0].DataYear != 2012 {
		t.Errorf("records = %+v", c.b.Countries)
	}

	data = xlsxOf(t, sheetSpec{name: "Country Analytical History", rows: grid(
		"|Bank's fiscal year:|FY14",
		"|Data for calendar year :|2012",
		"IND|India|X",
	)})
	c = parse(t, access.ParseInput{Filename: "OGHIST.xlsx", Data: data, Resolver: formerResolver()})
	if e := c.withCode(CodeInvalidValue); len(e) != 1 || e[0].Column != "C" || e[0].Severity != access.SeverityError {
		t.Errorf("unknown income code problems = %+v", e)
	}
}

func TestIncomeClassFixture(t *testing.T) {
	data := xlsxFromText(t, "testdata/wb_country_classification_small.txt")
	c := parse(t, access.ParseInput{Filename: "CLASS.xlsx", Data: data, Resolver: formerResolver()})
	noErrors(t, c)
	if c.Kind != access.KindCountries || c.Layout != "worldbank-class" {
		t.Fatalf("kind %q layout %q", c.Kind, c.Layout)
	}
	// Seven economies, the Channel Islands (CHI, a country since migration
	// 0010) among them; the aggregates ARB, SSF and HIC are passed over.
	if len(c.b.Countries) != 7 || len(c.warnings()) != 0 {
		t.Errorf("records %d, warnings %+v", len(c.b.Countries), c.warnings())
	}
	for _, m := range c.b.Countries {
		// "set on July 1, 2025" is fiscal year 2026.
		if m.IncomeVintage != "FY2026" || m.DataYear != 0 {
			t.Errorf("%s vintage %q data year %d", m.ISO3, m.IncomeVintage, m.DataYear)
		}
		if m.ISO3 == "IND" && m.IncomeGroup != "LMC" || m.ISO3 == "AFG" && m.IncomeGroup != "LIC" {
			t.Errorf("%+v", m)
		}
	}
}

func TestIncomeWorkbooksPublished(t *testing.T) {
	t.Run("OGHIST", func(t *testing.T) {
		b := readShared(t, "samples/wb_income_history_OGHIST_FY26.xlsx")
		c := parse(t, access.ParseInput{Filename: "wb_income_history_OGHIST_FY26.xlsx", Data: b, Resolver: sharedFormerResolver(t)})
		noErrors(t, c)
		if c.Layout != "worldbank-income-history" {
			t.Fatalf("layout %q", c.Layout)
		}
		got := incomeByYear(c)
		// FY89–FY26: 38 fiscal years for every economy read.
		years := map[string]int{}
		for k := range got {
			years[k.iso3]++
		}
		if years["IND"] != 38 || years["SUN"] != 38 {
			t.Errorf("years: IND %d, SUN %d; want 38", years["IND"], years["SUN"])
		}
		for _, w := range []struct {
			iso3  string
			year  int
			group string
		}{
			{"IND", 2005, "LIC"}, {"IND", 2013, "LMC"}, {"NGA", 2005, "LIC"}, {"PAK", 2005, "LIC"},
			{"VEN", 2013, "UMC"}, {"VEN", 2022, ""}, {"YEM", 1987, "LMC"}, {"SCG", 2000, "LMC"},
			{"YUG", 1990, "UMC"}, {"SUN", 1990, "UMC"}, {"SUN", 1991, ""}, {"CSK", 1991, "UMC"},
			{"ANT", 2005, "HIC"}, {"DEU", 2024, "HIC"},
		} {
			if m := got[incomeKey{w.iso3, w.year}]; m.IncomeGroup != w.group {
				t.Errorf("%s %d = %q, want %q", w.iso3, w.year, m.IncomeGroup, w.group)
			}
		}
	})
	t.Run("CLASS", func(t *testing.T) {
		b := readShared(t, "samples/wb_country_classification_CLASS_FY2026.xlsx")
		c := parse(t, access.ParseInput{Filename: "wb_country_classification_CLASS_FY2026.xlsx", Data: b, Resolver: sharedResolver(t)})
		noErrors(t, c)
		if c.Layout != "worldbank-class" {
			t.Fatalf("layout %q", c.Layout)
		}
		by := map[string]access.CountryMetadata{}
		for _, m := range c.b.Countries {
			by[m.ISO3] = m
		}
		if m := by["IND"]; m.IncomeGroup != "LMC" || m.IncomeVintage != "FY2026" {
			t.Errorf("IND = %+v", m)
		}
		if m, ok := by["VEN"]; !ok || m.IncomeGroup != "" {
			t.Errorf("VEN = %+v, want unclassified", m)
		}
		if _, ok := by["WLD"]; ok {
			t.Error("an aggregate was read as an economy")
		}
	})
}
