package reports

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/reliefgap/reliefgap/internal/access"
)

// Sheet names.
const (
	SheetFigures = "Figures"
	SheetDrugs   = "Drugs"
	SheetLineage = "Lineage"
	SheetMethods = "Methods"
	SheetFlags   = "Flags"
	SheetSummary = "Summary"
	SheetRanking = "Ranking"
)

// FlagSeparator joins a year's flags into one cell.
const FlagSeparator = "; "

// column is one column of a per-year table: its header, its unit and how
// to read its value from a YearGaps.
type column struct {
	key, unit string
	value     func(y access.YearGaps) any
}

// yearColumns are the columns of the Figures sheet and of CountryCSV, in order.
var yearColumns = []column{
	{"year", "", func(y access.YearGaps) any { return y.Year }},
	{"population", "persons", func(y access.YearGaps) any { return y.Population }},
	{"me_mg", "mg ME", func(y access.YearGaps) any { return y.MEMg }},
	{"me_mg_per_capita", "mg ME per person", func(y access.YearGaps) any { return y.MEMgPerCapita }},
	{"sddd_per_million_per_day", "S-DDD per million per day", func(y access.YearGaps) any { return y.SDDDPerMillionPerDay }},
	{"sddd_3yr_avg", "S-DDD per million per day", func(y access.YearGaps) any { return y.SDDD3YrAvg }},
	{"adequacy", "INCB band", func(y access.YearGaps) any { return y.Adequacy }},
	{"benchmark_index", "reference = 100", func(y access.YearGaps) any { return y.BenchmarkIndex }},
	{"benchmark_band", "band", func(y access.YearGaps) any { return y.BenchmarkBand }},
	{"need_me_mg", "mg ME", func(y access.YearGaps) any { return y.NeedMEMg }},
	{"need_met_pct", "%", func(y access.YearGaps) any { return y.NeedMetPct }},
	{"gap_me_mg", "mg ME", func(y access.YearGaps) any { return y.GapMEMg }},
	{"morphine_kg_to_close_gap", "kg morphine", func(y access.YearGaps) any { return y.MorphineKgToCloseGap }},
	{"acm", "consumption / need", func(y access.YearGaps) any { return y.ACM }},
	{"acm_band", "band", func(y access.YearGaps) any { return y.ACMBand }},
	{"estimate_me_mg", "mg ME", func(y access.YearGaps) any { return y.EstimateMEMg }},
	{"estimate_need_coverage_pct", "%", func(y access.YearGaps) any { return y.EstimateNeedCoveragePct }},
	{"estimate_utilization_pct", "%", func(y access.YearGaps) any { return y.EstimateUtilizationPct }},
	{"flags", "", func(y access.YearGaps) any { return strings.Join(y.Flags, FlagSeparator) }},
}

// CountryXLSX renders a country's gap figures as a workbook with the
// sheets Figures (one row per year), Drugs, Lineage, Methods and Flags
// (each flag the figures carry, explained from the glossary).
func CountryXLSX(g access.CountryGaps) (_ []byte, err error) {
	defer wrap(&err, "reports.CountryXLSX(%q)", g.Country.ISO3)
	f := excelize.NewFile()
	defer f.Close()

	fig, err := newSheet(f, SheetFigures, true)
	if err != nil {
		return nil, err
	}
	c := g.Country
	fig.row("country", c.Name, "iso3", c.ISO3, "who_region", c.WHORegion, "income_group", c.IncomeGroup)
	head, units := make([]any, len(yearColumns)), make([]any, len(yearColumns))
	for i, col := range yearColumns {
		head[i], units[i] = col.key, col.unit
	}
	fig.row(head...)
	fig.row(units...)
	for _, y := range g.Years {
		vals := make([]any, len(yearColumns))
		for i, col := range yearColumns {
			vals[i] = col.value(y)
		}
		fig.row(vals...)
	}

	drugs, err := newSheet(f, SheetDrugs, false)
	if err != nil {
		return nil, err
	}
	drugs.row("year", "drug", "kg", "me_mg", "sddd", "estimate_total_g", "estimate_me_mg")
	drugs.row("", "", "kg base", "mg ME", "S-DDD", "g base", "mg ME")
	for _, y := range g.Years {
		for _, d := range y.Drugs {
			drugs.row(y.Year, d.Drug, d.Kg, d.MEMg, d.SDDD, d.EstimateTotalG, d.EstimateMEMg)
		}
	}

	lin, err := newSheet(f, SheetLineage, false)
	if err != nil {
		return nil, err
	}
	lin.row("figure_year", "input_year", "what", "upload_id", "sheet", "row")
	for _, y := range g.Years {
		for _, l := range y.Lineage {
			lin.row(y.Year, l.Year, l.What, l.UploadID, l.Sheet, l.Row)
		}
	}

	meth, err := newSheet(f, SheetMethods, false)
	if err != nil {
		return nil, err
	}
	writeMethods(meth, g.Methods)

	fl, err := newSheet(f, SheetFlags, false)
	if err != nil {
		return nil, err
	}
	writeFlags(fl, g)

	for _, s := range []*sheet{fig, drugs, lin, meth, fl} {
		if s.err != nil {
			return nil, s.err
		}
	}
	if err := addCountryAvailability(f, g); err != nil {
		return nil, err
	}
	return bytesOf(f)
}

// writeFlags explains, from the glossary, every flag the years carry.
func writeFlags(s *sheet, g access.CountryGaps) {
	s.row("flag", "severity", "meaning")
	seen := map[string]bool{}
	var flags []string
	for _, y := range g.Years {
		for _, f := range y.Flags {
			if !seen[f] {
				seen[f] = true
				flags = append(flags, f)
			}
		}
	}
	sort.Strings(flags)
	for _, f := range flags {
		e, _ := access.ExplainFlag(f)
		s.row(f, string(e.Severity), e.Meaning)
	}
}

func writeMethods(s *sheet, m access.Methods) {
	s.row("factor_table", "name", "version")
	for _, t := range []struct {
		what string
		ref  *access.Ref
	}{
		{"me", &m.ME},
		{"sddd", &m.SDDD},
		{"basket", &m.Basket},
		{"incb_bands", &m.INCBBands},
		{"benchmark_bands", &m.BenchmarkBands},
		{"benchmark_reference", &m.BenchmarkReference},
		{"acm_bands", &m.ACMBands},
		{"need_model", m.NeedModel},
	} {
		if t.ref == nil {
			s.row(t.what) // the need model asked for is not in the set
			continue
		}
		s.row(t.what, t.ref.Name, t.ref.Version)
	}
	s.row()
	s.row("days_per_year", m.DaysPerYear)
	s.row("formb_total", m.FormBTotal)
	s.row()
	s.row("figure", "formula")
	fm := m.Formulas
	for _, r := range [][2]string{
		{"me_mg", fm.MEMg},
		{"sddd_per_million_per_day", fm.SDDDPerMillionPerDay},
		{"sddd_3yr_avg", fm.SDDD3YrAvg},
		{"benchmark_index", fm.BenchmarkIndex},
		{"need_me_mg", fm.NeedMEMg},
		{"need_met_pct", fm.NeedMetPct},
		{"gap_me_mg", fm.GapMEMg},
		{"acm", fm.ACM},
		{"estimate_total_g", fm.EstimateTotal},
		{"estimate_utilization_pct", fm.EstimateUtilization},
		{"estimate_need_coverage_pct", fm.EstimateCoverage},
	} {
		s.row(r[0], r[1])
	}
}

// GroupXLSX renders a group's figures for one year as a workbook with the
// sheets Summary (the group's figures and band counts) and Ranking.
func GroupXLSX(g access.GroupGaps) (_ []byte, err error) {
	defer wrap(&err, "reports.GroupXLSX(%s %q %d)", g.Kind, g.Code, g.Year)
	f := excelize.NewFile()
	defer f.Close()

	sum, err := newSheet(f, SheetSummary, true)
	if err != nil {
		return nil, err
	}
	sum.row("figure", "value", "unit")
	sum.row("kind", string(g.Kind))
	sum.row("code", g.Code)
	sum.row("year", g.Year)
	sum.row("countries", g.Countries, "countries")
	sum.row("countries_with_data", g.CountriesWithData, "countries")
	sum.row("countries_without_data", g.CountriesWithoutData, "countries")
	sum.row("countries_with_need", g.CountriesWithNeed, "countries")
	sum.row("population", g.Population, "persons")
	sum.row("population_with_data", g.PopulationWithData, "persons")
	sum.row("population_without_data", g.PopulationWithoutData, "persons")
	sum.row("me_mg", g.MEMg, "mg ME")
	sum.row("me_mg_per_capita", g.MEMgPerCapita, "mg ME per person")
	sum.row("sddd_per_million_per_day", g.SDDDPerMillionPerDay, "S-DDD per million per day")
	sum.row("need_me_mg", g.NeedMEMg, "mg ME")
	sum.row("gap_me_mg", g.GapMEMg, "mg ME")
	sum.row("need_met_pct", g.NeedMetPct, "%")
	sum.row("consumption_to_need_pct", g.ConsumptionToNeedPct, "%")
	sum.row("morphine_kg_to_close_gap", g.MorphineKgToCloseGap, "kg morphine")
	sum.row("median_me_mg_per_capita", g.MedianMEMgPerCapita, "mg ME per person")
	sum.row("median_sddd_3yr_avg", g.MedianSDDD3YrAvg, "S-DDD per million per day")
	sum.row("world_share_pct", g.WorldSharePct, "%")
	for _, counts := range []struct {
		what string
		m    map[string]int
	}{
		{"adequacy", g.AdequacyCounts},
		{"benchmark_band", g.BenchmarkBandCounts},
		{"acm_band", g.ACMBandCounts},
	} {
		sum.row()
		sum.row(counts.what, "countries")
		keys := make([]string, 0, len(counts.m))
		for k := range counts.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sum.row(k, counts.m[k])
		}
	}

	rk, err := newSheet(f, SheetRanking, false)
	if err != nil {
		return nil, err
	}
	rk.row("rank", "iso3", "name", "who_region", "income_group", "me_mg_per_capita",
		"benchmark_index", "need_met_pct", "adequacy", "me_mg_per_capita_cagr_5y")
	rk.row("", "", "", "", "", "mg ME per person", "reference = 100", "%", "INCB band", "fraction a year")
	for _, r := range g.Ranking {
		c := r.Country
		rk.row(r.Rank, c.ISO3, c.Name, c.WHORegion, c.IncomeGroup, r.MEMgPerCapita,
			r.BenchmarkIndex, r.NeedMetPct, r.Adequacy, r.MEMgPerCapitaCAGR5y)
	}

	for _, s := range []*sheet{sum, rk} {
		if s.err != nil {
			return nil, s.err
		}
	}
	return bytesOf(f)
}

// sheet writes rows to one worksheet, keeping the first error.
type sheet struct {
	f    *excelize.File
	name string
	n    int // rows written
	err  error
}

// newSheet adds a worksheet; the first takes the place of the default one.
func newSheet(f *excelize.File, name string, first bool) (*sheet, error) {
	if first {
		if err := f.SetSheetName(f.GetSheetName(0), name); err != nil {
			return nil, err
		}
	} else if _, err := f.NewSheet(name); err != nil {
		return nil, err
	}
	return &sheet{f: f, name: name}, nil
}

// row writes the next row. Values may be string, *string, int, int64,
// float64 or *float64; a nil pointer, NaN or ±Inf leaves the cell empty.
// Text is always written with SetCellStr, so it is stored as a string and
// never read as a formula.
func (s *sheet) row(vals ...any) {
	s.n++
	if s.err != nil {
		return
	}
	for i, v := range vals {
		cell, err := excelize.CoordinatesToCellName(i+1, s.n)
		if err != nil {
			s.err = err
			return
		}
		switch v := v.(type) {
		case string:
			if v != "" {
				err = s.f.SetCellStr(s.name, cell, v)
			}
		case *string:
			if v != nil {
				err = s.f.SetCellStr(s.name, cell, *v)
			}
		case int:
			err = s.f.SetCellInt(s.name, cell, int64(v))
		case int64:
			err = s.f.SetCellInt(s.name, cell, v)
		case float64:
			err = s.setFloat(cell, v)
		case *float64:
			if v != nil {
				err = s.setFloat(cell, *v)
			}
		default:
			err = fmt.Errorf("sheet %s cell %s: unsupported value %T", s.name, cell, v)
		}
		if err != nil {
			s.err = err
			return
		}
	}
}

func (s *sheet) setFloat(cell string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return s.f.SetCellFloat(s.name, cell, v, -1, 64)
}

func bytesOf(f *excelize.File) ([]byte, error) {
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// wrap adds the operation to a non-nil error.
func wrap(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *errp)
	}
}
