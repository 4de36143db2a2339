package importers

import (
	"bytes"
	"context"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/reliefgap/reliefgap/internal/access"
)

// parseAvail parses a file and collects the availability records.
func parseAvail(t *testing.T, in access.ParseInput) (access.ParseResult, access.Batch) {
	t.Helper()
	if in.Resolver == nil {
		in.Resolver = smallResolver()
	}
	var all access.Batch
	res, err := New().Parse(context.Background(), in, func(b access.Batch) error {
		all.Availability = append(all.Availability, b.Availability...)
		all.CCS = append(all.CCS, b.CCS...)
		all.Consumption = append(all.Consumption, b.Consumption...)
		return nil
	})
	if err != nil {
		t.Fatalf("Parse(%s): %v", in.Filename, err)
	}
	return res, all
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func problemsWith(ps []access.Problem, code string) []access.Problem {
	var out []access.Problem
	for _, p := range ps {
		if p.Code == code {
			out = append(out, p)
		}
	}
	return out
}

func withoutLine(b []byte, prefix string) []byte {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return []byte(strings.Join(out, "\n"))
}

func TestWHOHAISummaryCSV(t *testing.T) {
	data := withoutLine(fixture(t, "who_hai_summary.csv"), "Tramadol")
	// The kind is detected from the headers.
	res, b := parseAvail(t, access.ParseInput{Filename: "who_hai_summary.csv", Data: data})
	if res.Kind != access.KindAvailability || res.Layout != LayoutWHOHAI {
		t.Fatalf("kind %q layout %q", res.Kind, res.Layout)
	}
	for _, p := range res.Problems {
		if p.Severity == access.SeverityError {
			t.Errorf("problem: %+v", p)
		}
	}
	// The other sector has no columns: a warning, and no rows for it.
	if w := problemsWith(res.Problems, CodeSectorMissing); len(w) != 1 || w[0].Value != "other" || w[0].Severity != access.SeverityWarning {
		t.Errorf("sector_missing = %+v", w)
	}
	type key struct {
		med string
		sec access.Sector
	}
	got := map[key]access.AvailabilitySurvey{}
	for _, r := range b.Availability {
		if r.ISO3 != "KEN" || r.Year != 2012 || r.VocabularyVersion != 1 {
			t.Errorf("row %+v", r)
		}
		if r.Sector == access.SectorOther {
			t.Errorf("a row for the missing sector: %+v", r)
		}
		got[key{r.Medicine, r.Sector}] = r
	}
	// Six rows: three medicines × public and private; the section heading
	// and the pethidine row without figures give none.
	if len(b.Availability) != 6 || res.Rows != 3 {
		t.Fatalf("%d rows (%d read): %+v", len(b.Availability), res.Rows, b.Availability)
	}
	pub := got[key{"morphine-tab-ir-10mg", access.SectorPublic}]
	if *pub.AvailabilityPct != 20 || *pub.MedianPriceRatio != 1.8 || *pub.FacilitiesSurveyed != 30 || *pub.MedianUnitPrice != 5 ||
		*pub.DailyWage != 250 || pub.Currency != "KES" || pub.PriceReference != "MSH International Drug Price Indicator Guide 2011" ||
		pub.PriceReferenceYear != 2011 || pub.Survey != "Kenya medicine prices and availability 2012" || pub.Drug != "morphine" ||
		pub.Lineage.Row != 11 {
		t.Errorf("public morphine tablet = %+v", pub)
	}
	if liq := got[key{"morphine-oral-liquid-10mg-5ml", access.SectorPrivate}]; *liq.AvailabilityPct != 0 || liq.MedianPriceRatio != nil || *liq.FacilitiesSurveyed != 30 {
		t.Errorf("private oral liquid = %+v", liq)
	}
	if f := got[key{"fentanyl-patch-25mcg-h", access.SectorPublic}]; f.AvailabilityPct != nil || f.MedianPriceRatio != nil || *f.FacilitiesSurveyed != 30 {
		t.Errorf("public fentanyl (availability not given) = %+v", f)
	}
	// A survey of 2012 is more than five years older than figures for
	// 2022 (10 years); the affordability of a month of 10 mg tablets at
	// KES 5 each with a daily wage of KES 250: 6 a day × 30 days × 5 ÷ 250
	// = 3.6 days' wages.
	fig := access.ComputeAvailability(b.Availability, nil, 2022)
	if !reflect.DeepEqual(fig.AvailabilityFlags, []string{access.FlagSurveyOlderThan5Years, access.FlagNoCCSAnswer}) {
		t.Errorf("flags = %v", fig.AvailabilityFlags)
	}
	for _, f := range fig.Availability {
		if f.Medicine == "morphine-tab-ir-10mg" && f.Sector == access.SectorPublic {
			if f.AffordabilityDaysWages == nil || *f.AffordabilityDaysWages != 3.6 {
				t.Errorf("affordability = %v", deref(f.AffordabilityDaysWages))
			}
		} else if f.AffordabilityDaysWages != nil {
			t.Errorf("%s %s: affordability %v without a price", f.Medicine, f.Sector, *f.AffordabilityDaysWages)
		}
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestWHOHAIUnknownMedicine(t *testing.T) {
	res, _ := parseAvail(t, access.ParseInput{Filename: "s.csv", Data: fixture(t, "who_hai_summary.csv"), Kind: access.KindAvailability})
	e := problemsWith(res.Problems, CodeUnknownMedicine)
	if len(e) != 1 || e[0].Severity != access.SeverityError || e[0].Row != 14 || e[0].Column != "A" || e[0].Value != "Tramadol 50 mg capsule" {
		t.Fatalf("unknown medicine problems = %+v", e)
	}
	if !strings.Contains(e[0].Message, "did you mean") {
		t.Errorf("no suggestions: %s", e[0].Message)
	}
	var m *access.Match
	for i := range res.Matches {
		if res.Matches[i].What == "medicine" && res.Matches[i].Value == "Tramadol 50 mg capsule" {
			m = &res.Matches[i]
		}
	}
	if m == nil || len(m.Suggestions) == 0 || m.Resolved != "" {
		t.Errorf("match = %+v", m)
	}
}

// whoHAIWorkbook is the WHO/HAI summary as a workbook: sector headings
// merged over their columns above the measures, availability typed as
// fractions the way a percentage-formatted cell stores them.
func whoHAIWorkbook(t *testing.T, year string) []byte {
	return xlsxOf(t, sheetSpec{name: "Summary", rows: grid(
		"Medicine availability and price survey",
		"Country:|United Republic of Tanzania",
		"Survey year:|"+year,
		"Reference price:|MSH|Reference price year:|2013",
		"",
		"Medicine|Public sector|||Private sector|||Other sector||",
		"|Availability|MPR|N|Availability|MPR|N|Availability|MPR|N",
		"Morphine 10mg tab|0.25|1.5|20|0.1|2.5|40|0|||",
		"Morphine inj 10mg/ml|0.5|0.9|20||||0.2||10",
	), merges: [][2]string{{"B6", "D6"}, {"E6", "G6"}, {"H6", "J6"}}})
}

func TestWHOHAIWorkbookMergedSectors(t *testing.T) {
	res, b := parseAvail(t, access.ParseInput{Filename: "s.xlsx", Data: whoHAIWorkbook(t, "2016")})
	if res.Kind != access.KindAvailability {
		t.Fatalf("kind %q, problems %+v", res.Kind, res.Problems)
	}
	if len(problemsWith(res.Problems, CodeFractionRead)) != 1 {
		t.Errorf("no warning that availability was read as fractions: %+v", res.Problems)
	}
	for _, p := range res.Problems {
		if p.Severity == access.SeverityError || p.Code == CodeSectorMissing {
			t.Errorf("problem: %+v", p)
		}
	}
	// Tablet: public, private, other (0, a value); injection: public and
	// other (the private cells are blank): five rows.
	if len(b.Availability) != 5 {
		t.Fatalf("%d rows: %+v", len(b.Availability), b.Availability)
	}
	want := map[string]float64{"morphine-tab-ir-10mg/public": 25, "morphine-tab-ir-10mg/private": 10, "morphine-tab-ir-10mg/other": 0,
		"morphine-inj-10mg-ml/public": 50, "morphine-inj-10mg-ml/other": 20}
	for _, r := range b.Availability {
		k := r.Medicine + "/" + string(r.Sector)
		if r.ISO3 != "TZA" || r.Year != 2016 || r.PriceReference != "MSH" || r.PriceReferenceYear != 2013 || r.Lineage.Sheet != "Summary" {
			t.Errorf("%s: %+v", k, r)
		}
		if w, ok := want[k]; !ok || r.AvailabilityPct == nil || *r.AvailabilityPct != w {
			t.Errorf("%s availability = %v; want %v", k, deref(r.AvailabilityPct), w)
		}
	}
}

// A workbook with one sheet per sector names the sector in the sheet name.
func TestWHOHAISheetPerSector(t *testing.T) {
	sheet := func(name, pct string) sheetSpec {
		return sheetSpec{name: name, rows: grid("Country:|KEN", "Survey year:|2020", "Medicine|% availability|MPR|Facilities surveyed",
			"Morphine 10 mg tablet|"+pct+"|1.5|20")}
	}
	res, b := parseAvail(t, access.ParseInput{Filename: "s.xlsx", Data: xlsxOf(t, sheet("Public sector", "40"), sheet("Private sector", "10"))})
	got := map[access.Sector]float64{}
	for _, r := range b.Availability {
		got[r.Sector] = *r.AvailabilityPct
	}
	if !reflect.DeepEqual(got, map[access.Sector]float64{access.SectorPublic: 40, access.SectorPrivate: 10}) {
		t.Errorf("availability by sector = %v", got)
	}
	if w := problemsWith(res.Problems, CodeSectorMissing); len(w) != 1 || w[0].Value != "other" {
		t.Errorf("sector_missing = %+v (all problems %+v)", w, res.Problems)
	}
}

func TestWHOHAIScopeAndBadValues(t *testing.T) {
	// A ministry of Kenya uploading Tanzania's survey.
	res, b := parseAvail(t, access.ParseInput{Filename: "s.xlsx", Data: whoHAIWorkbook(t, "2016"), Country: "KEN"})
	if len(problemsWith(res.Problems, CodeOutOfScope)) != 1 || len(b.Availability) != 0 {
		t.Errorf("out of scope: %+v, %d rows", res.Problems, len(b.Availability))
	}
	data := []byte("Country:,KEN\nSurvey year:,2019\nMedicine,Public % availability,Public facilities surveyed\n" +
		"Morphine 10 mg tablet,120,30\nMorphine 10 mg tablet,50,3.5\nMorphine oral liquid 10 mg/5 ml,abc,30\n")
	res, _ = parseAvail(t, access.ParseInput{Filename: "s.csv", Data: data, Kind: access.KindAvailability})
	for _, c := range []string{CodeInvalidValue, CodeInvalidNumber, CodeDuplicate} {
		if len(problemsWith(res.Problems, c)) == 0 {
			t.Errorf("no %s problem: %+v", c, res.Problems)
		}
	}
	// No year anywhere.
	res, b = parseAvail(t, access.ParseInput{Filename: "s.csv", Kind: access.KindAvailability,
		Data: []byte("Country:,KEN\nMedicine,Public % availability\nMorphine 10 mg tablet,20\n")})
	if len(problemsWith(res.Problems, CodeMissingValue)) != 1 || len(b.Availability) != 0 {
		t.Errorf("no year: %+v", res.Problems)
	}
}

func TestCCSLong(t *testing.T) {
	res, b := parseAvail(t, access.ParseInput{Filename: "gho.csv", Data: fixture(t, "gho_ccs_long.csv")})
	if res.Kind != access.KindCCS || res.Layout != LayoutCCSLong {
		t.Fatalf("kind %q layout %q problems %+v", res.Kind, res.Layout, res.Problems)
	}
	want := []access.CCSRecord{
		{ISO3: "KEN", Year: 2019, Indicator: access.CCSIndicatorOralMorphine, Answer: access.CCSYes, Lineage: access.Lineage{Row: 2}},
		{ISO3: "KEN", Year: 2015, Indicator: access.CCSIndicatorOralMorphine, Answer: access.CCSNo, Lineage: access.Lineage{Row: 3}},
		{ISO3: "UGA", Year: 2019, Indicator: access.CCSIndicatorOralMorphine, Answer: access.CCSDontKnow, Lineage: access.Lineage{Row: 4}},
	}
	if !reflect.DeepEqual(b.CCS, want) {
		t.Errorf("records = %+v", b.CCS)
	}
	// Nigeria's blank answer is not reported; the NCD plan row is another
	// indicator.
	if w := problemsWith(res.Problems, CodeOtherIndicator); len(w) != 1 || len(problemsWith(res.Problems, CodeUnknownAnswer)) != 0 {
		t.Errorf("problems = %+v", res.Problems)
	}
	bad := strings.Replace(string(fixture(t, "gho_ccs_long.csv")), "UGA,Uganda", "XXX,Ugandaa", 1)
	bad = strings.Replace(bad, "2015,No", "2015,Maybe", 1)
	res, _ = parseAvail(t, access.ParseInput{Filename: "gho.csv", Data: []byte(bad), Kind: access.KindCCS})
	if len(problemsWith(res.Problems, CodeUnknownCountry)) != 1 || len(problemsWith(res.Problems, CodeUnknownAnswer)) != 1 {
		t.Errorf("problems = %+v", res.Problems)
	}
}

func TestCCSWide(t *testing.T) {
	res, b := parseAvail(t, access.ParseInput{Filename: "gho.csv", Data: fixture(t, "gho_ccs_wide.csv")})
	if res.Kind != access.KindCCS || res.Layout != LayoutCCSWide {
		t.Fatalf("kind %q layout %q problems %+v", res.Kind, res.Layout, res.Problems)
	}
	got := map[string]access.CCSAnswer{}
	for _, r := range b.CCS {
		got[r.ISO3+"/"+strconv.Itoa(r.Year)] = r.Answer
	}
	want := map[string]access.CCSAnswer{"KEN/2019": "yes", "KEN/2017": "yes", "KEN/2015": "no", "TZA/2019": "no",
		"TZA/2015": "dont_know", "IND/2019": "yes", "IND/2017": "no"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("answers = %v", got)
	}
	for _, p := range res.Problems {
		t.Errorf("problem: %+v", p)
	}
	// Row by row, the year columns left to right, every run.
	var order []string
	for _, r := range b.CCS {
		order = append(order, r.ISO3+"/"+strconv.Itoa(r.Year))
	}
	if want := []string{"KEN/2019", "KEN/2017", "KEN/2015", "TZA/2019", "TZA/2015", "IND/2019", "IND/2017"}; !reflect.DeepEqual(order, want) {
		t.Errorf("records in the order %v, want %v", order, want)
	}
}

// A consumption table that lists morphine is not a country-capacity table.
func TestConsumptionIsNotTakenForCCS(t *testing.T) {
	res, b := parseAvail(t, access.ParseInput{Filename: "c.csv", Data: []byte("Country,Year,Drug,Consumption (kg)\nKEN,2019,morphine,1000\nKEN,2019,morphine oral solution availability,1\n")})
	if res.Kind != access.KindConsumption || len(b.Consumption) != 1 || len(b.CCS) != 0 {
		t.Errorf("kind %q, %d consumption, %d ccs", res.Kind, len(b.Consumption), len(b.CCS))
	}
}

// The templates a ministry fills in import as they are.
func TestAvailabilityTemplatesRoundTrip(t *testing.T) {
	tpl, err := Template(access.KindAvailability)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(tpl))
	if err != nil {
		t.Fatal(err)
	}
	for cell, v := range map[string]string{"B3": "KEN", "B4": "2021", "B6": "MSH", "B7": "2019", "B8": "KES", "B9": "300",
		"B13": "40", "C13": "1.2", "D13": "25", "E13": "6", "F13": "15"} {
		if err := f.SetCellValue("Survey", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := f.GetCellValue("Survey", "A13"); v != access.MedicinesV1.Medicines[0].Name {
		t.Fatalf("A13 = %q", v)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	res, b := parseAvail(t, access.ParseInput{Filename: "t.xlsx", Data: buf.Bytes(), Country: "KEN"})
	for _, p := range res.Problems {
		if p.Severity == access.SeverityError {
			t.Errorf("problem: %+v", p)
		}
	}
	// Cells were typed as text ("40"): public 40 %, MPR 1.2, 25 facilities,
	// unit price 6; private 15 %.
	if len(b.Availability) != 2 {
		t.Fatalf("rows = %+v", b.Availability)
	}
	p := b.Availability[0]
	if p.Sector != access.SectorPublic || *p.AvailabilityPct != 40 || *p.MedianPriceRatio != 1.2 || *p.FacilitiesSurveyed != 25 ||
		*p.MedianUnitPrice != 6 || *p.DailyWage != 300 || p.PriceReferenceYear != 2019 || p.Year != 2021 || p.ISO3 != "KEN" {
		t.Errorf("public row = %+v", p)
	}

	tpl, err = Template(access.KindCCS)
	if err != nil {
		t.Fatal(err)
	}
	if f, err = excelize.OpenReader(bytes.NewReader(tpl)); err != nil {
		t.Fatal(err)
	}
	_ = f.SetCellValue("Country capacity", "A4", "KEN")
	_ = f.SetCellValue("Country capacity", "B4", 2019)
	_ = f.SetCellValue("Country capacity", "C4", "don't know")
	buf.Reset()
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	res, b = parseAvail(t, access.ParseInput{Filename: "t.xlsx", Data: buf.Bytes()})
	if res.Kind != access.KindCCS || len(b.CCS) != 1 || b.CCS[0].Answer != access.CCSDontKnow || b.CCS[0].Lineage.Row != 4 {
		t.Errorf("ccs template: kind %q records %+v problems %+v", res.Kind, b.CCS, res.Problems)
	}
}

func FuzzAvailabilityCSV(f *testing.F) {
	for _, name := range []string{"who_hai_summary.csv", "gho_ccs_long.csv", "gho_ccs_wide.csv"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("Medicine,Public availability\nMorphine 10 mg tab,0.5\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, "f.csv", data) })
}

// The GHO's older CSV export names columns "GHO (CODE)", "YEAR (DISPLAY)",
// "COUNTRY (CODE)" and "Display Value".
func TestCCSLongGHOClassicExport(t *testing.T) {
	data := "GHO (CODE),GHO (DISPLAY),PUBLISHSTATE (CODE),YEAR (DISPLAY),REGION (CODE),COUNTRY (CODE),COUNTRY (DISPLAY),Display Value\n" +
		"NCD_CCS_OralMorphine,General availability of oral morphine in public primary care facilities,PUBLISHED,2017,AFR,KEN,Kenya,No\n" +
		"NCD_CCS_OralMorphine,General availability of oral morphine in public primary care facilities,PUBLISHED,2017,SEAR,IND,India,Don't know\n"
	res, b := parseAvail(t, access.ParseInput{Filename: "gho.csv", Data: []byte(data)})
	if res.Kind != access.KindCCS || len(b.CCS) != 2 || b.CCS[0].ISO3 != "KEN" || b.CCS[0].Year != 2017 || b.CCS[0].Answer != access.CCSNo ||
		b.CCS[1].Answer != access.CCSDontKnow {
		t.Errorf("kind %q records %+v problems %+v", res.Kind, b.CCS, res.Problems)
	}
}
