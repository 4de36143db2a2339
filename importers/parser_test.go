package importers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

func TestConsumptionLongCSV(t *testing.T) {
	c := parseCSV(t, "ISO3,Year,Drug,Consumption,Unit,Manufacture,Stocks,Seizures\n"+
		"KEN,2012,morphine,12.5,kg,,3,\n"+
		"KEN,2013,Morphine sulfate pentahydrate,10,kg,,,\n"+
		"UGA,2013,meperidine,1500,g,,,0\n")
	noErrors(t, c)
	if c.Layout != "consumption-long" || c.Rows != 3 || len(c.b.Consumption) != 3 {
		t.Fatalf("layout %q rows %d records %d", c.Layout, c.Rows, len(c.b.Consumption))
	}
	r := c.b.Consumption
	if *r[0].Grams != 12500 || *r[0].Stock != 3000 || r[0].Manufactured != nil || r[0].Lineage.Row != 2 {
		t.Errorf("row 0 %+v", r[0])
	}
	if *r[1].Grams != 7520 || r[1].Conversion != "kg→g ×1000; morphine sulfate pentahydrate→base ×0.752 (salt-base v1)" {
		t.Errorf("salt: %v %q", *r[1].Grams, r[1].Conversion)
	}
	if r[2].Drug != "pethidine" || *r[2].Seizures != 0 || r[2].Conversion != "" {
		t.Errorf("synonym: %+v", r[2])
	}
	methods := map[string]string{}
	for _, m := range c.Matches {
		methods[m.Value] = m.Method
	}
	if methods["meperidine"] != "synonym" || methods["Morphine sulfate pentahydrate"] != "salt" {
		t.Errorf("matches %+v", c.Matches)
	}
}

func TestConsumptionWideYearsXLSX(t *testing.T) {
	data := xlsxOf(t, sheetSpec{name: "Morphine", rows: grid(
		"Consumption of morphine, 2011-2013",
		"(kilograms of anhydrous base)",
		"",
		"Country or territory|2011|2012|2013",
		"United Republic of Tanzania a|8|2|-",
		"Bolivia (Plurinational State of) b|0.5|0.75|0.622",
		"Kenya|||",
		"",
		"a Figures estimated by the Board.",
	), merges: [][2]string{{"A1", "D1"}, {"A2", "D2"}}},
		sheetSpec{name: "Notes", rows: grid("Source: INCB", "Nothing here is a table")})
	c := parse(t, access.ParseInput{Filename: "w.xlsx", Data: data})
	noErrors(t, c)
	// "Kenya" with no figures is not a data row.
	if c.Layout != "incb-wide-years" || c.Rows != 2 || len(c.b.Consumption) != 6 {
		t.Fatalf("layout %q rows %d records %d: %+v", c.Layout, c.Rows, len(c.b.Consumption), c.Problems)
	}
	got := map[string]float64{}
	for _, r := range c.b.Consumption {
		got[fmt.Sprint(r.ISO3, r.Year)] = *r.Grams
	}
	if got["TZA2013"] != 0 || got["TZA2011"] != 8000 || got["BOL2013"] != 622 {
		t.Errorf("values %v", got)
	}
	th := c.withCode(CodeBelowThreshold)
	if len(th) != 1 || th[0].Sheet != "Morphine" || th[0].Row != 5 || th[0].Column != "D" {
		t.Errorf("below threshold %+v", th)
	}
	if n := len(c.withCode(CodeUnder1kg)); n != 3 {
		t.Errorf("%d under_1kg warnings", n)
	}
}

func TestConsumptionWideDrugs(t *testing.T) {
	c := parse(t, access.ParseInput{Filename: "d.xlsx", Data: xlsxOf(t, sheetSpec{name: "2013", rows: grid(
		"Consumption in 2013 (grams)",
		"Country|Morphine|Fentanyl citrate|Codeine",
		"KEN|1000|100|5000",
	)})})
	noErrors(t, c)
	if c.Layout != "incb-wide-drugs" || len(c.b.Consumption) != 3 {
		t.Fatalf("layout %q records %+v", c.Layout, c.b.Consumption)
	}
	for _, r := range c.b.Consumption {
		if r.Year != 2013 {
			t.Errorf("year %d", r.Year)
		}
		if r.Drug == "fentanyl" && *r.Grams != 63.7 {
			t.Errorf("fentanyl %v", *r.Grams)
		}
	}
}

func TestEstimates(t *testing.T) {
	c := parseCSV(t, "Country,Year,Drug,Kind,Status,Unit,(a) To be consumed,(b) Utilized for manufacture,(c) Stock to be held on 31 December,(d) Added to special stocks,Total estimate\n"+
		"KEN,2014,morphine,annual,confirmed,kg,100,0,20,0,120\n"+
		"KEN,2014,morphine,supplementary,submitted,kg,10,,,,\n"+
		"KEN,2014,codeine,annual,submitted,kg,100,0,20,0,100\n"+
		"KEN,2014,fentanyl,annual,submitted,kg,1,0,1,0,5\n")
	if c.Layout != "estimates-long" || len(c.b.Estimates) != 4 {
		t.Fatalf("layout %q %+v %+v", c.Layout, c.b.Estimates, c.Problems)
	}
	e := c.b.Estimates
	if e[0].Kind != access.EstimateAnnual || e[0].Status != access.EstimateConfirmed || *e[0].Total != 120000 {
		t.Errorf("%+v", e[0])
	}
	if e[1].Kind != access.EstimateSupplementary || *e[1].Total != 10000 || !strings.Contains(e[1].Conversion, "total computed") {
		t.Errorf("computed total %+v", e[1])
	}
	mm := c.withCode(CodeTotalMismatch)
	if len(mm) != 1 || mm[0].Row != 5 || mm[0].Column != "K" || mm[0].Severity != access.SeverityWarning {
		t.Errorf("mismatch %+v", mm) // codeine's 100 = a+b+d is accepted
	}
	noErrors(t, c)
}

func TestConsumptionAboveEstimateAndStockBalance(t *testing.T) {
	data := xlsxOf(t,
		sheetSpec{name: "Estimates", rows: grid("Country|Year|Drug|Unit|To be consumed|Total estimate", "KEN|2013|morphine|kg|10|10")},
		sheetSpec{name: "Statistics", rows: grid(
			"Country|Year|Drug|Unit|Consumption|Manufacture|Utilization for manufacture|Imports|Exports|Stocks",
			"KEN|2012|morphine|kg|8|0|0|10|0|5",
			"KEN|2013|morphine|kg|12|0|0|10|0|9",
		)})
	c := parse(t, access.ParseInput{Filename: "both.xlsx", Data: data})
	noErrors(t, c)
	if c.Layout != "estimates-long+consumption-long" {
		t.Errorf("layout %q", c.Layout)
	}
	ae := c.withCode(CodeAboveEstimate)
	if len(ae) != 1 || ae[0].Sheet != "Statistics" || ae[0].Row != 3 || ae[0].Column != "E" {
		t.Errorf("above estimate %+v", ae)
	}
	sb := c.withCode(CodeStockBalance) // 5 + 10 − 12 = 3, not 9
	if len(sb) != 1 || sb[0].Row != 3 || sb[0].Column != "J" {
		t.Errorf("stock balance %+v", sb)
	}
}

func TestPopulationLayouts(t *testing.T) {
	tests := []struct {
		name, text, layout string
		want               float64
	}{
		{"wpp", "m49,iso3,location,year,pop_female_thousands,pop_male_thousands,pop_total_thousands\n404,KEN,Kenya,2019,26000.5,25000.25,51000.75\n", "wpp", 51000750},
		{"wpp by sex only", "LocID,Location,Time,PopMale,PopFemale\n404,Kenya,2019,25000,26000\n", "wpp", 51000000},
		{"wdi long", "Country Name,Country Code,Year,Value\nKenya,KEN,2019,51000000\nWorld,WLD,2019,7600000000\n", "wdi-long", 51000000},
		{"wdi wide", "\"Data Source\",\"World Development Indicators\",\n\n\"Country Name\",\"Country Code\",\"Indicator Name\",\"Indicator Code\",\"2018\",\"2019\",\n" +
			"\"Kenya\",\"KEN\",\"Population, total\",\"SP.POP.TOTL\",\"50000000\",\"51000000\",\n" +
			"\"Sub-Saharan Africa\",\"SSF\",\"Population, total\",\"SP.POP.TOTL\",\"1000000000\",\"1100000000\",\n" +
			"\"High income\",\"HIC\",\"Population, total\",\"SP.POP.TOTL\",\"1,200,000,000\",\"1,210,000,000\",\n", "wdi-wide", 51000000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := parseCSV(t, tt.text)
			noErrors(t, c)
			if c.Kind != access.KindPopulation || c.Layout != tt.layout {
				t.Fatalf("kind %q layout %q", c.Kind, c.Layout)
			}
			var got float64
			for _, p := range c.b.Population {
				if p.ISO3 != "KEN" {
					t.Errorf("aggregate imported: %+v", p)
				}
				if p.Year == 2019 {
					got = p.Persons
				}
			}
			if got != tt.want {
				t.Errorf("Kenya 2019 = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDeathsLayouts(t *testing.T) {
	owid := "Entity,Code,Year,Deaths - Neoplasms - Sex: Both - Age: All Ages (Number),Deaths - HIV/AIDS - Sex: Both - Age: All Ages (Number),Deaths - Neoplasms - Sex: Both - Age: Age-standardized (Rate),Deaths - Alzheimer's disease and other dementias - Sex: Male - Age: All Ages (Number)\n" +
		"Kenya,KEN,2019,20000,30000,80.5,100\nWorld,OWID_WRL,2019,10000000,800000,1,1\n"
	c := parseCSV(t, owid)
	noErrors(t, c)
	if c.Layout != "owid-gbd" || len(c.b.Deaths) != 2 {
		t.Fatalf("layout %q %+v %+v", c.Layout, c.b.Deaths, c.Problems)
	}
	long := parseCSV(t, "Country,Year,Cause,Deaths\nKenya,2019,Malignant neoplasms,20000\nKenya,2019,Tuberculosis,15000\nKenya,2019,Road injury,3000\n")
	if long.Layout != "deaths-long" || len(long.b.Deaths) != 2 || len(long.withCode(CodeUnknownCause)) != 1 {
		t.Fatalf("long: %q %+v %+v", long.Layout, long.b.Deaths, long.Problems)
	}
}

func TestCountriesLayouts(t *testing.T) {
	gho := parseCSV(t, "DimensionMemberCode,Title,WHO_REGION_CODE,WORLD_BANK_INCOME_GROUP\nKEN,Kenya,AFR,WB_LMI\nDEU,Germany,EUR,High income\n")
	noErrors(t, gho)
	if gho.Layout != "who-gho" || len(gho.b.Countries) != 2 || gho.b.Countries[0].IncomeGroup != "LMC" || gho.b.Countries[1].IncomeGroup != "HIC" {
		t.Fatalf("gho %q %+v", gho.Layout, gho.b.Countries)
	}
	wb := parse(t, access.ParseInput{Filename: "Metadata_Country_FY2022.csv", Data: []byte(
		"Country Code,Region,IncomeGroup,SpecialNotes,TableName\nKEN,Sub-Saharan Africa,Lower middle income,,Kenya\nSSF,,,,Sub-Saharan Africa\nWLD,,,,World\n")})
	noErrors(t, wb)
	if wb.Layout != "worldbank-metadata" || len(wb.b.Countries) != 1 || wb.Rows != 3 {
		t.Fatalf("wb %q rows %d %+v", wb.Layout, wb.Rows, wb.b.Countries)
	}
	if m := wb.b.Countries[0]; m.IncomeGroup != "LMC" || m.IncomeVintage != "FY2022" || m.Name != "Kenya" {
		t.Errorf("%+v", m)
	}
}

func TestProblems(t *testing.T) {
	c := parseCSV(t, "ISO3,Year,Drug,Consumption (kg)\n"+
		"KEN,2013,morphine,abc\n"+ // 2 invalid number
		"KEN,2014,morphine,-5\n"+ // 3 negative
		"KEN,1850,morphine,5\n"+ // 4 invalid year
		"Kenyaa,2013,codeine,5\n"+ // 5 unknown country
		"KEN,2013,morfine,5\n"+ // 6 unknown drug
		"UGA,2013,codeine,5\n"+ // 7
		"UGA,2013,codeine,5\n"+ // 8 duplicate, same values
		"UGA,2013,codeine,6\n"+ // 9 duplicate, different values
		"UGA,2014,codeine,500\n"+ // 10 ×100: year on year
		"KEN,2013,fentanyl,\"1,234\"\n"+ // 11 ambiguous
		"KEN,2013,oxycodone,NaN\n") // 12
	want := map[string][2]any{
		CodeNegative:          {3, "D"},
		CodeInvalidYear:       {4, "B"},
		CodeUnknownCountry:    {5, "A"},
		CodeUnknownDrug:       {6, "C"},
		CodeDuplicate:         {8, "D"},
		CodeDuplicateConflict: {9, "D"},
		CodeYearOnYear:        {10, "D"},
	}
	for code, w := range want {
		ps := c.withCode(code)
		if len(ps) != 1 || ps[0].Row != w[0] || ps[0].Column != w[1] {
			t.Errorf("%s: %+v, want row %v column %v", code, ps, w[0], w[1])
		}
	}
	if ps := c.withCode(CodeInvalidNumber); len(ps) != 3 || ps[0].Row != 2 || ps[0].Column != "D" || !strings.Contains(ps[1].Message, "ambiguous") {
		t.Errorf("invalid numbers %+v", ps)
	}
	all := map[int]bool{}
	for _, p := range c.errors() {
		all[p.Row] = true
	}
	for _, row := range []int{11, 12} {
		if !all[row] {
			t.Errorf("row %d has no error: %+v", row, c.Problems)
		}
	}
	uc := c.withCode(CodeUnknownCountry)[0]
	if !strings.Contains(uc.Message, "Kenya (KEN)") {
		t.Errorf("no suggestion: %s", uc.Message)
	}
	ud := c.withCode(CodeUnknownDrug)[0]
	if !strings.Contains(ud.Message, "morphine") {
		t.Errorf("no drug suggestion: %s", ud.Message)
	}
	found := false
	for _, m := range c.Matches {
		if m.Value == "Kenyaa" && len(m.Suggestions) > 0 && m.Resolved == "" {
			found = true
		}
	}
	if !found {
		t.Errorf("no match entry for the unknown country: %+v", c.Matches)
	}
}

func TestMissingColumnsAndUnits(t *testing.T) {
	c := parseCSV(t, "Country,Drug,Consumption (kg)\nKEN,morphine,5\n")
	if ps := c.withCode(CodeMissingColumn); len(ps) != 1 || ps[0].Row != 1 {
		t.Errorf("missing year column: %+v", c.Problems)
	}
	c = parseCSV(t, "Country,Year,Drug,Consumption\nKEN,2013,morphine,5\n")
	if ps := c.withCode(CodeUnknownUnit); len(ps) != 1 || ps[0].Column != "D" {
		t.Errorf("missing unit: %+v", c.Problems)
	}
	c = parseCSV(t, "Country,Year,Drug,Consumption,Unit\nKEN,2013,morphine,5,pounds\n")
	if ps := c.withCode(CodeUnknownUnit); len(ps) != 1 || ps[0].Column != "E" {
		t.Errorf("bad unit: %+v", c.Problems)
	}
	c = parseCSV(t, "just,some,text\n1,2,3\n")
	if len(c.withCode(CodeNoTable)) != 1 {
		t.Errorf("no table: %+v", c.Problems)
	}
}

func TestScope(t *testing.T) {
	in := access.ParseInput{Filename: "k.csv", Country: "KEN", Data: []byte("Country,Year,Drug,Consumption (kg)\nKEN,2013,morphine,5\nUganda,2013,morphine,5\n")}
	c := parse(t, in)
	ps := c.withCode(CodeOutOfScope)
	if len(ps) != 1 || ps[0].Row != 3 || ps[0].Column != "A" || !strings.Contains(ps[0].Message, "this upload is for KEN; the row names UGA") {
		t.Errorf("%+v", c.Problems)
	}
	in.Data = []byte("Year,Drug,Consumption (kg)\n2013,morphine,5\n2014,morphine,6\n")
	c = parse(t, in)
	noErrors(t, c)
	if len(c.b.Consumption) != 2 || c.b.Consumption[0].ISO3 != "KEN" {
		t.Errorf("%+v", c.b.Consumption)
	}
}

func TestCSVEncodingsAndDelimiters(t *testing.T) {
	want := 1234.5 * 1000
	tests := map[string][]byte{
		"semicolon decimal comma": []byte("Country;Year;Drug;Consumption (kg)\nCôte d'Ivoire;2013;morphine;1.234,5\n"),
		"semicolon crlf bom":      append([]byte{0xEF, 0xBB, 0xBF}, []byte("Country;Year;Drug;Consumption (kg)\r\nCôte d'Ivoire;2013;morphine;1 234,5\r\n")...),
		"tab":                     []byte("Country\tYear\tDrug\tConsumption (kg)\nCote d'Ivoire\t2013\tmorphine\t1234.5\n"),
		"comma quoted":            []byte("Country,Year,Drug,Consumption (kg)\n\"Côte d'Ivoire\",2013,morphine,\"1,234.5\"\n"),
	}
	win, _ := charmap.Windows1252.NewEncoder().Bytes([]byte("Country;Year;Drug;Consumption (kg)\r\nCôte d'Ivoire;2013;morphine;1234,5\r\n"))
	tests["windows-1252"] = win
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			c := parse(t, access.ParseInput{Filename: "x.csv", Data: data})
			noErrors(t, c)
			if len(c.b.Consumption) != 1 || c.b.Consumption[0].ISO3 != "CIV" || *c.b.Consumption[0].Grams != want {
				t.Fatalf("%+v", c.b.Consumption)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	data := []byte("Country,Year,Drug,Consumption (kg)\nKEN,2013,morphine,5\nKEN,2014,morphine,5\nKEN,2015,morphine,5\n")
	_, err := New().Parse(context.Background(), access.ParseInput{Data: data, Resolver: smallResolver(), Limits: access.Limits{MaxBytes: 10}}, func(access.Batch) error { return nil })
	if access.ErrorCode(err) != access.TooLarge {
		t.Errorf("MaxBytes: %v", err)
	}
	c := parse(t, access.ParseInput{Filename: "x.csv", Data: data, Limits: access.Limits{MaxRows: 3}})
	if ps := c.withCode(CodeTooManyRows); len(ps) != 1 || ps[0].Row != 4 || len(c.b.Consumption) != 2 {
		t.Errorf("MaxRows: %+v", c.Problems)
	}
	c = parse(t, access.ParseInput{Filename: "x.csv", Data: data, Limits: access.Limits{MaxCellLength: 7}})
	if ps := c.withCode(CodeCellTooLong); len(ps) != 4 || ps[1].Row != 2 || ps[1].Column != "C" {
		t.Errorf("MaxCellLength: %+v", c.Problems)
	}
	c = parse(t, access.ParseInput{Filename: "x.csv", Data: data, Limits: access.Limits{MaxColumns: 3}})
	if len(c.withCode(CodeTooManyColumns)) != 1 {
		t.Errorf("MaxColumns: %+v", c.Problems)
	}
	_, err = New().Parse(context.Background(), access.ParseInput{Filename: "x.xlsx", Data: []byte("PK\x03\x04garbage"), Resolver: smallResolver()}, func(access.Batch) error { return nil })
	if access.ErrorCode(err) != access.Invalid {
		t.Errorf("broken xlsx: %v", err)
	}
}

func TestEmitErrorStops(t *testing.T) {
	var b strings.Builder
	b.WriteString("Country,Year,Drug,Consumption (kg)\n")
	for y := 1901; y < 2100; y++ {
		fmt.Fprintf(&b, "KEN,%d,morphine,5\nUGA,%d,morphine,5\n", y, y)
	}
	boom := errors.New("disk full")
	p := &Parser{BatchSize: 50}
	_, err := p.Parse(context.Background(), access.ParseInput{Data: []byte(b.String()), Resolver: smallResolver()}, func(access.Batch) error { return boom })
	if !errors.Is(err, boom) {
		t.Errorf("err %v", err)
	}
}

func TestProgress(t *testing.T) {
	var b strings.Builder
	b.WriteString("Country,Year,Drug,Consumption (kg)\n")
	for y := 1901; y < 2100; y++ {
		for _, c := range []string{"KEN", "UGA", "TZA", "DEU", "IND", "USA"} {
			fmt.Fprintf(&b, "%s,%d,morphine,5\n", c, y)
		}
	}
	calls := 0
	parse(t, access.ParseInput{Data: []byte(b.String()), Progress: func(done, total int64) { calls++ }})
	if calls < 2 {
		t.Errorf("progress called %d times", calls)
	}
}

func TestAnnotate(t *testing.T) {
	data := []byte("Country,Year,Drug,Consumption (kg)\nKEN,2013,morphine,abc\n=cmd,2013,morphine,-\n")
	c := parse(t, access.ParseInput{Filename: "a.csv", Data: data})
	out, err := Annotate("a.csv", data, c.Problems)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue(csvSheetName, "D2"); v != "abc" {
		t.Errorf("D2 = %q", v)
	}
	if v, _ := f.GetCellValue(csvSheetName, "A3"); v != "'=cmd" {
		t.Errorf("A3 = %q (formula injection)", v)
	}
	if fm, _ := f.GetCellFormula(csvSheetName, "A3"); fm != "" {
		t.Errorf("formula %q", fm)
	}
	comments, _ := f.GetComments(csvSheetName)
	if len(comments) == 0 {
		t.Error("no comments")
	}
	rows, _ := f.GetRows(problemsSheet)
	if len(rows) != len(c.Problems)+1 || rows[0][0] != "Severity" {
		t.Errorf("problems sheet %v", rows)
	}
	style, _ := f.GetCellStyle(csvSheetName, "D2")
	if st, _ := f.GetStyle(style); st == nil || len(st.Fill.Color) == 0 || st.Fill.Color[0] != "FFC7CE" {
		t.Errorf("D2 not red: style %d %+v", style, st)
	}
	// An xlsx input keeps its own sheets.
	x := xlsxOf(t, sheetSpec{name: "Stats", rows: grid("Country|Year|Drug|Consumption (kg)", "KEN|2013|morphine|abc")})
	cx := parse(t, access.ParseInput{Filename: "a.xlsx", Data: x})
	out, err = Annotate("a.xlsx", x, cx.Problems)
	if err != nil {
		t.Fatal(err)
	}
	f2, _ := excelize.OpenReader(bytes.NewReader(out))
	defer f2.Close()
	if got := f2.GetSheetList(); len(got) != 2 || got[0] != "Stats" || got[1] != problemsSheet {
		t.Errorf("sheets %v", got)
	}
}

func TestTemplates(t *testing.T) {
	for _, kind := range []access.ImportKind{access.KindEstimates, access.KindConsumption} {
		t.Run(string(kind), func(t *testing.T) {
			b, err := Template(kind)
			if err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			sheet := f.GetSheetList()[0]
			dvs, _ := f.GetDataValidations(sheet)
			if len(dvs) < 2 {
				t.Errorf("%d data validations", len(dvs))
			}
			rows := [][]any{{"KEN", 2014, "morphine", "annual", "confirmed", "kg", 100, 0, 20, 0, 120},
				{"KEN", 2014, "fentanyl citrate", "annual", "submitted", "g", 500, nil, nil, nil, nil}}
			if kind == access.KindConsumption {
				rows = [][]any{{"KEN", 2013, "morphine", "kg", 95, nil, nil, 20, nil},
					{"KEN", 2013, "fentanyl citrate", "g", 5000, nil, nil, nil, 0}}
			}
			for i, r := range rows {
				cell, _ := excelize.CoordinatesToCellName(1, i+2)
				if err := f.SetSheetRow(sheet, cell, &r); err != nil {
					t.Fatal(err)
				}
			}
			var buf bytes.Buffer
			if err := f.Write(&buf); err != nil {
				t.Fatal(err)
			}
			f.Close()
			c := parse(t, access.ParseInput{Filename: "filled.xlsx", Data: buf.Bytes()})
			if len(c.Problems) != 0 {
				t.Fatalf("problems %+v", c.Problems)
			}
			if kind == access.KindEstimates {
				if len(c.b.Estimates) != 2 || *c.b.Estimates[0].Total != 120000 || *c.b.Estimates[1].ToBeConsumed != 318.5 {
					t.Errorf("%+v", c.b.Estimates)
				}
			} else if len(c.b.Consumption) != 2 || *c.b.Consumption[0].Grams != 95000 || *c.b.Consumption[0].Stock != 20000 || *c.b.Consumption[1].Grams != 3185 {
				t.Errorf("%+v", c.b.Consumption)
			}
		})
	}
	if _, err := Template(access.KindDeaths); access.ErrorCode(err) != access.Invalid {
		t.Errorf("deaths template: %v", err)
	}
}

func TestResolverSuggestAndAbbreviations(t *testing.T) {
	r := smallResolver()
	if s := r.Suggest("Tanzanai", 2); len(s) == 0 || s[0] != "Tanzania (TZA)" {
		t.Errorf("Suggest = %v", s)
	}
	if s := r.SuggestDrug("morfine", 1); len(s) != 1 || s[0] != "morphine" {
		t.Errorf("SuggestDrug = %v", s)
	}
	for in, want := range map[string]string{"4": "AFG", "004": "AFG", "68": "BOL", "Bolivia (Plurinational State of)": "BOL", "Ivory Coast": "CIV", "United States of Am.": "USA"} {
		if c, _, ok := r.Country(in); !ok || c.ISO3 != want {
			t.Errorf("Country(%q) = %v, %v", in, c.ISO3, ok)
		}
	}
}
