package importers

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/reliefgap/reliefgap/internal/access"
)

// testSupplyEstimate is a supply estimate for Kenya 2014 with awkward
// numbers: thirds from the phased path, a stock top-up and a weak opioid.
func testSupplyEstimate(t *testing.T) access.SupplyEstimate {
	t.Helper()
	var cs []access.Consumption
	for i, g := range []float64{1000, 1111.1, 1234.5678, 1300, 1400} {
		cs = append(cs, access.Consumption{ISO3: "KEN", Year: 2009 + i, Drug: "morphine", Grams: access.F(g)})
		cs = append(cs, access.Consumption{ISO3: "KEN", Year: 2009 + i, Drug: "codeine", Grams: access.F(7 * g)})
		cs = append(cs, access.Consumption{ISO3: "KEN", Year: 2009 + i, Drug: "fentanyl", Grams: access.F(g / 97)})
	}
	cs[len(cs)-3].Stock = access.F(123.456)
	in := access.CountryInputs{Country: access.Country{ISO3: "KEN", Name: "Kenya"}, Consumption: cs,
		Deaths: []access.Deaths{{ISO3: "KEN", Year: 2014, Cause: access.CauseNeoplasms, Deaths: 20_000},
			{ISO3: "KEN", Year: 2014, Cause: access.CauseHIV, Deaths: 30_000}},
		Population: []access.Population{{ISO3: "KEN", Year: 2014, Persons: 4.6e7}}}
	me := access.FactorTable{Name: "ppsg", Version: 1, Rows: []access.FactorRow{{Key: "morphine", Value: 1}, {Key: "fentanyl", Value: 83.3}}}
	need := access.TableNeedModel(access.FactorTable{Name: access.ModelCancerHIV, Version: 1, Rows: []access.FactorRow{
		{Key: access.CauseNeoplasms, Share: 0.6, MgPerDay: 100, Days: 100}, {Key: access.CauseHIV, Share: 0.5, MgPerDay: 75, Days: 90}}})
	e, err := access.EstimateSupply(in, 2014, me, &need, access.SupplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Drugs) != 3 {
		t.Fatalf("lines %+v", e.Drugs)
	}
	return e
}

func close12(a, b float64) bool {
	return math.Abs(a-b) <= 1e-11*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// The supply estimate exported as the estimates template imports back to
// the same numbers.
func TestSupplyWorkbookRoundTrip(t *testing.T) {
	e := testSupplyEstimate(t)
	data, err := SupplyWorkbook(e)
	if err != nil {
		t.Fatal(err)
	}
	c := parse(t, access.ParseInput{Filename: "estimate.xlsx", Data: data, Kind: access.KindEstimates, Country: "KEN"})
	noErrors(t, c)
	if c.Layout != "estimates-long" || len(c.b.Estimates) != len(e.Drugs) {
		t.Fatalf("layout %q, %d estimates for %d lines; problems %+v", c.Layout, len(c.b.Estimates), len(e.Drugs), c.Problems)
	}
	for i, l := range e.Drugs {
		got := c.b.Estimates[i]
		if got.ISO3 != "KEN" || got.Year != 2014 || got.Drug != l.Drug || got.Kind != access.EstimateAnnual || got.Status != access.EstimateSubmitted {
			t.Errorf("row %d: %+v", i, got)
		}
		for what, pair := range map[string][2]*float64{
			"a": {got.ToBeConsumed, &l.AConsumptionG}, "b": {got.UtilizedForManufacture, &l.BManufactureG},
			"c": {got.StockTarget, &l.CStockTargetG}, "d": {got.SpecialStocks, &l.DSpecialStockG}, "total": {got.Total, &l.TotalG},
		} {
			if pair[0] == nil || !close12(*pair[0], *pair[1]) {
				t.Errorf("%s %s: imported %v, exported %v", l.Drug, what, pair[0], *pair[1])
			}
		}
	}
	// The justification column holds each line's explanation.
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i, l := range e.Drugs {
		v, _ := f.GetCellValue("Form B estimates", "L"+itoa(i+2))
		if v != l.Explanation || !strings.Contains(v, "Art. 19(2)") {
			t.Errorf("justification %d = %q", i, v)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestCountryTemplates(t *testing.T) {
	for _, kind := range []access.ImportKind{access.KindEstimates, access.KindConsumption} {
		data, err := CountryTemplate(kind, "KEN")
		if err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		sheet := templates[kind].sheet
		if v, _ := f.GetCellValue(sheet, "A2"); v != "KEN" {
			t.Errorf("%s: A2 = %q, want KEN", kind, v)
		}
		dvs, err := f.GetDataValidations(sheet)
		if err != nil {
			t.Fatal(err)
		}
		by := map[string]*excelize.DataValidation{}
		for _, dv := range dvs {
			by[strings.SplitN(dv.Sqref, ":", 2)[0]] = dv
		}
		check := func(cell, typ, op, f1 string) {
			t.Helper()
			dv := by[cell]
			if dv == nil {
				t.Errorf("%s: no validation on %s", kind, cell)
				return
			}
			if dv.Type != typ || (op != "" && dv.Operator != op) || (f1 != "" && !strings.Contains(dv.Formula1, f1)) {
				t.Errorf("%s %s: validation %s %s %q", kind, cell, dv.Type, dv.Operator, dv.Formula1)
			}
		}
		check("A2", "list", "", "KEN")
		check("B2", "whole", "between", "1900")
		check("C2", "list", "", "morphine")
		switch kind {
		case access.KindEstimates:
			check("E2", "list", "", "confirmed")
			if by["E2"].PromptTitle == nil || !strings.Contains(*by["E2"].Prompt, "confirmed: the estimate as INCB confirmed it") {
				t.Errorf("status column not explained: %+v", by["E2"])
			}
			for _, c := range []string{"G2", "H2", "I2", "J2", "K2"} {
				check(c, "decimal", "greaterThanOrEqual", "0")
			}
			if h, _ := f.GetCellValue(sheet, "L1"); h != "Justification" {
				t.Errorf("L1 = %q", h)
			}
		case access.KindConsumption:
			for _, c := range []string{"E2", "F2", "G2", "H2", "I2"} {
				check(c, "decimal", "greaterThanOrEqual", "0")
			}
			check("J2", "decimal", "between", "0")
			if !strings.Contains(by["J2"].Formula2, "366") {
				t.Errorf("days out of stock up to %q", by["J2"].Formula2)
			}
		}
		f.Close()
		// The country-filled blank template imports to nothing, without errors.
		c := parse(t, access.ParseInput{Filename: "t.xlsx", Data: data, Kind: kind, Country: "KEN"})
		noErrors(t, c)
		if len(c.b.Estimates)+len(c.b.Consumption) != 0 {
			t.Errorf("%s: blank template gave records %+v", kind, c.b)
		}
	}
	if _, err := CountryTemplate(access.KindEstimates, "K=N"); access.ErrorCode(err) != access.Invalid {
		t.Errorf("bad country: %v", err)
	}
}

// A statistics template filled in by a clerk: days out of stock are read,
// and more than a year's days are refused.
func TestStockOutDays(t *testing.T) {
	data, err := CountryTemplate(access.KindConsumption, "KEN")
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	sh := "Form C statistics"
	for cell, v := range map[string]any{"B2": 2013, "C2": "morphine", "D2": "kg", "E2": 10, "H2": 2, "J2": 73,
		"B3": 2012, "C3": "codeine", "D3": "g", "E3": 500} {
		if err := f.SetCellValue(sh, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	c := parse(t, access.ParseInput{Filename: "s.xlsx", Data: buf.Bytes(), Country: "KEN"})
	noErrors(t, c)
	if len(c.b.Consumption) != 2 {
		t.Fatalf("records %+v", c.b.Consumption)
	}
	m, cod := c.b.Consumption[0], c.b.Consumption[1]
	// 10 kg → 10,000 g; 2 kg stock → 2000 g; 73 days stay 73 (no unit).
	if *m.Grams != 10000 || *m.Stock != 2000 || m.StockOutDays == nil || *m.StockOutDays != 73 || strings.Contains(m.Conversion, "days") {
		t.Errorf("morphine %+v", m)
	}
	if cod.StockOutDays != nil {
		t.Errorf("codeine stock-out %v, want none", *cod.StockOutDays)
	}
	// CSV too, with a header a publisher might use; 400 days is an error.
	c = parseCSV(t, "ISO3,Year,Drug,Unit,Consumption,Stock-out days\nKEN,2013,morphine,kg,1,30\nKEN,2012,morphine,kg,1,400\n")
	if len(c.b.Consumption) != 1 || *c.b.Consumption[0].StockOutDays != 30 {
		t.Errorf("csv records %+v", c.b.Consumption)
	}
	if p := c.withCode(CodeInvalidValue); len(p) != 1 || p[0].Row != 3 || p[0].Column != "F" {
		t.Errorf("400 days: %+v", c.Problems)
	}
}

// A justification that looks like a formula is written as text.
func TestSupplyWorkbookNoFormula(t *testing.T) {
	data, err := TemplateFor(access.KindEstimates, TemplateOptions{Country: "KEN", Estimates: []TemplateEstimate{{
		Estimate:      access.Estimate{Year: 2015, Drug: "morphine", Kind: access.EstimateAnnual, Status: access.EstimateSubmitted, Total: access.F(1)},
		Justification: "=HYPERLINK(\"http://x\")"}}})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := excelize.OpenReader(bytes.NewReader(data))
	defer f.Close()
	if fo, _ := f.GetCellFormula("Form B estimates", "L2"); fo != "" {
		t.Errorf("formula %q", fo)
	}
	if v, _ := f.GetCellValue("Form B estimates", "L2"); !strings.HasPrefix(v, "'=") {
		t.Errorf("L2 = %q", v)
	}
	if _, err := TemplateFor(access.KindEstimates, TemplateOptions{Country: "KEN", Estimates: []TemplateEstimate{{
		Estimate: access.Estimate{ISO3: "UGA", Year: 2015, Drug: "morphine"}}}}); access.ErrorCode(err) != access.Invalid {
		t.Errorf("row for another country: %v", err)
	}
}
