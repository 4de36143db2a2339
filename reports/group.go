package reports

import (
	"fmt"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/reliefgap/reliefgap/internal/access"
)

// GroupReport is everything the region, income group or world report pack
// shows, as plain domain values.
type GroupReport struct {
	Meta Meta
	// Group is the group's aggregate figures for the year.
	Group access.GroupGaps
	// Ranking is every member country with its figures for the year, in
	// rank order (access.Rank); those without the ranked figure come last.
	Ranking []access.RankRow
	// Methods are the methods the figures were computed with.
	Methods access.Methods
	// Factors are the factor tables; those named by Methods are shown.
	Factors []access.FactorTable
	// Glossary explains flags and bands; nil for DefaultGlossary.
	Glossary []GlossaryEntry
	// Sources are the uploads behind the figures.
	Sources []Source
}

// Title is the report's title.
func (r GroupReport) Title() string {
	g := r.Group
	switch g.Kind {
	case access.GroupRegion:
		return fmt.Sprintf("Opioid analgesic consumption and need: WHO region %s, %d", g.Code, g.Year)
	case access.GroupIncome:
		return fmt.Sprintf("Opioid analgesic consumption and need: World Bank income group %s, %d", g.Code, g.Year)
	}
	return fmt.Sprintf("Opioid analgesic consumption and need: the world, %d", g.Year)
}

// Band colours, lowest band first: red to green.
var bandColours = []string{"F8696B", "FA9A76", "FFD966", "C6E0B4", "63BE7B"}

// rankingColumns are the columns of the Ranking sheet, after Rank.
func rankingColumns(st styles, cagr map[string]*float64) []struct {
	head  string
	style int
	value func(access.RankRow) any
} {
	y := func(f func(access.YearGaps) any) func(access.RankRow) any {
		return func(r access.RankRow) any { return f(r.Year) }
	}
	type col = struct {
		head  string
		style int
		value func(access.RankRow) any
	}
	return []col{
		{"Rank (by mg ME per person)", st.integer, func(r access.RankRow) any {
			if r.Rank == 0 {
				return nil
			}
			return r.Rank
		}},
		{"ISO3", st.text, func(r access.RankRow) any { return r.Country.ISO3 }},
		{"Country", st.text, func(r access.RankRow) any { return r.Country.Name }},
		{"WHO region", st.text, func(r access.RankRow) any { return r.Country.WHORegion }},
		{"Income group (of the year)", st.text, func(r access.RankRow) any { return r.Year.IncomeGroup }},
		{"Population (persons)", st.integer, y(func(y access.YearGaps) any { return y.Population })},
		{"Consumption (mg ME per person)", st.dec2, y(func(y access.YearGaps) any { return y.MEMgPerCapita })},
		{"S-DDD per million per day", st.dec1, y(func(y access.YearGaps) any { return y.SDDDPerMillionPerDay })},
		{"S-DDD per million per day, 3-year average", st.dec1, y(func(y access.YearGaps) any { return y.SDDD3YrAvg })},
		{"INCB adequacy band", st.text, y(func(y access.YearGaps) any { return y.Adequacy })},
		{"Benchmark index (reference = 100)", st.dec1, y(func(y access.YearGaps) any { return y.BenchmarkIndex })},
		{"Benchmark band", st.text, y(func(y access.YearGaps) any { return y.BenchmarkBand })},
		{"Need met (%)", st.pct, y(func(y access.YearGaps) any { return y.NeedMetPct })},
		{"Gap (kg morphine)", st.dec1, y(func(y access.YearGaps) any { return y.MorphineKgToCloseGap })},
		{"Estimate coverage of need (%)", st.pct, y(func(y access.YearGaps) any { return y.EstimateNeedCoveragePct })},
		{"Growth of mg ME per person, 5 years (% a year)", st.pct, func(r access.RankRow) any {
			if v := cagr[r.Country.ISO3]; v != nil {
				return 100 * *v
			}
			return nil
		}},
		{"Flags", st.text, y(func(y access.YearGaps) any { return strings.Join(y.Flags, FlagSeparator) })},
	}
}

// Columns of the Ranking sheet that hold bands.
const (
	rankColAdequacy  = 10 // J
	rankColBenchBand = 12 // L
)

// GroupReportXLSX renders the group report pack: Ranking (streamed, with
// band colours by conditional formatting, an autofilter and a frozen
// header), Aggregates (with a chart of the distribution over bands),
// Methodology and Sources.
func GroupReportXLSX(r GroupReport) (_ []byte, err error) {
	defer wrap(&err, "reports.GroupReportXLSX(%s %q %d)", r.Group.Kind, r.Group.Code, r.Group.Year)
	b, err := newBook()
	if err != nil {
		return nil, err
	}
	tables := usedTables(r.Methods, r.Factors)
	glossary := r.Glossary
	if glossary == nil {
		glossary = DefaultGlossary(tables)
	}
	title := r.Title()
	writeRanking(b, r, title, tables)
	writeAggregates(b, r, tables)
	writeMethodology(b, r.Methods, tables, glossary)
	writeSources(b, title, r.Meta, r.Sources)
	return b.finish(title, "Consumption of opioid analgesics against medical need, country by country",
		fmt.Sprintf("opioids; morphine equivalent; S-DDD; ranking; %s %s", r.Group.Kind, r.Group.Code), r.Meta)
}

// rankingHeadRow is the header row of the Ranking sheet.
const rankingHeadRow = 4

// writeRanking streams the Ranking sheet, then styles around the data:
// the StreamWriter has no conditional formatting or autofilter of its own.
func writeRanking(b *book, r GroupReport, title string, tables []access.FactorTable) {
	if b.err != nil {
		return
	}
	st := b.st
	if b.err = b.f.SetSheetName(b.f.GetSheetName(0), SheetRanking); b.err != nil {
		return
	}
	b.n++
	cagr := map[string]*float64{}
	for _, rc := range r.Group.Ranking {
		cagr[rc.Country.ISO3] = rc.MEMgPerCapitaCAGR5y
	}
	cols := rankingColumns(st, cagr)
	// Styled around the data before streaming: the StreamWriter keeps the
	// sheet's conditional formats, autofilter and page setup and writes
	// them after the rows.
	last := rankingHeadRow + max(len(r.Ranking), 1)
	lastCol, _ := excelize.ColumnNumberToName(len(cols))
	b.err = b.f.AutoFilter(SheetRanking, fmt.Sprintf("A%d:%s%d", rankingHeadRow, lastCol, last), nil)
	for _, bc := range []struct {
		col int
		ref access.Ref
	}{{rankColAdequacy, r.Methods.INCBBands}, {rankColBenchBand, r.Methods.BenchmarkBands}} {
		t, ok := table(tables, bc.ref)
		if ok {
			colourBands(b, SheetRanking, bc.col, rankingHeadRow+1, last, t)
		}
	}
	b.printSetup(SheetRanking, rankingHeadRow)
	if b.err != nil {
		return
	}
	sw, err := b.f.NewStreamWriter(SheetRanking)
	if err != nil {
		b.err = err
		return
	}
	widths := []float64{10, 7, 28, 10, 10, 14, 14, 14, 16, 16, 14, 14, 10, 12, 14, 16, 50}
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			b.err = err
			return
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: 3, YSplit: rankingHeadRow, TopLeftCell: "D5", ActivePane: "bottomRight"}); err != nil {
		b.err = err
		return
	}
	set := func(row int, vals []any) {
		if b.err == nil {
			cell, _ := excelize.CoordinatesToCellName(1, row)
			b.err = sw.SetRow(cell, vals)
		}
	}
	set(1, []any{excelize.Cell{StyleID: st.title, Value: title}})
	set(2, []any{excelize.Cell{StyleID: st.note, Value: "One row per country, ranked by consumption in mg of morphine equivalent (ME) per person; ties share a rank and countries without the figure are not ranked. Use the filter buttons to sort or select."}})
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = excelize.Cell{StyleID: st.header, Value: c.head}
	}
	set(rankingHeadRow, head)
	for i, row := range r.Ranking {
		vals := make([]any, len(cols))
		for j, c := range cols {
			vals[j] = streamValue(c.value(row), c.style)
		}
		set(rankingHeadRow+1+i, vals)
	}
	if b.err != nil {
		return
	}
	b.err = sw.Flush()
}

// streamValue turns a report value into a StreamWriter cell: text is a
// string value (never a formula), missing figures are empty.
func streamValue(v any, style int) any {
	if v = cellValue(v); v == nil {
		return nil
	}
	return excelize.Cell{StyleID: style, Value: v}
}

// cellValue is the value a StreamWriter cell holds for v: pointers are
// followed, and nil, a nil pointer or "" is nil, an empty cell.
func cellValue(v any) any {
	switch x := v.(type) {
	case *float64:
		if x == nil {
			return nil
		}
		return *x
	case *string:
		if x == nil {
			return nil
		}
		return *x
	case string:
		if x == "" {
			return nil
		}
	}
	return v
}

// colourBands colours the cells of column col, rows first..last, by the
// band label they hold: a conditional format per band of t, lowest red.
func colourBands(b *book, sheet string, col, first, last int, t access.FactorTable) {
	rows := bandRows(t)
	var opts []excelize.ConditionalFormatOptions
	for i, br := range rows {
		if b.err != nil {
			return
		}
		ci := 0
		if len(rows) > 1 {
			ci = i * (len(bandColours) - 1) / (len(rows) - 1)
		}
		id, err := b.f.NewConditionalStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{bandColours[ci]}}})
		if err != nil {
			b.err = err
			return
		}
		// The label is a string constant in the rule: quotes are doubled.
		opts = append(opts, excelize.ConditionalFormatOptions{
			Type: "cell", Criteria: "==", Format: &id,
			Value: `"` + strings.ReplaceAll(br.Key, `"`, `""`) + `"`,
		})
	}
	if len(opts) == 0 || b.err != nil {
		return
	}
	c, _ := excelize.ColumnNumberToName(col)
	b.err = b.f.SetConditionalFormat(sheet, fmt.Sprintf("%s%d:%s%d", c, first, c, last), opts)
}

func writeAggregates(b *book, r GroupReport, tables []access.FactorTable) {
	w := b.sheet(SheetAggregates)
	st := b.st
	g := r.Group
	w.title("Aggregates", "Ratios are ratios of totals over the countries that have both terms, never means of the countries' ratios. The group's gap is the sum of the countries' gaps: a surplus in one country does not close another's.")
	w.pair("Group", fmt.Sprintf("%s %s", g.Kind, g.Code), st.text)
	w.pair("Year", g.Year, 0)
	w.pair("Data version", r.Meta.DataVersion, st.integer)
	w.pair("Data as of", when(r.Meta.DataAsOf), st.text)
	w.pair("Need model", modelName(r.Methods), st.text)
	w.row++
	w.header("Figure", "Value", "Unit")
	for _, l := range []struct {
		what  string
		v     any
		style int
		unit  string
	}{
		{"Countries", g.Countries, st.integer, "countries"},
		{"Countries with data", g.CountriesWithData, st.integer, "countries"},
		{"Countries without data", g.CountriesWithoutData, st.integer, "countries"},
		{"Countries with need", g.CountriesWithNeed, st.integer, "countries"},
		{"Population", g.Population, st.integer, "persons (countries with data)"},
		{"Consumption", g.MEMg, st.integer, "mg ME"},
		{"Consumption per person", g.MEMgPerCapita, st.dec2, "mg ME per person"},
		{"S-DDD per million per day", g.SDDDPerMillionPerDay, st.dec1, "S-DDD per million per day"},
		{"Need", g.NeedMEMg, st.integer, "mg ME"},
		{"Gap", g.GapMEMg, st.integer, "mg ME"},
		{"Need met", g.NeedMetPct, st.pct, "%"},
		{"Gap", g.MorphineKgToCloseGap, st.dec1, "kg morphine"},
		{"Median consumption per person", g.MedianMEMgPerCapita, st.dec2, "mg ME per person"},
		{"Median S-DDD, 3-year average", g.MedianSDDD3YrAvg, st.dec1, "S-DDD per million per day"},
		{"Share of world consumption", g.WorldSharePct, st.pct, "%"},
	} {
		w.line([]any{l.what, l.v, l.unit}, st.text, l.style, st.text)
	}
	w.row++
	w.line([]any{"Countries by band"}, st.subtitle)
	w.header("Band", "INCB adequacy (countries)", "Benchmark (countries)", "ACM (countries)")
	first := w.row + 1
	for _, l := range bandLabels(g, tables, r.Methods) {
		w.line([]any{l, countOrNil(g.AdequacyCounts, l), countOrNil(g.BenchmarkBandCounts, l), countOrNil(g.ACMBandCounts, l)},
			st.text, st.integer, st.integer, st.integer)
	}
	last := w.row
	w.widths(34, 26, 26, 18)
	b.printSetup(SheetAggregates, 0)
	if last < first || b.err != nil {
		return
	}
	var series []excelize.ChartSeries
	for col := 2; col <= 4; col++ {
		series = append(series, excelize.ChartSeries{
			Name:       cellRef(SheetAggregates, col, first-1),
			Categories: ref(SheetAggregates, 1, first, 1, last),
			Values:     ref(SheetAggregates, col, first, col, last),
		})
	}
	anchor, _ := excelize.CoordinatesToCellName(6, 2)
	b.err = b.f.AddChart(SheetAggregates, anchor, &excelize.Chart{
		Type:      excelize.Col,
		Series:    series,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Countries by band"}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		YAxis:     excelize.ChartAxis{Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "countries"}}}},
		Dimension: excelize.ChartDimension{Width: 640, Height: 360},
	})
}

func countOrNil(m map[string]int, k string) any {
	if v, ok := m[k]; ok {
		return v
	}
	return nil
}

// bandLabels lists the labels of the band tables, lowest band first and
// table by table, then any label counted that no table holds.
func bandLabels(g access.GroupGaps, tables []access.FactorTable, m access.Methods) []string {
	var out []string
	seen := map[string]bool{}
	add := func(l string) {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	for _, rf := range []access.Ref{m.INCBBands, m.BenchmarkBands, m.ACMBands} {
		if t, ok := table(tables, rf); ok {
			for _, r := range bandRows(t) {
				add(r.Key)
			}
		}
	}
	var rest []string
	for _, c := range []map[string]int{g.AdequacyCounts, g.BenchmarkBandCounts, g.ACMBandCounts} {
		for k := range c {
			if !seen[k] {
				rest = append(rest, k)
			}
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		add(k)
	}
	return out
}
