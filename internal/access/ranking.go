package access

import (
	"cmp"
	"slices"
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

// DefaultRankSort ranks by mg ME per capita, highest first.
const DefaultRankSort = "-me_mg_per_capita"

// RankQuery selects and orders the countries of a ranking. Region and
// Income, when set, keep only the countries of that WHO region or income
// group. Sort is a key of RankFields, with a leading '-' for descending.
type RankQuery struct {
	Year   int
	Region string
	Income string
	Sort   string
}

// RankRow is one country's place in a ranking: Position is its place in
// the list (1, 2, 3, ...); Rank is shared by ties (1, 2, 2, 4) and 0 for a
// country without the figure ranked by, which comes last.
type RankRow struct {
	Position int
	Rank     int
	Country  CountryRef
	Year     YearGaps // the ranked year's figures; only Year set when the country has none
}

// Rank orders the countries of all for q.Year by q.Sort; countries without
// the figure come last, by ISO3. It also returns the Methods of the first
// country kept (every country shares them), nil when none is.
func Rank(all []CountryGaps, q RankQuery) ([]RankRow, *Methods, error) {
	q.Region, q.Income = strings.ToUpper(q.Region), strings.ToUpper(q.Income)
	if q.Region != "" && !slices.Contains(WHORegions, q.Region) {
		return nil, nil, Errorf(Invalid, "Rank", "unknown WHO region %q: use one of %s", q.Region, strings.Join(WHORegions, ", "))
	}
	if q.Income != "" && !slices.Contains(IncomeGroups, q.Income) {
		return nil, nil, Errorf(Invalid, "Rank", "unknown income group %q: use one of %s", q.Income, strings.Join(IncomeGroups, ", "))
	}
	if q.Sort == "" {
		q.Sort = DefaultRankSort
	}
	field, desc := strings.TrimPrefix(q.Sort, "-"), strings.HasPrefix(q.Sort, "-")
	get, ok := RankFields[field]
	if !ok {
		names := make([]string, 0, len(RankFields))
		for k := range RankFields {
			names = append(names, k)
		}
		slices.Sort(names)
		return nil, nil, Errorf(Invalid, "Rank", "cannot sort by %q: use one of %s, with a leading - for descending", q.Sort, strings.Join(names, ", "))
	}
	var rows []RankRow
	var methods *Methods
	for _, g := range all {
		if q.Region != "" && g.Country.WHORegion != q.Region || q.Income != "" && g.Country.IncomeGroup != q.Income {
			continue
		}
		if methods == nil {
			m := g.Methods
			methods = &m
		}
		r := RankRow{Country: g.Country, Year: YearGaps{Year: q.Year}}
		if y := g.year(q.Year); y != nil {
			r.Year = *y
		}
		rows = append(rows, r)
	}
	order := func(a, b RankRow) int {
		va, vb := get(a.Year), get(b.Year)
		switch {
		case va == nil && vb == nil:
			return 0
		case va == nil:
			return 1
		case vb == nil:
			return -1
		}
		if desc {
			return cmp.Compare(*vb, *va)
		}
		return cmp.Compare(*va, *vb)
	}
	slices.SortStableFunc(rows, func(a, b RankRow) int {
		if o := order(a, b); o != 0 {
			return o
		}
		return cmp.Compare(a.Country.ISO3, b.Country.ISO3)
	})
	for i := range rows {
		rows[i].Position = i + 1
		switch {
		case get(rows[i].Year) == nil:
			rows[i].Rank = 0
		case i > 0 && order(rows[i-1], rows[i]) == 0:
			rows[i].Rank = rows[i-1].Rank
		default:
			rows[i].Rank = i + 1
		}
	}
	return rows, methods, nil
}
