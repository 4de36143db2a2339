package reports

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/reliefgap/reliefgap/internal/access"
)

// packFactors are small version-1 factor tables with the published values
// of the tables seeded by migration (PPSG morphine equivalence, INCB S-DDD,
// the benchmark of 256 mg ME per person) and the cancer-hiv need model:
// neoplasms 0.6 × 100 mg × 100 days = 6,000 mg ME per death, hiv-aids
// 0.5 × 75 mg × 90 days = 3,375 mg ME per death.
func packFactors() ([]access.FactorTable, access.FactorSet) {
	rows := func(kv ...any) []access.FactorRow {
		var rs []access.FactorRow
		for i := 0; i < len(kv); i += 2 {
			rs = append(rs, access.FactorRow{Key: kv[i].(string), Value: kv[i+1].(float64)})
		}
		return rs
	}
	fs := access.FactorSet{
		SDDD: access.FactorTable{Name: access.TableSDDD, Version: 1, Kind: access.KindSDDD, Title: "S-DDD",
			Source: "INCB technical report", Confidence: "U", Rows: rows("morphine", 100.0, "fentanyl", 0.6, "oxycodone", 75.0)},
		ME: access.FactorTable{Name: access.TablePPSG, Version: 1, Kind: access.KindMorphineEquivalence, Title: "Morphine equivalence",
			Source: "Pain & Policy Studies Group", Confidence: "U", Rows: rows("morphine", 1.0, "fentanyl", 83.3, "oxycodone", 1.33)},
		Basket: access.FactorTable{Name: access.TablePainBasket, Version: 1, Kind: access.KindBasket, Title: "Opioids for pain",
			Confidence: "V", Rows: []access.FactorRow{{Key: "fentanyl"}, {Key: "morphine"}, {Key: "oxycodone"}}},
		INCBBands: access.FactorTable{Name: access.TableINCBBands, Version: 1, Kind: access.KindBands, Title: "INCB adequacy",
			Rows: rows("very inadequate", 0.0, "inadequate", 100.0, "200 and above", 200.0)},
		BenchmarkBands: access.FactorTable{Name: access.TableBenchmarkBands, Version: 1, Kind: access.KindBands, Title: "Benchmark bands",
			Rows: rows("extremely low", 0.0, "very low", 3.16, "low", 10.0, "moderate", 31.6, "adequate", 100.0)},
		BenchmarkRef: access.FactorTable{Name: access.TableBenchmarkRef, Version: 1, Kind: access.KindReference, Title: "Benchmark",
			Source: "Scholten et al., AJPH 2019", Confidence: "V", Rows: rows(access.BenchmarkRefKey, 256.0)},
		ACMBands: access.FactorTable{Name: access.TableACMBands, Version: 1, Kind: access.KindBands, Title: "ACM bands",
			Rows: rows("virtually none", 0.0, "very low", 0.03, "low", 0.1, "moderate", 0.3, "adequate", 1.0)},
		Need: []access.FactorTable{{Name: access.ModelCancerHIV, Version: 1, Kind: access.KindNeedModel, Title: "Cancer and HIV",
			Source: "Stjernswärd et al. 2007", Confidence: "V", Rows: []access.FactorRow{
				{Key: access.CauseNeoplasms, Share: 0.6, MgPerDay: 100, Days: 100},
				{Key: access.CauseHIV, Share: 0.5, MgPerDay: 75, Days: 90, Assumption: true, Note: "an assumption"},
			}},
			// A second model, side by side: 0.8 × 90 mg × 100 days = 7,200 mg per cancer death.
			{Name: "cancer-only", Version: 2, Kind: access.KindNeedModel, Title: "Cancer only", Confidence: "U", Rows: []access.FactorRow{
				{Key: access.CauseNeoplasms, Share: 0.8, MgPerDay: 90, Days: 100},
			}}},
	}
	all := []access.FactorTable{fs.SDDD, fs.ME, fs.Basket, fs.INCBBands, fs.BenchmarkBands, fs.BenchmarkRef, fs.ACMBands, fs.Need[0], fs.Need[1]}
	return all, fs
}

// packInputs are three countries, 2019–2021. XAA (named to inject a
// formula) consumes 10 kg of morphine a year and, in 2021, 12 g of
// fentanyl, among 2,000,000 people; in 2021 it has 5,000 cancer and 200
// HIV deaths and estimated 15 kg of morphine.
func packInputs() []access.CountryInputs {
	var out []access.CountryInputs
	lin := func(id int64, sheet string, row int) access.Lineage {
		return access.Lineage{UploadID: id, Sheet: sheet, Row: row}
	}
	for _, c := range []struct {
		iso, name, region, income string
		morphineG, pop            float64
	}{
		{"XAA", maliciousName, "AFR", "LIC", 10_000, 2_000_000},
		{"XBB", "Beta", "AFR", "LMC", 400_000, 5_000_000},
		{"XCC", "Gamma", "EUR", "HIC", 3_000_000, 1_000_000},
	} {
		in := access.CountryInputs{Country: access.Country{ISO3: c.iso, Name: c.name, WHORegion: c.region, IncomeGroup: c.income}}
		for y := 2019; y <= 2021; y++ {
			in.Population = append(in.Population, access.Population{ISO3: c.iso, Year: y, Persons: c.pop, Lineage: lin(2, "Population", y-2000)})
			in.Consumption = append(in.Consumption, access.Consumption{ISO3: c.iso, Year: y, Drug: "morphine", Grams: access.F(c.morphineG), Lineage: lin(1, "=Form C", y-2000)})
		}
		if c.iso == "XAA" {
			in.Consumption = append(in.Consumption, access.Consumption{ISO3: c.iso, Year: 2021, Drug: "fentanyl", Grams: access.F(12), Lineage: lin(1, "=Form C", 30)})
			in.Deaths = append(in.Deaths,
				access.Deaths{ISO3: c.iso, Year: 2021, Cause: access.CauseNeoplasms, Deaths: 5000, Lineage: lin(3, "Deaths", 4)},
				access.Deaths{ISO3: c.iso, Year: 2021, Cause: access.CauseHIV, Deaths: 200, Lineage: lin(3, "Deaths", 5)})
			in.Estimates = append(in.Estimates, access.Estimate{ISO3: c.iso, Year: 2021, Drug: "morphine", Kind: access.EstimateAnnual,
				Status: access.EstimateConfirmed, Total: access.F(15_000), Lineage: lin(4, "Form B", 7)})
		}
		out = append(out, in)
	}
	return out
}

func packMeta() Meta {
	return Meta{DataVersion: 42, DataAsOf: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Licence: "CC BY 4.0"}
}

func packSources() []Source {
	return []Source{
		{UploadID: 1, Kind: "consumption", Filename: "=HYPERLINK(\"x\").xlsx", SHA256: "ab12", ReceivedAt: time.Date(2025, 12, 1, 9, 30, 0, 0, time.UTC),
			Role: "admin", Source: "INCB", Licence: "INCB terms of use", Citation: "INCB. Narcotic Drugs 2023."},
		{UploadID: 2, Kind: "population", Filename: "wpp.csv", SHA256: "cd34", ReceivedAt: time.Date(2025, 12, 2, 9, 30, 0, 0, time.UTC), Role: "admin"},
	}
}

func packCountryReport() CountryReport {
	all, fs := packFactors()
	g := access.ComputeCountry(packInputs()[0], fs, "", 2019, 2021)
	return CountryReport{Meta: packMeta(), Gaps: g, Factors: all, Sources: packSources()}
}

func packWorldReport(t *testing.T) GroupReport {
	all, fs := packFactors()
	var gaps []access.CountryGaps
	for _, in := range packInputs() {
		gaps = append(gaps, access.ComputeCountry(in, fs, "", 2016, 2021))
	}
	g := access.Aggregate(access.GroupWorld, access.WorldCode, 2021, gaps)
	g.WorldSharePct = access.WorldShare(g, g)
	rows, m, err := access.Rank(gaps, access.RankQuery{Year: 2021})
	if err != nil {
		t.Fatal(err)
	}
	return GroupReport{Meta: packMeta(), Group: g, Ranking: rows, Methods: *m, Factors: all, Sources: packSources()}
}

// readRaw returns every sheet's raw cell values (numbers unformatted).
func readRaw(t *testing.T, b []byte) (*excelize.File, map[string][][]string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	got := map[string][][]string{}
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		got[name] = rows
	}
	return f, got
}

// countCharts counts the chart parts of a workbook.
func countCharts(t *testing.T, b []byte) int {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range z.File {
		if strings.HasPrefix(f.Name, "xl/charts/chart") {
			n++
		}
	}
	return n
}

// saveForCheck keeps a generated workbook in $RELIEFGAP_REPORTS_OUT, where
// scripts/check-workbooks.sh re-opens it with openpyxl and LibreOffice.
func saveForCheck(t *testing.T, name string, b []byte) {
	dir := os.Getenv("RELIEFGAP_REPORTS_OUT")
	if dir == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCountryReportXLSX(t *testing.T) {
	r := packCountryReport()
	b, err := CountryReportXLSX(r)
	if err != nil {
		t.Fatal(err)
	}
	saveForCheck(t, "country-report.xlsx", b)
	f, got := readRaw(t, b)
	want := []string{SheetSummary, SheetTrend, SheetDrugs, SheetEstimates, SheetMethodology, SheetSources}
	if !reflect.DeepEqual(f.GetSheetList(), want) {
		t.Fatalf("sheets = %q, want %q", f.GetSheetList(), want)
	}
	checkGolden(t, "country-report.golden.json", got)

	// 2021: ME = 10,000 g × 1000 × 1 + 12 g × 1000 × 83.3 = 10,999,600 mg;
	// per person ÷ 2,000,000 = 5.4998. Need = 5,000 × 6,000 + 200 × 3,375
	// = 30,675,000 mg; met 100 × 10,999,600 ÷ 30,675,000 = 35.8585...%;
	// gap 19,675,400 mg = 19.6754 kg; need per person 15.3375.
	trend := got[SheetTrend]
	row := trend[len(trend)-1]
	if row[0] != "2021" || row[2] != "5.4998" || row[3] != "15.3375" || row[4] != "256" || row[11] != "19.6754" {
		t.Errorf("Trend 2021 = %q", row)
	}
	// Need models side by side on the Summary: cancer-only needs 5,000 ×
	// 7,200 = 36,000,000 mg; 10,999,600 ÷ 36,000,000 = 30.5544...%.
	found := false
	for _, row := range got[SheetSummary] {
		if len(row) > 1 && row[0] == "Need met, need model cancer-only v2" {
			found = row[1] == "30.5544444444444"
		}
	}
	if !found {
		t.Error("the Summary lacks need met under cancer-only (30.5544...%)")
	}
	assertText(t, f, SheetSummary, "B4", maliciousName)
	assertText(t, f, SheetSources, "C5", "=HYPERLINK(\"x\").xlsx")
	if v, _ := f.GetCellValue(SheetTrend, "C7", excelize.Options{RawCellValue: true}); v != "5.4998" {
		t.Errorf("Trend!C7 holds %q, want 5.4998 in full", v)
	}
	if v, _ := f.GetCellValue(SheetTrend, "C7"); v != "5.50" {
		t.Errorf("Trend!C7 shows %q, want 5.50 (number format #,##0.00)", v)
	}
	if n := countCharts(t, b); n != 2 {
		t.Errorf("%d charts, want 2 (Trend and Drugs)", n)
	}
	props, err := f.GetDocProps()
	if err != nil || props.Title != r.Title() || props.Creator != "reliefgap" {
		t.Errorf("doc props = %+v, %v", props, err)
	}
	if p, err := f.GetPanes(SheetTrend); err != nil || !p.Freeze || p.YSplit != 4 {
		t.Errorf("Trend panes = %+v, %v", p, err)
	}
	if dn := f.GetDefinedName(); len(dn) == 0 {
		t.Error("no print titles")
	}
}

func TestWorldReportXLSX(t *testing.T) {
	r := packWorldReport(t)
	b, err := GroupReportXLSX(r)
	if err != nil {
		t.Fatal(err)
	}
	saveForCheck(t, "world-report.xlsx", b)
	f, got := readRaw(t, b)
	want := []string{SheetRanking, SheetAggregates, SheetMethodology, SheetSources}
	if !reflect.DeepEqual(f.GetSheetList(), want) {
		t.Fatalf("sheets = %q, want %q", f.GetSheetList(), want)
	}
	checkGolden(t, "world-report.golden.json", got)

	// Per person in 2021: XCC 3,000,000 g × 1000 ÷ 1,000,000 = 3,000 mg;
	// XBB 400,000 g × 1000 ÷ 5,000,000 = 80; XAA 5.4998. So the ranking
	// is XCC, XBB, XAA.
	rk := got[SheetRanking]
	for i, want := range []string{"XCC", "XBB", "XAA"} {
		if r := rk[rankingHeadRow+i]; r[0] != []string{"1", "2", "3"}[i] || r[1] != want {
			t.Errorf("ranking row %d = %q, want rank %d %s", i+1, r, i+1, want)
		}
	}
	assertText(t, f, SheetRanking, "C7", maliciousName)
	cf, err := f.GetConditionalFormats(SheetRanking)
	if err != nil || len(cf) != 2 {
		t.Errorf("conditional formats = %v, %v; want the two band columns", cf, err)
	}
	if p, err := f.GetPanes(SheetRanking); err != nil || !p.Freeze || p.YSplit != rankingHeadRow {
		t.Errorf("Ranking panes = %+v, %v", p, err)
	}
	// Aggregates: population 2e6 + 5e6 + 1e6 = 8,000,000; mg ME per
	// person (10,999,600 + 4e8 + 3e9) ÷ 8e6 = 426.37495.
	if v, _ := f.GetCellValue(SheetAggregates, "B15", excelize.Options{RawCellValue: true}); v != "8000000" {
		t.Errorf("Aggregates population = %q, want 8000000", v)
	}
	if v, _ := f.GetCellValue(SheetAggregates, "B17", excelize.Options{RawCellValue: true}); v != "426.37495" {
		t.Errorf("Aggregates mg ME per person = %q, want 426.37495", v)
	}
	if n := countCharts(t, b); n != 1 {
		t.Errorf("%d charts, want 1 (Aggregates)", n)
	}
}

func TestDataSetXLSX(t *testing.T) {
	all, fs := packFactors()
	var gs []access.CountryGaps
	for _, in := range packInputs() {
		gs = append(gs, access.ComputeCountry(in, fs, "", 0, 0))
	}
	d := DataSet{Meta: packMeta(), Countries: gs, Factors: all, Sources: packSources()}
	b, err := DataSetXLSX(d)
	if err != nil {
		t.Fatal(err)
	}
	saveForCheck(t, "dataset.xlsx", b)
	f, got := readRaw(t, b)
	want := []string{SheetData, SheetDrugs, SheetDictionary, SheetMethodology, SheetSources}
	if !reflect.DeepEqual(f.GetSheetList(), want) {
		t.Fatalf("sheets = %q, want %q", f.GetSheetList(), want)
	}
	// 3 countries × 2019–2021, under one header; XAA's 2021 drugs are
	// fentanyl and morphine, the others' morphine alone: 3 + 3 + 3 + 1 rows.
	if n := len(got[SheetData]); n != 1+9 {
		t.Errorf("Data has %d rows, want 10", n)
	}
	if n := len(got[SheetDrugs]); n != 1+10 {
		t.Errorf("Drugs has %d rows, want 11", n)
	}
	assertText(t, f, SheetData, "B2", maliciousName)
	if v := got[SheetData][3]; v[0] != "XAA" || v[4] != "2021" || v[7] != "5.4998" {
		t.Errorf("Data row 4 = %q", v)
	}
	// The first sheet is active and the only one selected.
	if i := f.GetActiveSheetIndex(); i != 0 {
		t.Errorf("active sheet %d, want 0", i)
	}
	if sel := selectedSheets(t, b); !reflect.DeepEqual(sel, []string{"xl/worksheets/sheet1.xml"}) {
		t.Errorf("selected sheets %q, want the first (Data) alone", sel)
	}
	var buf bytes.Buffer
	if err := DataSetCSV(&buf, d); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n != 10 {
		t.Errorf("gaps.csv has %d lines, want 10", n)
	}
}

func TestWithoutDetail(t *testing.T) {
	_, fs := packFactors()
	var gs []access.CountryGaps
	for _, in := range packInputs() {
		gs = append(gs, access.ComputeCountry(in, fs, "", 0, 0))
	}
	y := gs[0].Years[0]
	if len(y.Lineage) == 0 || len(y.NeedModels) == 0 {
		t.Fatalf("the inputs give no lineage or need_models: %+v", y)
	}
	out := withoutDetail(gs)
	for _, g := range out {
		for _, y := range g.Years {
			if y.Lineage != nil || y.NeedModels != nil || y.NeedMetPctRange != nil {
				t.Fatalf("%s %d keeps its detail", g.Country.ISO3, y.Year)
			}
		}
	}
	if got := out[0].Years[0]; got.Year != y.Year || got.MEMg != y.MEMg || !reflect.DeepEqual(got.Flags, y.Flags) {
		t.Errorf("figures changed: %+v", got)
	}
	// The input may be GapService's kept slice: it is left as it was.
	if !reflect.DeepEqual(gs[0].Years[0], y) {
		t.Error("withoutDetail changed its input")
	}
}

// selectedSheets lists the worksheet parts of the xlsx b whose view is
// selected (tabSelected).
func selectedSheets(t *testing.T, b []byte) []string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var sel []string
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/sheet") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		x, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(x, []byte(`tabSelected="true"`)) || bytes.Contains(x, []byte(`tabSelected="1"`)) {
			sel = append(sel, zf.Name)
		}
	}
	sort.Strings(sel)
	return sel
}
