package access

import "sort"

// IncomeYear is a country's World Bank income group for one data year.
// The World Bank classifies economies each 1 July for its fiscal year FYnn
// from GNI per capita of calendar year nn − 2, so the classification of
// data year Y is the one of fiscal year Y + 2.
type IncomeYear struct {
	ISO3    string
	Year    int    // the calendar year of the data classified
	Group   string // LIC, LMC, UMC, HIC; "" where the economy was not classified
	Vintage string // the fiscal year of the classification, e.g. "FY2015"
	Lineage Lineage
}

// IncomeFiscalLag is how many years a fiscal year's classification comes
// after the data year it is made from (FY2015 classifies 2013 data).
const IncomeFiscalLag = 2

// Flags on a country-year's income group.
const (
	// FlagIncomeGroupCarried: the year is after the latest classification
	// of the country; the latest is carried forward.
	FlagIncomeGroupCarried = "income_group_carried"
	// FlagIncomeGroupCurrent: no classification by year is loaded for the
	// country; today's classification stands in.
	FlagIncomeGroupCurrent = "income_group_current"
)

// IncomeGroupAt is the income group of a country for data year y: the
// classification made from that year's data; for a year after the latest
// one in hist, the latest (flag income_group_carried); with no history at
// all, the country's current classification (flag income_group_current).
// The group is "" where the economy was not classified that year, and the
// flag is "" when none applies.
func IncomeGroupAt(current string, hist []IncomeYear, y int) (group, vintage, flag string) {
	if len(hist) == 0 {
		return current, "", FlagIncomeGroupCurrent
	}
	last := hist[0]
	for _, h := range hist {
		if h.Year == y {
			return h.Group, h.Vintage, ""
		}
		if h.Year > last.Year {
			last = h
		}
	}
	if y > last.Year {
		return last.Group, last.Vintage, FlagIncomeGroupCarried
	}
	return "", "", ""
}

// yearIncomeGroup is the income group of a country-year as its figures
// carry it (see IncomeGroupAt).
func yearIncomeGroup(ci *CountryInputs, y int) (group, flag string) {
	g, _, f := IncomeGroupAt(ci.Country.IncomeGroup, ci.Income, y)
	return g, f
}

// sortIncome orders a country's income years by year.
func sortIncome(hs []IncomeYear) {
	sort.SliceStable(hs, func(i, j int) bool { return hs[i].Year < hs[j].Year })
}

// bordersAbsent reports whether the country did not exist as itself in y.
func bordersAbsent(ci *CountryInputs, y int) bool {
	if ci.ExistsFrom > 0 && y < ci.ExistsFrom || ci.ExistsTo > 0 && y > ci.ExistsTo {
		return true
	}
	for _, f := range ci.YearFlags[y] {
		if f == FlagStateNotExisting {
			return true
		}
	}
	return false
}

// isMember reports whether a country-year counts in group figures: the
// world's members are the countries and territories with a population
// figure that year (not Antarctica or Bouvet Island, not a state before it
// existed, not a former state without its successors' population).
func isMember(y *YearGaps) bool { return y != nil && y.Population != nil }

// incomeGroupOfYear is the World Bank income group of c for data year
// year, as its year row carries it (the classification made from that
// year's data); "" when the economy was not classified that year. A
// country without a row for the year falls back on today's
// classification.
func incomeGroupOfYear(c CountryGaps, year int) string {
	y := c.year(year)
	if y == nil {
		return c.Country.IncomeGroup
	}
	if y.IncomeGroup == nil {
		return ""
	}
	return *y.IncomeGroup
}
