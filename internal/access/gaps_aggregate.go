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
// Members are decided in one place (IsMember). A member has data when it
// has mg ME per capita for the year (a consumption figure and a
// population); a not-reported year has none. Ratios are ratios of totals
// over the members that have both terms, never means of the members'
// ratios. Need is compared with consumption country by country: a surplus
// in one country does not meet need in another, so need_met_pct is
// Σ min(consumed, need) ÷ Σ need, and the plain ratio of sums is
// consumption_to_need_pct.
type GroupGaps struct {
	Kind GroupKind `json:"kind"`
	Code string    `json:"code"`
	Year int       `json:"year"`
	// DataVersion and Methods are set by GapService (0 and null from Aggregate).
	DataVersion int64 `json:"data_version"`
	Denominators
	Methods *Methods `json:"methods"`
	// Sources are the uploads the figures read, with their terms.
	Sources []SourceUse `json:"sources,omitempty"`

	Countries            int `json:"countries"`              // members
	CountriesWithData    int `json:"countries_with_data"`    // members with me_mg_per_capita for the year
	CountriesWithoutData int `json:"countries_without_data"` // the rest, including members with no row for the year
	CountriesWithNeed    int `json:"countries_with_need"`    // members with both me_mg and the headline need_me_mg

	Population            float64 `json:"population"`              // Σ population, every member with a population figure
	PopulationWithData    float64 `json:"population_with_data"`    // Σ population, members with data
	PopulationWithoutData float64 `json:"population_without_data"` // population − population_with_data

	MEMg                 *float64 `json:"me_mg"`                    // Σ me_mg, members with data
	MEMgPerCapita        *float64 `json:"me_mg_per_capita"`         // Σ me_mg ÷ population_with_data
	SDDDPerMillionPerDay *float64 `json:"sddd_per_million_per_day"` // Σ S-DDD per day ÷ Σ population/10⁶, members with both

	// The headline need model's figures, over the members with both
	// consumption and need (countries_with_need).
	NeedMEMg             *float64 `json:"need_me_mg"`              // Σ need
	GapMEMg              *float64 `json:"gap_me_mg"`               // Σ max(0, need − me_mg)
	NeedMetPct           *float64 `json:"need_met_pct"`            // 100 × Σ min(me_mg, need) ÷ Σ need
	ConsumptionToNeedPct *float64 `json:"consumption_to_need_pct"` // 100 × Σ me_mg ÷ Σ need
	MorphineKgToCloseGap *float64 `json:"morphine_kg_to_close_gap"`
	CostToCloseGapUSD    *float64 `json:"cost_to_close_gap_usd"` // Σ gap × methods.price.usd_per_mg
	// Every need model's figures, each over its own members with both.
	NeedModels      NeedByModel `json:"need_models"`
	NeedMetPctRange *[2]float64 `json:"need_met_pct_range"`

	MedianMEMgPerCapita *float64 `json:"median_me_mg_per_capita"` // members with data
	MedianSDDD3YrAvg    *float64 `json:"median_sddd_3yr_avg"`

	AdequacyCounts      map[string]int `json:"adequacy_counts"`       // INCB band → countries
	BenchmarkBandCounts map[string]int `json:"benchmark_band_counts"` // benchmark band → countries
	ACMBandCounts       map[string]int `json:"acm_band_counts"`       // ACM band → countries

	// Persons living in members with data, by the band of their figure;
	// BandNone holds those whose figure is null. Each sums to
	// population_with_data.
	PopulationByAdequacy      map[string]float64 `json:"population_by_adequacy"`
	PopulationByBenchmarkBand map[string]float64 `json:"population_by_benchmark_band"`
	PopulationByACMBand       map[string]float64 `json:"population_by_acm_band"`

	// WorldSharePct is 100 × the group's me_mg ÷ the world's; set by
	// AggregateAll or from WorldShare, null otherwise.
	WorldSharePct *float64 `json:"world_share_pct"`

	Ranking []RankedCountry `json:"ranking"`
	AvailabilityGroupFields
}

// BandNone is the band of a member with data whose banded figure is null.
const BandNone = "none"

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

// IsMember reports whether c belongs to the group kind/code in year: the
// one place group membership is decided. Regions match WHORegion, income
// groups incomeGroupOf; the world (and any other kind) takes every country.
// A group's figures count only the members with a population figure that
// year (isMember).
func IsMember(kind GroupKind, code string, c CountryGaps, year int) bool {
	switch kind {
	case GroupRegion:
		return c.Country.WHORegion == code
	case GroupIncome:
		return incomeGroupOf(c, year) == code
	}
	return true
}

// incomeGroupOf is the World Bank income group of c for data year year:
// the one place it is looked up; see incomeGroupOfYear.
func incomeGroupOf(c CountryGaps, year int) string {
	return incomeGroupOfYear(c, year)
}

// needPair is one member's consumption and need under one model.
type needPair struct{ me, need float64 }

// groupNeed sums a model's figures over members with both terms.
func groupNeed(ps []needPair) (f NeedFigures, toNeedPct *float64) {
	if len(ps) == 0 {
		return f, nil
	}
	var me, need, met, gap float64
	for _, p := range ps {
		me += p.me
		need += p.need
		met += math.Min(p.me, p.need)
		gap += math.Max(0, p.need-p.me)
	}
	f.NeedMEMg, f.GapMEMg = F(need), F(gap)
	if need > 0 {
		f.NeedMetPct = F(100 * met / need)
		toNeedPct = F(100 * me / need)
	}
	return f, toNeedPct
}

// groupSums accumulates a group's totals while Aggregate walks its members.
type groupSums struct {
	me, sdddDay, sdddPop float64
	nSDDD                int
	perCapita, sddd3     []float64
	need                 map[string][]needPair // model → members with both
}

// Aggregate computes the group's figures for year over the members of
// countries (those outside the group are ignored, so the full list may be
// passed). WorldSharePct is left null: see WorldShare and AggregateAll.
func Aggregate(kind GroupKind, code string, year int, countries []CountryGaps) GroupGaps {
	g := GroupGaps{
		Kind: kind, Code: code, Year: year,
		AdequacyCounts: map[string]int{}, BenchmarkBandCounts: map[string]int{}, ACMBandCounts: map[string]int{},
		PopulationByAdequacy: map[string]float64{}, PopulationByBenchmarkBand: map[string]float64{},
		PopulationByACMBand: map[string]float64{},
		NeedModels:          NeedByModel{}, Ranking: []RankedCountry{},
	}
	sums := groupSums{need: map[string][]needPair{}}
	headline := ""
	var price *Price
	for _, c := range countries {
		if price == nil {
			price = c.Methods.Price
		}
		if !IsMember(kind, code, c, year) || !isMember(c.year(year)) {
			continue
		}
		if headline == "" && c.Methods.NeedModel != nil {
			headline = c.Methods.NeedModel.Name
		}
		g.Countries++
		y := c.year(year)
		if y != nil && y.Population != nil {
			g.Population += *y.Population
		}
		if !hasData(y) {
			g.CountriesWithoutData++
			continue
		}
		g.addMember(c, y, &sums)
	}
	g.finish(&sums, headline)
	g.CostToCloseGapUSD = costOf(g.GapMEMg, price)
	priceModels(g.NeedModels, price)
	return g
}

// hasData reports whether a member's year has data: mg ME per capita, with
// the consumption and population it is made of.
func hasData(y *YearGaps) bool {
	return y != nil && y.MEMgPerCapita != nil && y.MEMg != nil && y.Population != nil
}

// addMember adds a member with data to the group's sums.
func (g *GroupGaps) addMember(c CountryGaps, y *YearGaps, s *groupSums) {
	pop := *y.Population
	g.CountriesWithData++
	g.PopulationWithData += pop
	s.me += *y.MEMg
	s.perCapita = append(s.perCapita, *y.MEMgPerCapita)
	if y.SDDDPerMillionPerDay != nil {
		s.sdddDay += *y.SDDDPerMillionPerDay * pop / 1e6
		s.sdddPop += pop
		s.nSDDD++
	}
	if y.SDDD3YrAvg != nil {
		s.sddd3 = append(s.sddd3, *y.SDDD3YrAvg)
	}
	for name, f := range y.NeedModels {
		if f.NeedMEMg != nil {
			s.need[name] = append(s.need[name], needPair{me: *y.MEMg, need: *f.NeedMEMg})
		}
	}
	countBand(g.AdequacyCounts, g.PopulationByAdequacy, y.Adequacy, pop)
	countBand(g.BenchmarkBandCounts, g.PopulationByBenchmarkBand, y.BenchmarkBand, pop)
	countBand(g.ACMBandCounts, g.PopulationByACMBand, y.ACMBand, pop)
	g.Ranking = append(g.Ranking, RankedCountry{
		Country:             c.Country,
		MEMgPerCapita:       *y.MEMgPerCapita,
		BenchmarkIndex:      y.BenchmarkIndex,
		NeedMetPct:          y.NeedMetPct,
		Adequacy:            y.Adequacy,
		MEMgPerCapitaCAGR5y: CAGR(PerCapitaSeries(c, g.Year)),
	})
}

// countBand counts a member in its band (countries only when the band is
// known) and its population in the band or BandNone.
func countBand(counts map[string]int, persons map[string]float64, b *string, pop float64) {
	if b == nil {
		persons[BandNone] += pop
		return
	}
	counts[*b]++
	persons[*b] += pop
}

// finish turns the sums into the group's figures; headline names the
// need model of the headline fields.
func (g *GroupGaps) finish(s *groupSums, headline string) {
	g.PopulationWithoutData = g.Population - g.PopulationWithData
	if g.CountriesWithData > 0 {
		g.MEMg = F(s.me)
		if g.PopulationWithData > 0 {
			g.MEMgPerCapita = F(s.me / g.PopulationWithData)
		}
	}
	if s.nSDDD > 0 && s.sdddPop > 0 {
		g.SDDDPerMillionPerDay = F(s.sdddDay / (s.sdddPop / 1e6))
	}
	for name, ps := range s.need {
		f, toNeed := groupNeed(ps)
		g.NeedModels[name] = f
		if name != headline {
			continue
		}
		g.CountriesWithNeed = len(ps)
		g.NeedMEMg, g.GapMEMg, g.NeedMetPct, g.ConsumptionToNeedPct = f.NeedMEMg, f.GapMEMg, f.NeedMetPct, toNeed
		if f.GapMEMg != nil {
			g.MorphineKgToCloseGap = F(*f.GapMEMg / 1e6)
		}
	}
	g.NeedMetPctRange = g.NeedModels.pctRange()
	g.MedianMEMgPerCapita = median(s.perCapita)
	g.MedianSDDD3YrAvg = median(s.sddd3)
	rank(g.Ranking)
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
