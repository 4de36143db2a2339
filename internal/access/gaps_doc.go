package access

// DaysPerYear is the number of days S-DDD per million inhabitants per day
// divides a year's consumption by. It is 365 in every year, leap years
// included, as INCB computes the figure; a leap year therefore reads about
// 0.27% higher than a days-in-year division would give.
//
// # The gap figures
//
// docs/METHODOLOGY.md sets out every figure ComputeCountry and Aggregate
// make, with its formula, units, factor tables and sources, the three
// states of a consumed quantity, the data-quality rules and the group
// figures. computeYear (gaps_year.go) follows its sections 3 to 8 in order;
// Aggregate (gaps_aggregate.go) its section 10. Every factor is a row of a
// versioned FactorTable, never a constant in code; the versions used are
// recorded in Methods.
//
// In short, for one country-year, with consumption in grams of anhydrous
// base, population in persons and deaths by cause:
//
//	me_mg                    = Σ ME drugs g × 1000 × ME factor
//	me_mg_per_capita         = me_mg ÷ population
//	sddd_per_million_per_day = Σ basket (mg ÷ S-DDD mg) ÷ 365 ÷ (population ÷ 10⁶)
//	sddd_3yr_avg             = mean of the year and the two before, all three required
//	benchmark_index          = 100 × me_mg_per_capita ÷ reference (256 mg ME)
//	need_me_mg               = Σ causes deaths × share × mg per day × days
//	                           + population × mg ME per inhabitant
//	need_met_pct             = 100 × me_mg ÷ need_me_mg
//	gap_me_mg                = max(0, need_me_mg − me_mg)
//	acm                      = me_mg ÷ need_me_mg
//
// A year that is not reported (no rows, every cell blank, or marked by the
// suspected-not-reported rule) has every consumption figure null.
const DaysPerYear = 365

// gapFormulas are the short formula strings carried in Methods.
var gapFormulas = Formulas{
	MEMg:                 "sum over ME-table drugs of g*1000*me_factor",
	SDDDPerMillionPerDay: "sum over basket drugs of (g*1000/sddd_mg) / 365 / (population/1e6)",
	SDDD3YrAvg:           "mean(sddd_per_million_per_day of year, year-1, year-2), all three required",
	BenchmarkIndex:       "100 * me_mg_per_capita / benchmark_reference.mg_me_per_capita",
	NeedMEMg:             "sum over need-model rows of deaths(cause)*share*mg_per_day*days, or population*value for the row 'population'",
	NeedMetPct:           "100 * me_mg / need_me_mg",
	GapMEMg:              "max(0, need_me_mg - me_mg)",
	CostToCloseGapUSD:    "gap_me_mg * price.usd_per_mg (oral immediate-release morphine)",
	ACM:                  "me_mg / need_me_mg",
	EstimateTotal:        "annual total + supplementary totals; missing total = formb_total",
	EstimateUtilization:  "100 * sum(consumed ME) / sum(estimated ME) over ME drugs with both",
	EstimateCoverage:     "100 * estimate_me_mg / need_me_mg",
}
