package access

import (
	"cmp"
	"slices"
	"sort"
	"strings"
)

// RankFields are the figures countries may be ranked by.
var RankFields = map[string]func(y YearGaps) *float64{
	"me_mg_per_capita":         func(y YearGaps) *float64 { return y.MEMgPerCapita },
	"me_mg":                    func(y YearGaps) *float64 { return y.MEMg },
	"need_met_pct":             func(y YearGaps) *float64 { return y.NeedMetPct },
	"gap_me_mg":                func(y YearGaps) *float64 { return y.GapMEMg },
	"benchmark_index":          func(y YearGaps) *float64 { return y.BenchmarkIndex },
	"sddd_per_million_per_day": func(y YearGaps) *float64 { return y.SDDDPerMillionPerDay },
	"sddd_3yr_avg":             func(y YearGaps) *float64 { return y.SDDD3YrAvg },
	"morphine_kg_to_close_gap": func(y YearGaps) *float64 { return y.MorphineKgToCloseGap },
	"population":               func(y YearGaps) *float64 { return y.Population },
}

// RankQuery says which countries to rank for which year, and by what:
// Sort is a RankFields name, with a leading "-" for descending.
type RankQuery struct {
	Year           int
	Region, Income string // "" for every region or income group
	Sort           string
}

// CountryYear is one country's figures for one year.
type CountryYear struct {
	Country CountryRef
	Methods Methods
	Figures YearGaps
}

// RankCountries orders the members of the region and income group (by
// IsMember) for q.Year by the figure q.Sort names. Countries whose figure
// is null (a year not reported, a missing population, …) come last, by
// ISO3; ties are broken by ISO3.
func RankCountries(all []CountryGaps, q RankQuery) ([]CountryYear, error) {
	const op = "RankCountries"
	if q.Region != "" && !slices.Contains(WHORegions, q.Region) {
		return nil, Errorf(Invalid, op, "unknown WHO region %q: use one of %s", q.Region, strings.Join(WHORegions, ", "))
	}
	if q.Income != "" && !slices.Contains(IncomeGroups, q.Income) {
		return nil, Errorf(Invalid, op, "unknown income group %q: use one of %s", q.Income, strings.Join(IncomeGroups, ", "))
	}
	field, desc := strings.TrimPrefix(q.Sort, "-"), strings.HasPrefix(q.Sort, "-")
	get, ok := RankFields[field]
	if !ok {
		names := make([]string, 0, len(RankFields))
		for k := range RankFields {
			names = append(names, k)
		}
		sort.Strings(names)
		return nil, Errorf(Invalid, op, "cannot sort by %q: use one of %s, with a leading - for descending", q.Sort, strings.Join(names, ", "))
	}
	var rows []CountryYear
	for _, g := range all {
		if q.Region != "" && !IsMember(GroupRegion, q.Region, g, q.Year) || q.Income != "" && !IsMember(GroupIncome, q.Income, g, q.Year) {
			continue
		}
		r := CountryYear{Country: g.Country, Methods: g.Methods, Figures: YearGaps{Year: q.Year}}
		if y := g.year(q.Year); y != nil {
			r.Figures = *y
		}
		rows = append(rows, r)
	}
	slices.SortStableFunc(rows, func(a, b CountryYear) int {
		va, vb := get(a.Figures), get(b.Figures)
		switch {
		case va == nil && vb == nil:
			return cmp.Compare(a.Country.ISO3, b.Country.ISO3)
		case va == nil:
			return 1
		case vb == nil:
			return -1
		}
		o := cmp.Compare(*va, *vb)
		if desc {
			o = -o
		}
		if o == 0 {
			o = cmp.Compare(a.Country.ISO3, b.Country.ISO3)
		}
		return o
	})
	return rows, nil
}

// DefaultRankSort ranks by mg ME per capita, highest first.
const DefaultRankSort = "-me_mg_per_capita"

// RankRow is one country's place in a ranking: Position is its place in
// the list (1, 2, 3, ...); Rank is shared by ties (1, 2, 2, 4) and 0 for a
// country without the figure ranked by, which comes last.
type RankRow struct {
	Position int
	Rank     int
	Country  CountryRef
	Year     YearGaps // the ranked year's figures; only Year set when the country has none
}

// Rank is RankCountries (by DefaultRankSort when q.Sort is empty, region
// and income group in any case) with positions and ranks, and the Methods
// of the first country kept (every country shares them), nil when none is.
func Rank(all []CountryGaps, q RankQuery) ([]RankRow, *Methods, error) {
	q.Region, q.Income = strings.ToUpper(q.Region), strings.ToUpper(q.Income)
	if q.Sort == "" {
		q.Sort = DefaultRankSort
	}
	ranked, err := RankCountries(all, q)
	if err != nil {
		return nil, nil, err
	}
	get := RankFields[strings.TrimPrefix(q.Sort, "-")]
	rows := make([]RankRow, len(ranked))
	var methods *Methods
	for i, r := range ranked {
		if methods == nil {
			m := r.Methods
			methods = &m
		}
		rows[i] = RankRow{Position: i + 1, Country: r.Country, Year: r.Figures}
		v := get(r.Figures)
		switch {
		case v == nil:
			rows[i].Rank = 0
		case i > 0 && get(ranked[i-1].Figures) != nil && *get(ranked[i-1].Figures) == *v:
			rows[i].Rank = rows[i-1].Rank
		default:
			rows[i].Rank = i + 1
		}
	}
	return rows, methods, nil
}
