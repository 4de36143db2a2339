package importers

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"strconv"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
)

func TestSharedConsumptionCSV(t *testing.T) {
	b := readShared(t, "incb_consumption_kg_1989_2013.csv")
	c := parse(t, access.ParseInput{Filename: "incb_consumption_kg_1989_2013.csv", Data: b, Resolver: sharedResolver(t)})
	noErrors(t, c)
	if c.Kind != access.KindConsumption || c.Layout != "consumption-long" {
		t.Errorf("kind %q layout %q", c.Kind, c.Layout)
	}
	n := countDataRows(t, b)
	if c.Rows != n || len(c.b.Consumption) != n {
		t.Errorf("rows %d records %d, want %d", c.Rows, len(c.b.Consumption), n)
	}
	if c.batches < 2 {
		t.Errorf("%d batches; want records emitted as they are read", c.batches)
	}
	got := map[string]float64{}
	for _, r := range c.b.Consumption {
		got[fmt.Sprint(r.ISO3, r.Year, r.Drug)] = *r.Grams
	}
	for k, want := range map[string]float64{"USA2013morphine": 25571e3, "NGA2013morphine": 5e3, "IND2013codeine": 46498e3} {
		if got[k] != want {
			t.Errorf("%s = %v g, want %v", k, got[k], want)
		}
	}
}

func TestSharedConsumptionXLSXEqualsCSV(t *testing.T) {
	csvData := readShared(t, "incb_consumption_kg_1989_2013.csv")
	xlsxData := readShared(t, "samples/incb_style_consumption_wide_2009_2013.xlsx")
	res := sharedResolver(t)
	fromCSV := parse(t, access.ParseInput{Filename: "a.csv", Data: csvData, Resolver: res})
	fromXLSX := parse(t, access.ParseInput{Filename: "incb_style_consumption_wide_2009_2013.xlsx", Data: xlsxData, Resolver: res})
	noErrors(t, fromXLSX)
	if fromXLSX.Layout != "incb-wide-years" || fromXLSX.Kind != access.KindConsumption {
		t.Errorf("kind %q layout %q", fromXLSX.Kind, fromXLSX.Layout)
	}
	want := map[string]float64{}
	for _, r := range fromCSV.b.Consumption {
		if r.Year >= 2009 && r.Year <= 2013 {
			want[fmt.Sprint(r.ISO3, " ", r.Year, " ", r.Drug)] = *r.Grams
		}
	}
	got := map[string]float64{}
	for _, r := range fromXLSX.b.Consumption {
		got[fmt.Sprint(r.ISO3, " ", r.Year, " ", r.Drug)] = *r.Grams
		if r.Conversion != "kg→g ×1000" {
			t.Fatalf("conversion %q", r.Conversion)
		}
	}
	// INCB report tables round: whole kilograms from 1 kg up, three
	// decimals (whole grams) below; "-" for nil or under 0.5 g. The CSV
	// keeps the unrounded figures, so each workbook value must be the
	// CSV value rounded the way INCB publishes it.
	exact := 0
	for k, g := range got {
		w, ok := want[k]
		half := 0.5 // g
		if w >= 999.5 {
			half = 500
		}
		if !ok || math.Abs(w-g) > half+1e-6 {
			t.Errorf("%s: xlsx %v g, csv %v g (present %v)", k, g, w, ok)
		}
		if w == g {
			exact++
		}
	}
	t.Logf("%d of %d workbook values equal the CSV exactly; the rest equal it after INCB rounding", exact, len(got))
	// The workbook leaves the names of the countries the CSV has no name
	// for blank; those rows are skipped with a warning, all others match.
	unnamed := map[string]bool{}
	rows, _ := csv.NewReader(bytes.NewReader(csvData)).ReadAll()
	for _, r := range rows[1:] {
		if r[1] == "" {
			unnamed[r[0]] = true
		}
	}
	for k := range want {
		if _, ok := got[k]; !ok && !unnamed[k[:3]] {
			t.Errorf("%s in the CSV but not in the workbook", k)
		}
	}
	if len(got) != len(want)-len(unnamed)*5*6 {
		t.Errorf("%d values from the workbook, %d from the CSV, %d unnamed countries", len(got), len(want), len(unnamed))
	}
	if n := len(fromXLSX.withCode(CodeNoCountry)); n != len(unnamed)*6 {
		t.Errorf("%d no_country warnings, want %d", n, len(unnamed)*6)
	}
	// Rows: 174 data rows per sheet (notes below the table are not rows).
	if fromXLSX.Rows != 6*174 {
		t.Errorf("rows %d", fromXLSX.Rows)
	}
}

func TestSharedPopulation(t *testing.T) {
	b := readShared(t, "population_wpp2019.csv")
	c := parse(t, access.ParseInput{Filename: "population_wpp2019.csv", Data: b, Resolver: sharedResolver(t)})
	noErrors(t, c)
	if c.Kind != access.KindPopulation || c.Layout != "wpp" {
		t.Errorf("kind %q layout %q", c.Kind, c.Layout)
	}
	n := countDataRows(t, b)
	rows, _ := csv.NewReader(bytes.NewReader(b)).ReadAll()
	noISO := 0
	for _, r := range rows[1:] {
		if r[1] == "" {
			noISO++ // Channel Islands: M49 830, no ISO 3166 code; a country (CHI) all the same
		}
	}
	if noISO == 0 || c.Rows != n || len(c.b.Population) != n {
		t.Errorf("rows %d records %d, want %d and %d (%d without ISO3)", c.Rows, len(c.b.Population), n, n, noISO)
	}
	chi := 0
	for _, p := range c.b.Population {
		if p.ISO3 == "IND" && p.Year == 2019 && p.Persons != 1366417756 {
			t.Errorf("India 2019 = %v", p.Persons)
		}
		if p.ISO3 == "CHI" {
			chi++
		}
	}
	if chi != noISO {
		t.Errorf("%d Channel Islands records, want %d", chi, noISO)
	}
}

func TestSharedDeaths(t *testing.T) {
	b := readShared(t, "deaths_gbd2019.csv")
	c := parse(t, access.ParseInput{Filename: "deaths_gbd2019.csv", Data: b, Resolver: sharedResolver(t)})
	noErrors(t, c)
	if c.Kind != access.KindDeaths || c.Layout != "deaths-wide" {
		t.Errorf("kind %q layout %q", c.Kind, c.Layout)
	}
	rows, _ := csv.NewReader(bytes.NewReader(b)).ReadAll()
	cells := 0
	for _, r := range rows[1:] {
		for _, v := range r[3:] {
			if v != "" {
				cells++
			}
		}
	}
	if c.Rows != len(rows)-1 || len(c.b.Deaths) != cells {
		t.Errorf("rows %d records %d, want %d and %d", c.Rows, len(c.b.Deaths), len(rows)-1, cells)
	}
	causes := map[string]bool{}
	for _, d := range c.b.Deaths {
		causes[d.Cause] = true
	}
	if len(causes) != len(access.Causes) {
		t.Errorf("causes %v", causes)
	}
}

func TestSharedCountries(t *testing.T) {
	b := readShared(t, "countries.csv")
	c := parse(t, access.ParseInput{Filename: "countries.csv", Data: b, Resolver: sharedResolver(t)})
	noErrors(t, c)
	if c.Kind != access.KindCountries || c.Layout != "countries-reference" {
		t.Errorf("kind %q layout %q", c.Kind, c.Layout)
	}
	n := countDataRows(t, b)
	if c.Rows != n || len(c.b.Countries) != n {
		t.Errorf("rows %d records %d, want %d", c.Rows, len(c.b.Countries), n)
	}
	for _, m := range c.b.Countries {
		if m.ISO3 == "KEN" && (m.WHORegion != "AFR" || m.IncomeGroup != "LMC" || m.IncomeVintage != "2020") {
			t.Errorf("Kenya %+v", m)
		}
	}
	_ = strconv.Itoa
}
