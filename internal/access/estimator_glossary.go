package access

// supplyGlossary explains the flags of a supply estimate and its lines.
var supplyGlossary = []GlossaryEntry{
	{Code: FlagNeedProjected, Severity: SeverityCaution, Meaning: "The target year is beyond the deaths (or population) data, so need uses the last year's deaths per inhabitant times a projected population."},
	{Code: FlagPopulationProjected, Severity: SeverityCaution, Meaning: "The target year's population is the linear trend of the last five years with a population figure."},
	{Code: FlagNoConsumptionHistory, Severity: SeverityMissing, Meaning: "No consumption was reported for this drug before the target year, so it has no consumption projection."},
	{Code: FlagShortHistory, Severity: SeverityCaution, Meaning: "Fewer than three reported years: the mean is of the years there are."},
	{Code: FlagTrendUnavailable, Severity: SeverityCaution, Meaning: "Fewer than three reported years for a trend, so the projection is the mean."},
	{Code: FlagStockOutAdjusted, Severity: SeverityInfo, Meaning: "Some years were corrected for days out of stock: use × 365 ÷ (365 − days)."},
	{Code: FlagStockOutWholeYear, Severity: SeverityInfo, Meaning: "A year out of stock all year is left out of the projection."},
	{Code: FlagConsumptionOnly, Severity: SeverityInfo, Meaning: "The drug has no morphine-equivalence factor (a weak opioid such as codeine), so its line is the consumption projection only."},
	{Code: FlagMixMorphineOnly, Severity: SeverityInfo, Meaning: "The country consumes under 1% of its need, so all need-based quantity is put on oral morphine, the WHO first-line choice."},
	{Code: FlagNeedUnavailable, Severity: SeverityMissing, Meaning: "The need model could not be computed for the target year (deaths or population missing), so the line is the consumption projection only."},
	{Code: FlagProjectionAboveNeed, Severity: SeverityInfo, Meaning: "The consumption projection is already above the need-based quantity and is kept."},
	{Code: FlagNoStockReported, Severity: SeverityInfo, Meaning: "No stock on 31 December was ever reported, so the expected stock counts as 0 and all of (c) is added."},
	{Code: FlagBelowConsumptionProjection, Severity: SeverityCaution, Meaning: "The ministry's estimate for the year is below the consumption projection alone."},
	{Code: FlagBelowPhasedNeed, Severity: SeverityCaution, Meaning: "The ministry's estimate for the year is below the phased need-based quantity."},
	{Code: FlagFarAbove, Severity: SeverityCaution, Meaning: "The ministry's estimate for the year is over twice both the consumption projection and the phased quantity."},
	{Code: FlagIncludesUnpublishedSubmission, Severity: SeverityInfo, Meaning: "The estimate includes the asking ministry's own submissions that await publication."},
}

func init() {
	// Kept beside the estimator; the glossary serves them with the gap flags.
	glossaryFlags = append(glossaryFlags, supplyGlossary...)
}
