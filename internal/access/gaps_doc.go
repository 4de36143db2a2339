package access

// DaysPerYear is the number of days S-DDD per million inhabitants per day
// divides a year's consumption by. It is 365 in every year, leap years
// included, as INCB computes the figure; a leap year therefore reads about
// 0.27% higher than a days-in-year division would give.
//
// # The gap figures, their units and the source of each factor
//
// ComputeCountry turns one country's active published inputs into the
// figures below, one country-year at a time. Every factor is a row of a
// versioned FactorTable (see ../../../shared/REFERENCE.md, §§2–4), never a
// constant in code; the versions used are recorded in Methods.
//
// Consumption (Form C, INCB) is in grams of anhydrous base; population is
// in persons (UN WPP); deaths are counts by cause (GBD). For each drug:
//
//	kg    = g ÷ 1000
//	me_mg = g × 1000 × ME factor            (drugs of the ME table only)
//	sddd  = g × 1000 ÷ S-DDD mg             (drugs of the S-DDD table only)
//
// Morphine equivalence (Pain & Policy Studies Group method, table "ppsg",
// confidence U): morphine 1, fentanyl 83.3, hydromorphone 5, methadone 4.4,
// oxycodone 1.33, pethidine 0.125 mg morphine per mg drug.
//
//	me_mg            = Σ me_mg over the ME table's drugs reported that year
//	me_mg_per_capita = me_mg ÷ population
//
// An ME drug with no figure is flagged not_reported:<drug> and left out of
// the sum; with none at all me_mg is null (no_consumption_data). A reported
// 0 is kept as 0 and flagged below_publication_threshold:<drug>, because
// INCB's tables omit amounts under about 1 kg.
//
// S-DDD (INCB's defined daily doses for statistical purposes, table
// "sddd", U) over INCB's "opioids for pain" basket (table "pain-basket", V;
// version 1 has no hydrocodone and no methadone):
//
//	sddd_per_million_per_day = Σ basket (mg ÷ S-DDD mg) ÷ 365 ÷ (population ÷ 10⁶)
//	sddd_3yr_avg             = mean of the year and the two before, only when all three exist
//
// The adequacy label is the INCB band (table "incb-sddd-bands", U) of the
// three-year average or, when that is missing, of the single year, flagged
// adequacy_single_year. Bands are KindBands tables: a value falls in the
// last band whose inclusive lower edge it reaches.
//
// Benchmark index (Scholten et al., AJPH 2019, V; table
// "benchmark-reference", row mg_me_per_capita = 256 in version 1):
//
//	benchmark_index = 100 × me_mg_per_capita ÷ reference
//
// banded by "benchmark-bands" (C: ≥100 adequate, 31.6 moderate, 10 low,
// 3.16 very low, below that extremely low).
//
// Need (a need-model table, KindNeedModel; "cancer-hiv" after
// Stjernswärd et al. 2007 (V) for neoplasms and an HIV/AIDS assumption (U)):
//
//	need_me_mg               = Σ causes deaths(cause) × share × mg per day × days
//	need_met_pct             = 100 × me_mg ÷ need_me_mg      (may exceed 100)
//	gap_me_mg                = max(0, need_me_mg − me_mg)
//	morphine_kg_to_close_gap = gap_me_mg ÷ 10⁶                (mg → kg of morphine)
//	acm                      = me_mg ÷ need_me_mg            (Seya et al. 2011)
//
// A cause the model uses with no deaths figure makes the need null
// (deaths_missing:<cause>); a need of 0 leaves the ratios null (need_zero).
// acm is banded by "acm-bands" (U: ≥1 adequate, 0.3 moderate, 0.1 low,
// 0.03 very low, below that virtually none).
//
// Estimates (Form B): a drug's estimate for the year is its annual total
// (a confirmed row preferred to a submitted one) plus every supplementary
// total; a row without Total is totalled by FormBTotal, with the Form C
// stock of 31 December of the year before as prior stock where given.
//
//	estimate_me_mg             = Σ over ME drugs with an estimate of g × 1000 × ME factor
//	estimate_need_coverage_pct = 100 × estimate_me_mg ÷ need_me_mg
//	estimate_utilization_pct   = 100 × Σ consumed ME ÷ Σ estimated ME,
//	                             both sums over the ME drugs that have a
//	                             consumption figure and an estimate
//
// Utilization is weighted by morphine equivalence because grams of
// different drugs are not comparable (a gram of fentanyl is 83 of
// morphine). Flags: no_estimate (no estimate for any drug), no_estimate_me
// (estimates, but none for an ME drug), estimate_below_need,
// consumption_above_estimate and consumption_above_estimate:<drug> (any
// drug whose consumed grams exceed its estimate, ME drug or not).
const DaysPerYear = 365

// gapFormulas are the short formula strings carried in Methods.
var gapFormulas = Formulas{
	MEMg:                 "sum over ME-table drugs of g*1000*me_factor",
	SDDDPerMillionPerDay: "sum over basket drugs of (g*1000/sddd_mg) / 365 / (population/1e6)",
	SDDD3YrAvg:           "mean(sddd_per_million_per_day of year, year-1, year-2), all three required",
	BenchmarkIndex:       "100 * me_mg_per_capita / benchmark_reference.mg_me_per_capita",
	NeedMEMg:             "sum over need-model causes of deaths*share*mg_per_day*days",
	NeedMetPct:           "100 * me_mg / need_me_mg",
	GapMEMg:              "max(0, need_me_mg - me_mg)",
	ACM:                  "me_mg / need_me_mg",
	EstimateTotal:        "annual total + supplementary totals; missing total = formb_total",
	EstimateUtilization:  "100 * sum(consumed ME) / sum(estimated ME) over ME drugs with both",
	EstimateCoverage:     "100 * estimate_me_mg / need_me_mg",
}
