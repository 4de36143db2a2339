package access

import (
	"math"
	"sort"
)

// GroupKind is what a group of countries is: a WHO region, a World Bank
// income group, or the world.
type GroupKind string

const (
	GroupRegion GroupKind = "region" // code: a WHO region (AFR, AMR, ...)
	GroupIncome GroupKind = "income" // code: a World Bank income group (LIC, ...)
	GroupWorld  GroupKind = "world"  // code: "WLD" by convention; every country
)

// GroupGaps is the gap figures of a group of countries in one year.
//
// Ratios are ratios of totals over the countries that have both terms
// (Σ me_mg ÷ Σ population), never means of the countries' ratios. The
// group's gap is the sum of the countries' gaps: a surplus in one country
// does not close another's gap, so gap_me_mg ≥ need_me_mg − me_mg.
type GroupGaps struct {
	Kind GroupKind `json:"kind"`
	Code string    `json:"code"`
	Year int       `json:"year"`

	Countries            int `json:"countries"`              // members passed in
	CountriesWithData    int `json:"countries_with_data"`    // with me_mg_per_capita for the year
	CountriesWithoutData int `json:"countries_without_data"` // the rest, including members with no row for the year
	CountriesWithNeed    int `json:"countries_with_need"`    // with both me_mg and need_me_mg

	Population           *float64 `json:"population"`               // Σ population, countries with data
	MEMg                 *float64 `json:"me_mg"`                    // Σ me_mg, every country reporting it
	MEMgPerCapita        *float64 `json:"me_mg_per_capita"`         // Σ me_mg ÷ Σ population, countries with both
	SDDDPerMillionPerDay *float64 `json:"sddd_per_million_per_day"` // Σ S-DDD per day ÷ Σ population/10⁶, countries with both
	NeedMEMg             *float64 `json:"need_me_mg"`               // Σ need, countries with need
	GapMEMg              *float64 `json:"gap_me_mg"`                // Σ per-country gaps
	NeedMetPct           *float64 `json:"need_met_pct"`             // 100 × Σ me_mg ÷ Σ need, countries with both
	MorphineKgToCloseGap *float64 `json:"morphine_kg_to_close_gap"` // gap_me_mg ÷ 10⁶

	MedianMEMgPerCapita *float64 `json:"median_me_mg_per_capita"`
	MedianSDDD3YrAvg    *float64 `json:"median_sddd_3yr_avg"`

	AdequacyCounts      map[string]int `json:"adequacy_counts"`       // INCB band → countries
	BenchmarkBandCounts map[string]int `json:"benchmark_band_counts"` // benchmark band → countries
	ACMBandCounts       map[string]int `json:"acm_band_counts"`       // ACM band → countries

	// WorldSharePct is 100 × the group's me_mg ÷ the world's; set by
	// AggregateAll or from WorldShare, null otherwise.
	WorldSharePct *float64 `json:"world_share_pct"`

	Ranking []RankedCountry `json:"ranking"`
}

// RankedCountry is one country's place in its group, by mg ME per capita.
// Countries without that figure are not ranked.
type RankedCountry struct {
	Rank                int        `json:"rank"` // 1 = highest; ties share a rank (1, 2, 2, 4)
	Country             CountryRef `json:"country"`
	MEMgPerCapita       float64    `json:"me_mg_per_capita"`
	BenchmarkIndex      *float64   `json:"benchmark_index"`
	NeedMetPct          *float64   `json:"need_met_pct"`
	Adequacy            *string    `json:"adequacy"`
	MEMgPerCapitaCAGR5y *float64   `json:"me_mg_per_capita_cagr_5y"` // see CAGR; the five years end at the group's year
}

// inGroup reports whether c belongs to the group kind/code. Countries are
// matched on their CountryRef: WHORegion for regions, IncomeGroup for
// income groups; the world (and any other kind) takes every country.
func inGroup(kind GroupKind, code string, c CountryRef) bool {
	switch kind {
	case GroupRegion:
		return c.WHORegion == code
	case GroupIncome:
		return c.IncomeGroup == code
	}
	return true
}

// Aggregate computes the group's figures for year over the members of
// countries (those outside the group are ignored, so the full list may be
// passed). WorldSharePct is left null: see WorldShare and AggregateAll.
func Aggregate(kind GroupKind, code string, year int, countries []CountryGaps) GroupGaps {
	g := GroupGaps{
		Kind: kind, Code: code, Year: year,
		AdequacyCounts:      map[string]int{},
		BenchmarkBandCounts: map[string]int{},
		ACMBandCounts:       map[string]int{},
		Ranking:             []RankedCountry{},
	}
	var (
		me, mePop, meForPop, need, meForNeed, needForMe, gap float64
		sdddDay, sdddPop                                     float64
		nME, nNeed, nGap, nSDDD                              int
		perCapita, sddd3                                     []float64
	)
	for _, c := range countries {
		y := c.year(year)
		if !isMember(y) || !inGroupYear(kind, code, c.Country, y) {
			continue
		}
		g.Countries++
		if y == nil || y.MEMgPerCapita == nil {
			g.CountriesWithoutData++
		}
		if y == nil {
			continue
		}
		if y.MEMg != nil {
			me += *y.MEMg
			nME++
		}
		if y.MEMg != nil && y.Population != nil {
			g.CountriesWithData++
			meForPop += *y.MEMg
			mePop += *y.Population
		}
		if y.Population != nil && y.SDDDPerMillionPerDay != nil {
			sdddDay += *y.SDDDPerMillionPerDay * *y.Population / 1e6
			sdddPop += *y.Population
			nSDDD++
		}
		if y.NeedMEMg != nil {
			need += *y.NeedMEMg
			nNeed++
			if y.MEMg != nil {
				meForNeed += *y.MEMg
				needForMe += *y.NeedMEMg
				g.CountriesWithNeed++
			}
		}
		if y.GapMEMg != nil {
			gap += *y.GapMEMg
			nGap++
		}
		if y.MEMgPerCapita != nil {
			perCapita = append(perCapita, *y.MEMgPerCapita)
			g.Ranking = append(g.Ranking, RankedCountry{
				Country:             c.Country,
				MEMgPerCapita:       *y.MEMgPerCapita,
				BenchmarkIndex:      y.BenchmarkIndex,
				NeedMetPct:          y.NeedMetPct,
				Adequacy:            y.Adequacy,
				MEMgPerCapitaCAGR5y: CAGR(PerCapitaSeries(c, year)),
			})
		}
		if y.SDDD3YrAvg != nil {
			sddd3 = append(sddd3, *y.SDDD3YrAvg)
		}
		if y.Adequacy != nil {
			g.AdequacyCounts[*y.Adequacy]++
		}
		if y.BenchmarkBand != nil {
			g.BenchmarkBandCounts[*y.BenchmarkBand]++
		}
		if y.ACMBand != nil {
			g.ACMBandCounts[*y.ACMBand]++
		}
	}
	if g.CountriesWithData > 0 {
		g.Population = F(mePop)
		g.MEMgPerCapita = F(meForPop / mePop)
	}
	if nME > 0 {
		g.MEMg = F(me)
	}
	if nSDDD > 0 {
		g.SDDDPerMillionPerDay = F(sdddDay / (sdddPop / 1e6))
	}
	if nNeed > 0 {
		g.NeedMEMg = F(need)
	}
	if nGap > 0 {
		g.GapMEMg = F(gap)
		g.MorphineKgToCloseGap = F(gap / 1e6)
	}
	if needForMe > 0 {
		g.NeedMetPct = F(100 * meForNeed / needForMe)
	}
	g.MedianMEMgPerCapita = median(perCapita)
	g.MedianSDDD3YrAvg = median(sddd3)
	rank(g.Ranking)
	return g
}

// year returns the country's figures for year y, or nil.
func (c CountryGaps) year(y int) *YearGaps {
	for i := range c.Years {
		if c.Years[i].Year == y {
			return &c.Years[i]
		}
	}
	return nil
}

func rank(rs []RankedCountry) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].MEMgPerCapita != rs[j].MEMgPerCapita {
			return rs[i].MEMgPerCapita > rs[j].MEMgPerCapita
		}
		return rs[i].Country.ISO3 < rs[j].Country.ISO3
	})
	for i := range rs {
		if i > 0 && rs[i].MEMgPerCapita == rs[i-1].MEMgPerCapita {
			rs[i].Rank = rs[i-1].Rank
		} else {
			rs[i].Rank = i + 1
		}
	}
}

// median is the middle value (the mean of the two middle values for an
// even count), or nil for none.
func median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return F(s[n/2])
	}
	return F((s[n/2-1] + s[n/2]) / 2)
}

// WorldShare is 100 × group.MEMg ÷ world.MEMg: the percentage of the
// world's morphine-equivalent consumption the group accounts for; nil when
// either total is missing or the world's is 0.
func WorldShare(group, world GroupGaps) *float64 {
	if group.MEMg == nil || world.MEMg == nil || *world.MEMg == 0 {
		return nil
	}
	return F(100 * *group.MEMg / *world.MEMg)
}

// WorldCode is the code of the world group.
const WorldCode = "WLD"

// AggregateAll computes, for year, the world, each WHO region and each
// World Bank income group over countries, each with its world share.
func AggregateAll(year int, countries []CountryGaps) []GroupGaps {
	world := Aggregate(GroupWorld, WorldCode, year, countries)
	world.WorldSharePct = WorldShare(world, world)
	out := []GroupGaps{world}
	for _, r := range WHORegions {
		g := Aggregate(GroupRegion, r, year, countries)
		g.WorldSharePct = WorldShare(g, world)
		out = append(out, g)
	}
	for _, ig := range IncomeGroups {
		g := Aggregate(GroupIncome, ig, year, countries)
		g.WorldSharePct = WorldShare(g, world)
		out = append(out, g)
	}
	return out
}

// YearValue is one point of a yearly series; a nil Value is a year without data.
type YearValue struct {
	Year  int      `json:"year"`
	Value *float64 `json:"value"`
}

// CAGRYears is how many of the latest points with data CAGR uses.
const CAGRYears = 5

// CAGR is the compound annual growth rate, as a fraction (0.05 = 5% a
// year), over the last CAGRYears points of series that have data: with
// first and last the earliest and latest of those points and n the
// difference of their years,
//
//	CAGR = (last ÷ first)^(1/n) − 1
//
// It is nil with fewer than two points with data or a start ≤ 0. The
// series need not be sorted.
func CAGR(series []YearValue) *float64 {
	pts := make([]YearValue, 0, len(series))
	for _, p := range series {
		if p.Value != nil && !math.IsNaN(*p.Value) {
			pts = append(pts, p)
		}
	}
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].Year < pts[j].Year })
	if len(pts) > CAGRYears {
		pts = pts[len(pts)-CAGRYears:]
	}
	if len(pts) < 2 {
		return nil
	}
	first, last := pts[0], pts[len(pts)-1]
	n := last.Year - first.Year
	if n <= 0 || *first.Value <= 0 || *last.Value < 0 {
		return nil
	}
	return F(math.Pow(*last.Value / *first.Value, 1/float64(n)) - 1)
}

// PerCapitaSeries is a country's me_mg_per_capita by year, up to and
// including year through (every year when through is 0).
func PerCapitaSeries(c CountryGaps, through int) []YearValue {
	out := make([]YearValue, 0, len(c.Years))
	for _, y := range c.Years {
		if through == 0 || y.Year <= through {
			out = append(out, YearValue{Year: y.Year, Value: y.MEMgPerCapita})
		}
	}
	return out
}
