package reports

import (
	"fmt"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/reliefgap/reliefgap/internal/access"
)

// CountryReport is everything the country report pack shows. It is plain
// domain values: the caller reads them from wherever they are kept.
type CountryReport struct {
	Meta Meta
	// Gaps is the country's figures under the chosen need model.
	Gaps access.CountryGaps
	// Factors are the factor tables; those named by Gaps.Methods are shown.
	Factors []access.FactorTable
	// Glossary explains flags and bands; nil for DefaultGlossary(Factors).
	Glossary []GlossaryEntry
	// Sources are the uploads behind the figures.
	Sources []Source
}

// Title is the report's title.
func (r CountryReport) Title() string {
	c := r.Gaps.Country
	span := ""
	if n := len(r.Gaps.Years); n > 0 {
		span = fmt.Sprintf(", %d–%d", r.Gaps.Years[0].Year, r.Gaps.Years[n-1].Year)
	}
	return fmt.Sprintf("Opioid analgesic consumption and need: %s (%s)%s", c.Name, c.ISO3, span)
}

// CountryReportXLSX renders the country report pack: Summary, Trend (with
// a line chart), Drugs (with a stacked column chart), Estimates,
// Methodology and Sources.
func CountryReportXLSX(r CountryReport) (_ []byte, err error) {
	defer wrap(&err, "reports.CountryReportXLSX(%q)", r.Gaps.Country.ISO3)
	b, err := newBook()
	if err != nil {
		return nil, err
	}
	tables := usedTables(r.Gaps.Methods, r.Factors)
	glossary := r.Glossary
	if glossary == nil {
		glossary = DefaultGlossary(tables)
	}
	title := r.Title()
	writeCountrySummary(b, r, title, glossary)
	writeTrend(b, r)
	writeDrugs(b, r.Gaps)
	writeEstimates(b, r.Gaps)
	writeMethodology(b, r.Gaps.Methods, tables, glossary)
	writeSources(b, title, r.Meta, r.Sources)
	return b.finish(title, "Consumption of opioid analgesics against medical need, "+r.Gaps.Country.Name,
		"opioids; morphine equivalent; S-DDD; palliative care; "+r.Gaps.Country.ISO3, r.Meta)
}

// latestYear is the last year with consumption per person, else the last.
func latestYear(g access.CountryGaps) *access.YearGaps {
	for i := len(g.Years) - 1; i >= 0; i-- {
		if g.Years[i].MEMgPerCapita != nil {
			return &g.Years[i]
		}
	}
	if n := len(g.Years); n > 0 {
		return &g.Years[n-1]
	}
	return nil
}

func num(v *float64, prec int) string {
	if v == nil {
		return "not available"
	}
	return fmt.Sprintf("%.*f", prec, *v)
}

func str(s *string) string {
	if s == nil {
		return "not available"
	}
	return *s
}

func modelName(m access.Methods) string {
	if m.NeedModel == nil {
		return "not available"
	}
	return fmt.Sprintf("%s, version %d", m.NeedModel.Name, m.NeedModel.Version)
}

func writeCountrySummary(b *book, r CountryReport, title string, glossary []GlossaryEntry) {
	w := b.sheet(SheetSummary)
	st := b.st
	g := r.Gaps
	c := g.Country
	w.title(title, "Morphine-equivalent consumption of opioid analgesics against the medical need for them, from INCB consumption statistics, population and deaths.")
	w.pair("Country", c.Name, st.text)
	w.pair("ISO3 code", c.ISO3, st.text)
	w.pair("WHO region", c.WHORegion, st.text)
	w.pair("World Bank income group", c.IncomeGroup, st.text)
	w.pair("Data version", r.Meta.DataVersion, st.integer)
	w.pair("Data as of", when(r.Meta.DataAsOf), st.text)
	w.pair("Generated", when(r.Meta.Generated), st.text)
	w.pair("Need model", modelName(g.Methods), st.text)
	y := latestYear(g)
	if y == nil {
		w.row++
		w.line([]any{"No figures for this country in the years asked for."}, st.note)
		w.widths(34, 18, 26, 90)
		b.printSetup(SheetSummary, 0)
		return
	}
	w.row++
	w.line([]any{fmt.Sprintf("Headline figures, %d", y.Year)}, st.subtitle)
	w.header("Figure", "Value", "Unit", "In words")
	ref := benchmarkRef(r.Factors, g.Methods)
	lines := []struct {
		what  string
		v     any
		style int
		unit  string
		words string
	}{
		{"Consumption per person", y.MEMgPerCapita, st.dec2, "mg ME per person a year",
			fmt.Sprintf("In %d, %s mg of morphine equivalent per person was consumed", y.Year, num(y.MEMgPerCapita, 2))},
		{"S-DDD per million inhabitants per day", y.SDDDPerMillionPerDay, st.dec1, "S-DDD per million per day",
			fmt.Sprintf("%s defined daily doses for statistical purposes per million inhabitants per day", num(y.SDDDPerMillionPerDay, 1))},
		{"INCB adequacy band", y.Adequacy, st.text, "band of the 3-year average",
			fmt.Sprintf("Consumption is %q by INCB's bands", str(y.Adequacy))},
		{"Need met", y.NeedMetPct, st.pct, "% of need",
			fmt.Sprintf("Consumption met %s%% of the estimated medical need", num(y.NeedMetPct, 1))},
		{"Gap", y.MorphineKgToCloseGap, st.dec1, "kg of morphine",
			fmt.Sprintf("%s kg of morphine would have been needed to close the gap", num(y.MorphineKgToCloseGap, 1))},
		{"Benchmark index", y.BenchmarkIndex, st.dec1, "reference = 100",
			fmt.Sprintf("Consumption is %s%% of the benchmark of %s mg ME per person", num(y.BenchmarkIndex, 1), num(ref, 0))},
		{"Benchmark band", y.BenchmarkBand, st.text, "band", fmt.Sprintf("Band %q", str(y.BenchmarkBand))},
		{"Estimate coverage of need", y.EstimateNeedCoveragePct, st.pct, "% of need",
			fmt.Sprintf("The Form B estimate covers %s%% of the need", num(y.EstimateNeedCoveragePct, 1))},
	}
	for _, l := range lines {
		w.line([]any{l.what, l.v, l.unit, l.words}, st.text, l.style, st.text, st.wrap)
	}
	// Every need model side by side, headline first.
	for _, m := range g.Methods.NeedModels {
		nf, ok := y.NeedModels[m.Name]
		if !ok {
			continue
		}
		w.line([]any{fmt.Sprintf("Need met, need model %s v%d", m.Name, m.Version), nf.NeedMetPct, "% of need",
			fmt.Sprintf("Under this need model, need was %s mg ME and %s%% of it was met", num(nf.NeedMEMg, 0), num(nf.NeedMetPct, 1))},
			st.text, st.pct, st.text, st.wrap)
	}
	w.row++
	w.line([]any{fmt.Sprintf("Flags, %d", y.Year)}, st.subtitle)
	if len(y.Flags) == 0 {
		w.line([]any{"None: every figure could be computed from reported data."}, st.note)
	}
	for _, f := range y.Flags {
		w.line([]any{f, flagPhrase(f, glossary)}, st.text, st.wrap)
	}
	w.row++
	w.line([]any{"Methods"}, st.subtitle)
	m := g.Methods
	for _, x := range []struct {
		what string
		ref  access.Ref
	}{
		{"Morphine equivalence", m.ME}, {"S-DDD", m.SDDD}, {"S-DDD basket", m.Basket},
		{"INCB adequacy bands", m.INCBBands}, {"Benchmark bands", m.BenchmarkBands},
		{"Benchmark reference", m.BenchmarkReference},
	} {
		w.line([]any{x.what, fmt.Sprintf("%s, version %d", x.ref.Name, x.ref.Version)}, st.text, st.text)
	}
	w.line([]any{"Need model", modelName(m)}, st.text, st.text)
	w.row++
	illustrative := "No: every input is published data."
	for _, yy := range g.Years {
		if slices.Contains(yy.Flags, access.FlagIllustrative) {
			illustrative = "Yes: some figures use illustrative demonstration data (flag " + access.FlagIllustrative + "); do not quote them."
			break
		}
	}
	w.pair("Illustrative inputs", illustrative, st.wrap)
	w.widths(34, 18, 26, 90)
	b.printSetup(SheetSummary, 0)
}

// benchmarkRef is the benchmark reference, mg ME per person.
func benchmarkRef(all []access.FactorTable, m access.Methods) *float64 {
	t, ok := table(all, m.BenchmarkReference)
	if !ok {
		return nil
	}
	v, ok := t.Value(access.BenchmarkRefKey)
	if !ok {
		return nil
	}
	return &v
}

// needPerCapita is need_me_mg ÷ population, nil without either.
func needPerCapita(y access.YearGaps) *float64 {
	if y.NeedMEMg == nil || y.Population == nil || *y.Population <= 0 {
		return nil
	}
	v := *y.NeedMEMg / *y.Population
	return &v
}

// trendColumns are the columns of the Trend sheet (and the headline
// columns of the data set); the first three after Year are charted.
func trendColumns(st styles, ref *float64) []column2 {
	return []column2{
		{"Year", 0, func(y access.YearGaps) any { return y.Year }},
		{"Population (persons)", st.integer, func(y access.YearGaps) any { return y.Population }},
		{"Consumption (mg ME per person)", st.dec2, func(y access.YearGaps) any { return y.MEMgPerCapita }},
		{"Need (mg ME per person)", st.dec2, func(y access.YearGaps) any { return needPerCapita(y) }},
		{"Benchmark reference (mg ME per person)", st.dec1, func(y access.YearGaps) any { return ref }},
		{"S-DDD per million per day", st.dec1, func(y access.YearGaps) any { return y.SDDDPerMillionPerDay }},
		{"S-DDD per million per day, 3-year average", st.dec1, func(y access.YearGaps) any { return y.SDDD3YrAvg }},
		{"INCB adequacy band", st.text, func(y access.YearGaps) any { return y.Adequacy }},
		{"Benchmark index (reference = 100)", st.dec1, func(y access.YearGaps) any { return y.BenchmarkIndex }},
		{"Benchmark band", st.text, func(y access.YearGaps) any { return y.BenchmarkBand }},
		{"Need met (%)", st.pct, func(y access.YearGaps) any { return y.NeedMetPct }},
		{"Gap (kg morphine)", st.dec1, func(y access.YearGaps) any { return y.MorphineKgToCloseGap }},
		{"Estimate coverage of need (%)", st.pct, func(y access.YearGaps) any { return y.EstimateNeedCoveragePct }},
		{"Estimate utilization (%)", st.pct, func(y access.YearGaps) any { return y.EstimateUtilizationPct }},
		{"Flags", st.wrap, func(y access.YearGaps) any { return strings.Join(y.Flags, FlagSeparator) }},
	}
}

// column2 is a report column: a header with its unit, a style and a value.
type column2 struct {
	head  string
	style int
	value func(access.YearGaps) any
}

func writeTrend(b *book, r CountryReport) {
	w := b.sheet(SheetTrend)
	st := b.st
	g := r.Gaps
	w.title("Trend: "+g.Country.Name, "Headline figures per year. ME = morphine equivalent. An empty cell is a figure that cannot be computed; the Flags column says why.")
	cols := trendColumns(st, benchmarkRef(r.Factors, g.Methods))
	heads := make([]string, len(cols))
	for i, c := range cols {
		heads[i] = c.head
	}
	w.header(heads...)
	headRow := w.row
	for _, y := range g.Years {
		w.row++
		for i, c := range cols {
			w.put(i+1, w.row, c.value(y), c.style)
		}
	}
	w.widths(8, 14, 16, 16, 16, 14, 16, 16, 14, 14, 10, 12, 14, 14, 50)
	w.freeze(headRow, 1)
	b.printSetup(SheetTrend, headRow)
	if len(g.Years) == 0 || b.err != nil {
		return
	}
	first, last := headRow+1, w.row
	var series []excelize.ChartSeries
	for col := 3; col <= 5; col++ {
		series = append(series, excelize.ChartSeries{
			Name:       cellRef(SheetTrend, col, headRow),
			Categories: ref(SheetTrend, 1, first, 1, last),
			Values:     ref(SheetTrend, col, first, col, last),
			Marker:     excelize.ChartMarker{Symbol: "circle", Size: 5},
		})
	}
	anchor, _ := excelize.CoordinatesToCellName(1, last+3)
	b.err = b.f.AddChart(SheetTrend, anchor, &excelize.Chart{
		Type:         excelize.Line,
		Series:       series,
		Title:        excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Consumption against need and benchmark, mg ME per person"}}},
		Legend:       excelize.ChartLegend{Position: "bottom"},
		YAxis:        excelize.ChartAxis{Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "mg ME per person"}}}},
		Dimension:    excelize.ChartDimension{Width: 820, Height: 360},
		ShowBlanksAs: "gap",
	})
}

// drugOrder is the drugs of g in order of first appearance.
func drugOrder(g access.CountryGaps) []string {
	var out []string
	for _, y := range g.Years {
		for _, d := range y.Drugs {
			if !slices.Contains(out, d.Drug) {
				out = append(out, d.Drug)
			}
		}
	}
	return out
}

func writeDrugs(b *book, g access.CountryGaps) {
	w := b.sheet(SheetDrugs)
	st := b.st
	w.title("Consumption by drug: "+g.Country.Name, "Kilograms of anhydrous base, milligrams of morphine equivalent (ME) and S-DDDs (defined daily doses for statistical purposes).")
	w.header("Year", "Drug", "Consumption (kg base)", "Consumption (mg ME)", "Consumption (S-DDD)")
	headRow := w.row
	for _, y := range g.Years {
		for _, d := range y.Drugs {
			w.line([]any{y.Year, d.Drug, d.Kg, d.MEMg, d.SDDD}, 0, st.text, st.dec2, st.integer, st.integer)
		}
	}
	// Beside the table, ME per year and drug for the stacked chart.
	drugs := drugOrder(g)
	const pc = 7 // column G
	w.put(pc, headRow-1, "Morphine equivalent by drug (mg ME)", st.subtitle)
	w.put(pc, headRow, "Year", st.header)
	for j, d := range drugs {
		w.put(pc+1+j, headRow, d, st.header)
	}
	for i, y := range g.Years {
		r := headRow + 1 + i
		w.put(pc, r, y.Year, 0)
		for _, d := range y.Drugs {
			j := slices.Index(drugs, d.Drug)
			w.put(pc+1+j, r, d.MEMg, st.integer)
		}
	}
	w.widths(8, 16, 14, 16, 14, 4, 8)
	for j := range drugs {
		c, _ := excelize.ColumnNumberToName(pc + 1 + j)
		if b.err == nil {
			b.err = b.f.SetColWidth(SheetDrugs, c, c, 14)
		}
	}
	w.freeze(headRow, 0)
	b.printSetup(SheetDrugs, headRow)
	// Only drugs with an ME figure are charted; the rest have none.
	var series []excelize.ChartSeries
	last := headRow + len(g.Years)
	for j, d := range drugs {
		hasME := false
		for _, y := range g.Years {
			for _, x := range y.Drugs {
				hasME = hasME || x.Drug == d && x.MEMg != nil
			}
		}
		if !hasME {
			continue
		}
		series = append(series, excelize.ChartSeries{
			Name:       cellRef(SheetDrugs, pc+1+j, headRow),
			Categories: ref(SheetDrugs, pc, headRow+1, pc, last),
			Values:     ref(SheetDrugs, pc+1+j, headRow+1, pc+1+j, last),
		})
	}
	if len(series) == 0 || b.err != nil {
		return
	}
	anchor, _ := excelize.CoordinatesToCellName(pc, last+3)
	b.err = b.f.AddChart(SheetDrugs, anchor, &excelize.Chart{
		Type:      excelize.ColStacked,
		Series:    series,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Morphine equivalent by drug, mg ME"}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		YAxis:     excelize.ChartAxis{Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "mg ME"}}}},
		Dimension: excelize.ChartDimension{Width: 720, Height: 360},
	})
}

// pctOf is 100 × a ÷ b, nil without either or when b is 0.
func pctOf(a, b *float64) *float64 {
	if a == nil || b == nil || *b == 0 {
		return nil
	}
	v := 100 * *a / *b
	return &v
}

func gramsOfKg(kg *float64) *float64 {
	if kg == nil {
		return nil
	}
	v := *kg * 1000
	return &v
}

func writeEstimates(b *book, g access.CountryGaps) {
	w := b.sheet(SheetEstimates)
	st := b.st
	w.title("Estimates against consumption and need: "+g.Country.Name,
		"Form B estimates (annual plus supplementary) per drug, the consumption reported for the same year, and for the morphine-equivalent drugs together the need. Utilization is consumption as a share of the estimate; coverage is the estimate as a share of need.")
	w.header("Year", "Drug", "Estimate (g base)", "Consumption (g base)", "Utilization (%)", "Estimate (mg ME)", "Consumption (mg ME)", "Need (mg ME)", "Estimate coverage of need (%)")
	headRow := w.row
	for _, y := range g.Years {
		for _, d := range y.Drugs {
			if d.EstimateTotalG == nil && d.Kg == nil {
				continue
			}
			cg := gramsOfKg(d.Kg)
			w.line([]any{y.Year, d.Drug, d.EstimateTotalG, cg, pctOf(cg, d.EstimateTotalG), d.EstimateMEMg, d.MEMg},
				0, st.text, st.dec1, st.dec1, st.pct, st.integer, st.integer)
		}
		w.line([]any{y.Year, "all ME drugs", nil, nil, y.EstimateUtilizationPct, y.EstimateMEMg, y.MEMg, y.NeedMEMg, y.EstimateNeedCoveragePct},
			st.bold, st.bold, 0, 0, st.pct, st.integer, st.integer, st.integer, st.pct)
	}
	w.widths(8, 16, 16, 16, 12, 16, 16, 16, 16)
	w.freeze(headRow, 0)
	b.printSetup(SheetEstimates, headRow)
}
