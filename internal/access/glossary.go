package access

import "strings"

// FlagSeverity says how much a flag should weigh on a reader.
type FlagSeverity string

const (
	// SeverityInfo: how a figure was made; it stands as shown.
	SeverityInfo FlagSeverity = "info"
	// SeverityCaution: the figure stands but should be quoted with the flag.
	SeverityCaution FlagSeverity = "caution"
	// SeverityMissing: a figure is null, or left out of a group, for this reason.
	SeverityMissing FlagSeverity = "missing"
)

// GlossaryEntry explains one flag or band.
type GlossaryEntry struct {
	Kind     string       `json:"kind"` // "flag" or the band table: incb_band, benchmark_band, acm_band
	Code     string       `json:"code"` // a flag ending in ':' is followed by a drug or cause code
	Meaning  string       `json:"meaning"`
	Severity FlagSeverity `json:"severity"`
}

// glossaryFlags lists every flag a figure may carry.
var glossaryFlags = []GlossaryEntry{
	{Code: FlagNotReported, Severity: SeverityMissing, Meaning: "No consumption figure was reported for the year (every drug blank, no rows, or a suspected missing report): consumption figures are null and the year is left out of medians, rankings and group figures."},
	{Code: FlagSuspectedNotReported, Severity: SeverityMissing, Meaning: "Every drug reads exactly 0 after earlier years with consumption, so the data-quality rule suspected-not-reported treats the year as not reported."},
	{Code: FlagImplausibleChange, Severity: SeverityCaution, Meaning: "mg ME per capita changed more than tenfold from the year before (at least 1 mg on the larger side) with no change of borders to explain it."},
	{Code: FlagNoConsumptionData, Severity: SeverityMissing, Meaning: "The year is reported but none of the drugs of the morphine-equivalence table has a figure, so me_mg is null."},
	{Code: FlagDrugNotReported, Severity: SeverityInfo, Meaning: "This drug has no figure for the year (blank or absent) and is left out of the sums; the year's other drugs stand."},
	{Code: FlagBelowThreshold, Severity: SeverityInfo, Meaning: "This drug reads 0 or INCB's \"-\": nil or under the publication threshold (about 1 kg), counted as 0."},
	{Code: FlagPopulationMissing, Severity: SeverityMissing, Meaning: "No population figure for the year, so per-capita figures and the benchmark need are null."},
	{Code: FlagNoBasketData, Severity: SeverityMissing, Meaning: "No drug of INCB's pain basket has a figure, so S-DDD per million per day is null."},
	{Code: FlagSDDDFactorMissing, Severity: SeverityCaution, Meaning: "A basket drug has a figure but no S-DDD in the factor table, so it is left out of S-DDD per million per day."},
	{Code: FlagAdequacySingleYear, Severity: SeverityCaution, Meaning: "The INCB band is of the single year, because the three-year average lacks one of its years."},
	{Code: FlagBenchmarkRefMissing, Severity: SeverityMissing, Meaning: "The benchmark reference table has no reference value, so the benchmark index is null."},
	{Code: FlagNeedModelMissing, Severity: SeverityMissing, Meaning: "The need model asked for is not loaded, so the headline need figures are null."},
	{Code: FlagDeathsMissing, Severity: SeverityMissing, Meaning: "The headline need model needs deaths from this cause and there is no figure, so need is null."},
	{Code: FlagNeedZero, Severity: SeverityCaution, Meaning: "The headline need is 0, so % of need met and the ACM are null."},
	{Code: FlagNoEstimate, Severity: SeverityInfo, Meaning: "No Form B estimate for any drug in the year."},
	{Code: FlagNoEstimateME, Severity: SeverityInfo, Meaning: "Estimates exist but none for a drug of the morphine-equivalence table."},
	{Code: FlagSupplementaryOnly, Severity: SeverityCaution, Meaning: "This drug has supplementary estimates but no annual one."},
	{Code: FlagEstimateZero, Severity: SeverityCaution, Meaning: "The estimates of the drugs consumed total 0, so utilization is null."},
	{Code: FlagEstimateBelowNeed, Severity: SeverityCaution, Meaning: "The year's estimates, in mg ME, are below the headline need: the estimate itself limits supply."},
	{Code: FlagConsumptionAboveEstimate, Severity: SeverityCaution, Meaning: "Some drug's consumption exceeds its estimate for the year."},
	{Code: FlagConsumptionAboveEstimateDrug, Severity: SeverityCaution, Meaning: "This drug's consumption exceeds its estimate for the year."},
	{Code: FlagIllustrative, Severity: SeverityCaution, Meaning: "The figure uses illustrative demo data, not published statistics."},
	// Borders and income groups (docs/METHODOLOGY.md, "Borders and income groups").
	{Code: FlagStateNotExisting, Severity: SeverityMissing, Meaning: "The country did not exist as itself this year (a successor before its first year, a dissolved state after its end), so its figures are null, not zeros, and it is no member of any group."},
	{Code: FlagReportedUnderPredecessor, Severity: SeverityInfo, Meaning: "This territory's consumption for the year is shown under the predecessor state named, which then held it."},
	{Code: FlagFiledUnderSuccessor, Severity: SeverityInfo, Meaning: "The year's consumption was filed under the successor named and is shown here, under the state that existed then."},
	{Code: FlagPopulationOfSuccessors, Severity: SeverityInfo, Meaning: "The population is the sum of the successors' populations (the territory in today's borders, from UN WPP), with the state's own where it kept its code."},
	{Code: FlagPopulationPartial, Severity: SeverityCaution, Meaning: "Some successors have no population figure, so the population covers only the others and per-capita figures are too high."},
	{Code: FlagMergedTerritory, Severity: SeverityCaution, Meaning: "A year before a merger: the population is the merged territory's, and consumption that of every part that filed any."},
	{Code: FlagIncludesMerged, Severity: SeverityInfo, Meaning: "Consumption filed under the state named, which merged into this one, is included."},
	{Code: FlagBorderChange, Severity: SeverityInfo, Meaning: "The country's borders changed between the year before and this one, which explains a jump in per-capita figures."},
	{Code: FlagIncomeGroupCarried, Severity: SeverityCaution, Meaning: "The year is after the latest World Bank classification loaded, whose income group is carried forward."},
	{Code: FlagIncomeGroupCurrent, Severity: SeverityCaution, Meaning: "No income classification by year is loaded for the country, so today's stands in for this year's."},
}

// glossaryBands lists every band label of the seeded band tables (the
// latest versions) and the group band "none".
var glossaryBands = []GlossaryEntry{
	{Kind: "incb_band", Code: "very inadequate", Severity: SeverityInfo, Meaning: "INCB: under 100 S-DDD per million inhabitants per day (three-year average)."},
	{Kind: "incb_band", Code: "inadequate", Severity: SeverityInfo, Meaning: "INCB: 100 to under 200 S-DDD per million inhabitants per day."},
	{Kind: "incb_band", Code: "not classed (200 or more)", Severity: SeverityInfo, Meaning: "200 or more S-DDD per million per day: INCB publishes no class above 200, so none is named."},
	{Kind: "benchmark_band", Code: "adequate", Severity: SeverityInfo, Meaning: "Benchmark index 100 or more: at least the mean of the 20 highest-HDI countries (Scholten et al.)."},
	{Kind: "benchmark_band", Code: "moderate", Severity: SeverityInfo, Meaning: "Benchmark index 31.6 to under 100."},
	{Kind: "benchmark_band", Code: "low", Severity: SeverityInfo, Meaning: "Benchmark index 10 to under 31.6."},
	{Kind: "benchmark_band", Code: "very low", Severity: SeverityInfo, Meaning: "Benchmark index 3.16 to under 10."},
	{Kind: "benchmark_band", Code: "extremely low", Severity: SeverityInfo, Meaning: "Benchmark index under 3.16."},
	{Kind: "acm_band", Code: "adequate", Severity: SeverityInfo, Meaning: "Consumption at least the headline need (ACM 1 or more); the edge is unconfirmed."},
	{Kind: "acm_band", Code: "moderate", Severity: SeverityInfo, Meaning: "ACM 0.3 to under 1; edges as commonly quoted, unconfirmed."},
	{Kind: "acm_band", Code: "low", Severity: SeverityInfo, Meaning: "ACM 0.1 to under 0.3; edges unconfirmed."},
	{Kind: "acm_band", Code: "very low", Severity: SeverityInfo, Meaning: "ACM 0.03 to under 0.1; edges unconfirmed."},
	{Kind: "acm_band", Code: "virtually none", Severity: SeverityInfo, Meaning: "ACM under 0.03; edge unconfirmed."},
	{Kind: "group_band", Code: BandNone, Severity: SeverityMissing, Meaning: "In a group's population by band: people in members with data whose banded figure is null."},
}

// Glossary returns every flag and band with its meaning and severity.
func Glossary() []GlossaryEntry {
	out := make([]GlossaryEntry, 0, len(glossaryFlags)+len(glossaryBands))
	for _, e := range glossaryFlags {
		e.Kind = "flag"
		out = append(out, e)
	}
	return append(out, glossaryBands...)
}

// ExplainFlag returns the glossary entry of a flag as it appears on a
// figure ("drug_not_reported:morphine" finds "drug_not_reported:").
func ExplainFlag(flag string) (GlossaryEntry, bool) {
	for _, e := range Glossary() {
		if e.Kind != "flag" {
			continue
		}
		if e.Code == flag || strings.HasSuffix(e.Code, ":") && strings.HasPrefix(flag, e.Code) {
			return e, true
		}
	}
	return GlossaryEntry{}, false
}
