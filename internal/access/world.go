package access

import (
	"context"
	"strings"
)

// WorldPicture is the world's figures for one year as the home page shows
// them: how many people live in each INCB adequacy band, and each income
// group's share of the world's people and of its morphine equivalent.
type WorldPicture struct {
	Year  int
	World GroupGaps
	// Bands lists the INCB adequacy bands, lowest first, then a last row
	// (Band BandNone) for people in countries with data whose band cannot
	// be computed. From World.PopulationByAdequacy.
	Bands   []BandPopulation
	Incomes []IncomeShare
	Regions []GroupGaps
	// Adequacy is each country's band in Year, by ISO3 (nil: no band);
	// countries without a row for the year are absent.
	Adequacy map[string]*string
}

// BandPopulation is the population of the countries in one band.
type BandPopulation struct {
	Band       string
	Countries  int
	Population float64
	SharePct   *float64 // of the world's population with data
}

// IncomeShare is an income group's share of the world's people and
// morphine equivalent, over the countries with data.
type IncomeShare struct {
	Group         GroupGaps
	PopulationPct *float64 // 100 × population_with_data ÷ the world's
	MEPct         *float64 // 100 × me_mg ÷ the world's (WorldShare)
}

// LatestYear is the latest year for which at least half as many countries
// have mg ME per capita as in the best-covered year: reports arrive late,
// and a year in which only a few countries have reported would misstate the
// world. 0 when no country has the figure.
func LatestYear(all []CountryGaps) int {
	count := map[int]int{}
	best := 0
	for _, c := range all {
		for _, y := range c.Years {
			if y.MEMgPerCapita != nil {
				count[y.Year]++
				best = max(best, count[y.Year])
			}
		}
	}
	latest := 0
	for y, n := range count {
		if 2*n >= best && y > latest {
			latest = y
		}
	}
	return latest
}

// PictureOf computes the world picture for year from every country's
// figures; bands are the INCB adequacy band labels, lowest first. Groups
// are aggregated as GapService.Group aggregates them.
func PictureOf(year int, all []CountryGaps, bands []string) WorldPicture {
	p := WorldPicture{Year: year, World: Aggregate(GroupWorld, WorldCode, year, all), Adequacy: map[string]*string{}}
	p.World.WorldSharePct = WorldShare(p.World, p.World)
	for _, c := range all {
		if y := c.year(year); y != nil {
			p.Adequacy[c.Country.ISO3] = y.Adequacy
		}
	}
	share := func(part, whole float64) *float64 {
		if whole <= 0 {
			return nil
		}
		v := 100 * part / whole
		return &v
	}
	banded := 0
	for _, b := range bands {
		banded += p.World.AdequacyCounts[b]
	}
	for _, b := range append(append([]string(nil), bands...), BandNone) {
		bp := BandPopulation{Band: b, Population: p.World.PopulationByAdequacy[b], Countries: p.World.AdequacyCounts[b]}
		if b == BandNone { // members with data but no band
			bp.Countries = p.World.CountriesWithData - banded
		}
		bp.SharePct = share(bp.Population, p.World.PopulationWithData)
		p.Bands = append(p.Bands, bp)
	}
	for _, code := range IncomeGroups {
		g := Aggregate(GroupIncome, code, year, all)
		g.WorldSharePct = WorldShare(g, p.World)
		p.Incomes = append(p.Incomes, IncomeShare{Group: g, MEPct: g.WorldSharePct,
			PopulationPct: share(g.PopulationWithData, p.World.PopulationWithData)})
	}
	for _, code := range WHORegions {
		g := Aggregate(GroupRegion, code, year, all)
		g.WorldSharePct = WorldShare(g, p.World)
		p.Regions = append(p.Regions, g)
	}
	return p
}

// World computes the world picture for year (0: LatestYear) under model.
func (s *GapService) World(ctx context.Context, year int, model string) (WorldPicture, error) {
	fs, err := s.FactorSet(ctx, model)
	if err != nil {
		return WorldPicture{}, err
	}
	all, err := s.All(ctx, 0, 0, model)
	if err != nil {
		return WorldPicture{}, err
	}
	if year == 0 {
		year = LatestYear(all)
	}
	var bands []string
	for _, r := range sortedBands(fs.INCBBands) {
		bands = append(bands, r.Key)
	}
	return PictureOf(year, all, bands), nil
}

// MaxCompared is how many countries one comparison may hold.
const MaxCompared = 5

// ParseCountryList reads a comma-separated list of ISO3 codes, upper-cased,
// without repeats, at most max of them.
func ParseCountryList(s string, max int) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.ToUpper(strings.TrimSpace(f))
		if f == "" || seen[f] {
			continue
		}
		if len(f) != 3 || strings.Trim(f, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			return nil, Errorf(Invalid, "countries", "%q is not an ISO 3166-1 alpha-3 code", f)
		}
		seen[f] = true
		out = append(out, f)
	}
	if len(out) > max {
		return nil, Errorf(Invalid, "countries", "at most %d countries at once, not %d", max, len(out))
	}
	return out, nil
}

// Countries computes the figures of each country in isos, in that order,
// for from..to (0, 0: each country's consumption years).
func (s *GapService) Countries(ctx context.Context, isos []string, from, to int, model string) ([]CountryGaps, error) {
	out := make([]CountryGaps, 0, len(isos))
	for _, iso := range isos {
		g, err := s.Country(ctx, iso, from, to, model)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// OnlyCountries keeps the countries whose ISO3 is in isos; all of them
// when isos is empty.
func OnlyCountries(all []CountryGaps, isos []string) []CountryGaps {
	if len(isos) == 0 {
		return all
	}
	var out []CountryGaps
	for _, c := range all {
		if contains(isos, c.Country.ISO3) {
			out = append(out, c)
		}
	}
	return out
}
