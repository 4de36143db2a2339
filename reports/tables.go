package reports

import (
	"encoding/csv"
	"io"
	"strconv"

	"github.com/reliefgap/reliefgap/internal/access"
)

// countryHead are the columns naming the country on every country-year row.
var countryHead = []string{"iso3", "name", "who_region", "income_group"}

func countryFields(c access.CountryRef) []string {
	return []string{csvText(c.ISO3), csvText(c.Name), csvText(c.WHORegion), csvText(c.IncomeGroup)}
}

// yearGroupHead is the column of the data year's income group, after the
// figure columns of GapsCSV and the Data sheet.
const yearGroupHead = "income_group_of_year"

func str0(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// GapsCSV writes the figures of many countries as CSV: a header row, then
// one row per country-year with the country and the columns of CountryCSV.
// The units of each column are in ColumnUnits.
func GapsCSV(w io.Writer, gs []access.CountryGaps) (err error) {
	defer wrap(&err, "reports.GapsCSV")
	cw := csv.NewWriter(w)
	head := append([]string(nil), countryHead...)
	for _, col := range yearColumns {
		head = append(head, col.key)
	}
	head = append(head, yearGroupHead)
	if err := cw.Write(head); err != nil {
		return err
	}
	rec := make([]string, 0, len(head))
	for _, g := range gs {
		for _, y := range g.Years {
			rec = append(rec[:0], countryFields(g.Country)...)
			for _, col := range yearColumns {
				f, err := csvField(col.value(y))
				if err != nil {
					return err
				}
				rec = append(rec, f)
			}
			rec = append(rec, csvText(str0(y.IncomeGroup)))
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// DrugColumnUnits are the units of the columns of DrugsCSV.
var DrugColumnUnits = [][2]string{
	{"year", ""}, {"drug", ""}, {"kg", "kg of anhydrous base"}, {"me_mg", "mg morphine equivalent"},
	{"sddd", "S-DDD (defined daily doses)"}, {"estimate_total_g", "g of anhydrous base"}, {"estimate_me_mg", "mg morphine equivalent"},
}

// DrugsCSV writes the per-drug figures of many countries: one row per
// country, year and drug.
func DrugsCSV(w io.Writer, gs []access.CountryGaps) (err error) {
	defer wrap(&err, "reports.DrugsCSV")
	cw := csv.NewWriter(w)
	head := append([]string(nil), countryHead...)
	for _, c := range DrugColumnUnits {
		head = append(head, c[0])
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, g := range gs {
		for _, y := range g.Years {
			for _, d := range y.Drugs {
				rec := append(countryFields(g.Country), strconv.Itoa(y.Year), csvText(d.Drug))
				for _, v := range []*float64{d.Kg, d.MEMg, d.SDDD, d.EstimateTotalG, d.EstimateMEMg} {
					f, _ := csvField(v)
					rec = append(rec, f)
				}
				if err := cw.Write(rec); err != nil {
					return err
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// RankingCSV writes a ranking (access.Rank): one row per country with its
// position, rank (empty when unranked) and the figures of the ranked year.
func RankingCSV(w io.Writer, rows []access.RankRow) (err error) {
	defer wrap(&err, "reports.RankingCSV")
	cw := csv.NewWriter(w)
	head := append([]string{"position", "rank"}, countryHead...)
	for _, col := range yearColumns {
		head = append(head, col.key)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range rows {
		rank := ""
		if r.Rank > 0 {
			rank = strconv.Itoa(r.Rank)
		}
		rec := append([]string{strconv.Itoa(r.Position), rank}, countryFields(r.Country)...)
		for _, col := range yearColumns {
			f, err := csvField(col.value(r.Year))
			if err != nil {
				return err
			}
			rec = append(rec, f)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// GroupRankingCSV writes a group's ranking (access.GroupGaps.Ranking): rank,
// country, mg ME per capita, benchmark index, need met, adequacy and the
// five-year growth, numbers in full precision.
func GroupRankingCSV(w io.Writer, g access.GroupGaps) (err error) {
	defer wrap(&err, "reports.GroupRankingCSV(%s %q %d)", g.Kind, g.Code, g.Year)
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"rank", "iso3", "name", "who_region", "income_group", "me_mg_per_capita",
		"benchmark_index", "need_met_pct", "adequacy", "me_mg_per_capita_cagr_5y"}); err != nil {
		return err
	}
	for _, r := range g.Ranking {
		rec := append([]string{strconv.Itoa(r.Rank)}, countryFields(r.Country)...)
		for _, v := range []any{r.MEMgPerCapita, r.BenchmarkIndex, r.NeedMetPct, r.Adequacy, r.MEMgPerCapitaCAGR5y} {
			f, err := csvField(v)
			if err != nil {
				return err
			}
			rec = append(rec, f)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ColumnUnits are the units of the figure columns of GapsCSV, CountryCSV and
// RankingCSV, for a data dictionary.
func ColumnUnits() [][2]string {
	out := make([][2]string, 0, len(yearColumns))
	for _, c := range yearColumns {
		out = append(out, [2]string{c.key, c.unit})
	}
	return out
}
