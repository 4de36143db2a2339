package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/reliefgap/reliefgap/internal/access"
)

// Sheet names of the full data set.
const (
	SheetData       = "Data"
	SheetDictionary = "Dictionary"
)

// dictionary describes the columns of the data set, in the order of
// countryHead then yearColumns.
var dictionary = map[string]string{
	"iso3":                       "ISO 3166-1 alpha-3 code of the country",
	"name":                       "Short English name of the country",
	"who_region":                 "WHO region (AFR, AMR, EMR, EUR, SEAR, WPR)",
	"income_group":               "World Bank income group (LIC, LMC, UMC, HIC) of the country's current classification",
	"year":                       "Calendar year of the figures",
	"population":                 "Population, persons",
	"me_mg":                      "Consumption of the morphine-equivalence table's drugs, mg morphine equivalent (ME)",
	"me_mg_per_capita":           "me_mg divided by population",
	"sddd_per_million_per_day":   "S-DDDs of INCB's opioids-for-pain basket per million inhabitants per day",
	"sddd_3yr_avg":               "Mean of sddd_per_million_per_day over the year and the two before (all three needed)",
	"adequacy":                   "INCB adequacy band of sddd_3yr_avg (of the single year when the average is missing)",
	"benchmark_index":            "100 × me_mg_per_capita ÷ the benchmark reference (mg ME per person)",
	"benchmark_band":             "Band of benchmark_index",
	"need_me_mg":                 "Medical need computed by the need model from deaths by cause, mg ME",
	"need_met_pct":               "100 × me_mg ÷ need_me_mg (may exceed 100)",
	"gap_me_mg":                  "max(0, need_me_mg − me_mg), mg ME",
	"morphine_kg_to_close_gap":   "gap_me_mg ÷ 10⁶, kg of morphine",
	"acm":                        "Adequacy of consumption measure: me_mg ÷ need_me_mg",
	"acm_band":                   "Band of acm",
	"estimate_me_mg":             "Form B estimates of the morphine-equivalent drugs, mg ME",
	"estimate_need_coverage_pct": "100 × estimate_me_mg ÷ need_me_mg",
	"estimate_utilization_pct":   "100 × consumed ME ÷ estimated ME, over the drugs with both",
	yearGroupHead:                "World Bank income group of the data year (the classification of that year); empty when unclassified",
	"flags":                      "Why a figure is missing or to be read with care, separated by '; ' (see the Methodology sheet)",
}

// DataSetCSV writes the full data set as CSV: one row per country-year.
// The units and meaning of each column are in the xlsx's Dictionary sheet.
func DataSetCSV(w io.Writer, d DataSet) error {
	return GapsCSV(w, d.Countries)
}

// DataSetXLSX renders the full data set: Data (one row per country-year,
// streamed), Drugs (one row per country, year and drug, streamed),
// Dictionary (every column with its unit and meaning), Methodology and
// Sources (with the licence and how to cite it).
func DataSetXLSX(d DataSet) (_ []byte, err error) {
	defer wrap(&err, "reports.DataSetXLSX")
	b, err := newBook()
	if err != nil {
		return nil, err
	}
	const title = "Opioid analgesic consumption and need, every country and year"
	var methods access.Methods
	if len(d.Countries) > 0 {
		methods = d.Countries[0].Methods
	}
	streamData(b, d.Countries)
	streamDrugs(b, d.Countries)
	writeDictionary(b, d)
	tables := usedTables(methods, d.Factors)
	writeMethodology(b, methods, tables, DefaultGlossary(tables))
	writeSources(b, title, d.Meta, d.Sources)
	return b.finish(title, "Full data set of the gap figures", "opioids; morphine equivalent; S-DDD; data set", d.Meta)
}

// yearStyles are the number styles of the yearColumns, by key.
func yearStyle(st styles, key string) int {
	switch {
	case key == "year":
		return 0
	case key == "population" || strings.HasSuffix(key, "me_mg") || key == "gap_me_mg":
		return st.integer
	case strings.HasSuffix(key, "_pct"):
		return st.pct
	case key == "acm":
		return st.dec4
	case key == "me_mg_per_capita":
		return st.dec2
	case key == "adequacy" || strings.HasSuffix(key, "_band") || key == "flags":
		return st.text
	}
	return st.dec1
}

// streamRow collects the cells of one streamed row. SetRow has written
// them out when it returns, so one streamRow serves every row of a sheet
// and no cell is allocated per value.
type streamRow struct {
	cells []excelize.Cell
	vals  []any
}

func newStreamRow(n int) *streamRow {
	return &streamRow{cells: make([]excelize.Cell, n), vals: make([]any, 0, n)}
}

// add appends a cell holding v with style; a missing value (see
// cellValue) leaves the cell empty.
func (r *streamRow) add(v any, style int) {
	i := len(r.vals)
	if v = cellValue(v); v == nil {
		r.vals = append(r.vals, nil)
		return
	}
	r.cells[i] = excelize.Cell{StyleID: style, Value: v}
	r.vals = append(r.vals, &r.cells[i])
}

// streamSheet streams rows under one header row into a new sheet with
// frozen header, column widths and an autofilter set before streaming.
// row adds the cells of data row i, at most len(head) of them.
func streamSheet(b *book, name string, head []string, widths []float64, n int, row func(i int, r *streamRow)) {
	w := b.sheet(name)
	if b.err != nil {
		return
	}
	lastCol, _ := excelize.ColumnNumberToName(len(head))
	b.err = b.f.AutoFilter(name, fmt.Sprintf("A1:%s%d", lastCol, max(n, 1)+1), nil)
	b.printSetup(name, 1)
	if b.err != nil {
		return
	}
	sw, err := b.f.NewStreamWriter(w.name)
	if err != nil {
		b.err = err
		return
	}
	for i, x := range widths {
		if b.err == nil {
			b.err = sw.SetColWidth(i+1, i+1, x)
		}
	}
	if b.err == nil {
		b.err = sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	}
	hv := make([]any, len(head))
	for i, h := range head {
		hv[i] = excelize.Cell{StyleID: b.st.header, Value: h}
	}
	if b.err == nil {
		b.err = sw.SetRow("A1", hv, excelize.RowOpts{Height: 45})
	}
	r := newStreamRow(len(head))
	for i := 0; i < n && b.err == nil; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		r.vals = r.vals[:0]
		row(i, r)
		b.err = sw.SetRow(cell, r.vals)
	}
	if b.err == nil {
		b.err = sw.Flush()
	}
}

func streamData(b *book, gs []access.CountryGaps) {
	st := b.st
	head := append([]string(nil), countryHead...)
	widths := []float64{7, 24, 10, 10}
	styles := make([]int, len(yearColumns))
	for i, c := range yearColumns {
		h := c.key
		if c.unit != "" {
			h += " (" + c.unit + ")"
		}
		head = append(head, h)
		widths = append(widths, 16)
		styles[i] = yearStyle(st, c.key)
	}
	head = append(head, yearGroupHead)
	widths = append(widths, 12)
	type ref struct{ c, y int }
	var refs []ref
	for i, g := range gs {
		for j := range g.Years {
			refs = append(refs, ref{i, j})
		}
	}
	streamSheet(b, SheetData, head, widths, len(refs), func(i int, r *streamRow) {
		g := &gs[refs[i].c]
		y := &g.Years[refs[i].y]
		c := &g.Country
		r.add(c.ISO3, st.text)
		r.add(c.Name, st.text)
		r.add(c.WHORegion, st.text)
		r.add(c.IncomeGroup, st.text)
		for k, col := range yearColumns {
			r.add(col.value(*y), styles[k])
		}
		r.add(y.IncomeGroup, st.text)
	})
}

func streamDrugs(b *book, gs []access.CountryGaps) {
	st := b.st
	head := []string{"iso3", "year", "drug", "kg (kg of anhydrous base)", "me_mg (mg ME)", "sddd (S-DDD)", "estimate_total_g (g of anhydrous base)", "estimate_me_mg (mg ME)"}
	type ref struct{ c, y, d int }
	var refs []ref
	for i, g := range gs {
		for j, y := range g.Years {
			for k := range y.Drugs {
				refs = append(refs, ref{i, j, k})
			}
		}
	}
	streamSheet(b, SheetDrugs, head, []float64{7, 7, 16, 14, 16, 14, 16, 16}, len(refs), func(i int, r *streamRow) {
		ref := refs[i]
		g := &gs[ref.c]
		y := &g.Years[ref.y]
		d := &y.Drugs[ref.d]
		r.add(g.Country.ISO3, st.text)
		r.add(y.Year, 0)
		r.add(d.Drug, st.text)
		r.add(d.Kg, st.dec4)
		r.add(d.MEMg, st.integer)
		r.add(d.SDDD, st.integer)
		r.add(d.EstimateTotalG, st.dec1)
		r.add(d.EstimateMEMg, st.integer)
	})
}

func writeDictionary(b *book, d DataSet) {
	w := b.sheet(SheetDictionary)
	st := b.st
	w.title("Data dictionary", "The columns of the Data sheet and of gaps.csv. A missing figure is an empty cell, never 0; the flags say why.")
	w.header("Column", "Unit", "Meaning")
	for _, k := range countryHead {
		w.line([]any{k, "", dictionary[k]}, st.text, st.text, st.wrap)
	}
	for _, c := range yearColumns {
		w.line([]any{c.key, c.unit, dictionary[c.key]}, st.text, st.text, st.wrap)
	}
	w.line([]any{yearGroupHead, "", dictionary[yearGroupHead]}, st.text, st.text, st.wrap)
	w.row++
	w.pair("Countries", len(d.Countries), st.integer)
	w.pair("Data version", d.Meta.DataVersion, st.integer)
	w.pair("Licence", or(d.Meta.Licence, "not stated"), st.wrap)
	w.pair("How to cite", citation("Opioid analgesic consumption and need, every country and year", d.Meta), st.wrap)
	w.widths(28, 28, 90)
	w.freeze(4, 0)
	b.printSetup(SheetDictionary, 4)
}
