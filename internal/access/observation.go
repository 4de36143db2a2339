package access

// Lineage ties a stored value to the upload, sheet and row it came from.
// Row is the 1-based row number the user sees in Excel (or the line number
// of a CSV file, header included).
type Lineage struct {
	UploadID int64  `json:"upload_id"`
	Sheet    string `json:"sheet,omitempty"`
	Row      int    `json:"row"`
}

// Population is the mid-year population of a country, in persons.
type Population struct {
	ISO3    string
	Year    int
	Persons float64
	// Source is the series (publisher and vintage, e.g. "UN WPP 2024") the
	// value belongs to; each series is kept beside the others.
	Source  string
	Lineage Lineage
}

// Causes of death the need models and the deaths importer know.
const (
	CauseNeoplasms          = "neoplasms"
	CauseHIV                = "hiv-aids"
	CauseCardiovascular     = "cardiovascular"
	CauseChronicRespiratory = "chronic-respiratory"
	CauseDementia           = "dementia"
	CauseTuberculosis       = "tuberculosis"
	CauseLiverCirrhosis     = "liver-cirrhosis"
	CauseChronicKidney      = "chronic-kidney"
	CauseNeonatal           = "neonatal"
)

// Causes lists every cause code above.
var Causes = []string{CauseNeoplasms, CauseHIV, CauseCardiovascular, CauseChronicRespiratory,
	CauseDementia, CauseTuberculosis, CauseLiverCirrhosis, CauseChronicKidney, CauseNeonatal}

// Deaths is the number of deaths from one cause in a country-year (both
// sexes, all ages).
type Deaths struct {
	ISO3    string
	Year    int
	Cause   string
	Deaths  float64
	Source  string // the series, as Population.Source
	Lineage Lineage
}

// Consumption is a Form C-style statistics row for one country, year and
// drug. Quantities are grams of anhydrous base; nil means "not given".
type Consumption struct {
	ISO3  string
	Year  int
	Drug  string
	Grams *float64 // consumed: supplied to retail, medical use or research
	// State tells a blank (not reported) from INCB's "-" (nil or under the
	// reporting threshold, Grams = 0) and from a number; see GramsState.
	State ValueState
	// Manufactured, UtilizedForManufacture, Stock (31 December) and Seizures
	// are the other Form C items, where the file gives them.
	Manufactured           *float64
	UtilizedForManufacture *float64
	Stock                  *float64
	Seizures               *float64
	// StockOutDays is the number of days in the year the drug was out of
	// stock, where the statistics give it; the supply estimator corrects
	// consumption for it (use × 365 ÷ (365 − days)).
	StockOutDays *float64
	// Conversion records how the figures were brought to grams of base,
	// e.g. "kg→g ×1000; morphine sulfate pentahydrate→base ×0.752 (salt-base v1)".
	Conversion string
	Lineage    Lineage
}

// EstimateKind is annual or supplementary (Art. 19 Single Convention).
type EstimateKind string

const (
	EstimateAnnual        EstimateKind = "annual"
	EstimateSupplementary EstimateKind = "supplementary"
)

// EstimateStatus is submitted (by the country) or confirmed (by INCB).
type EstimateStatus string

const (
	EstimateSubmitted EstimateStatus = "submitted"
	EstimateConfirmed EstimateStatus = "confirmed"
)

// Estimate is a Form B-style estimate for one country, year and drug, in
// grams of anhydrous base; nil means "not given".
type Estimate struct {
	ISO3 string
	Year int
	Drug string
	Kind EstimateKind
	// Number tells supplementary estimates of one year apart (1, 2, …);
	// 0 for the annual estimate. Every supplementary adds to the annual one.
	Number int
	Status EstimateStatus
	// Items (a)–(d) of Form B.
	ToBeConsumed           *float64 // (a)
	UtilizedForManufacture *float64 // (b)
	StockTarget            *float64 // (c) to be held in stock on 31 December
	SpecialStocks          *float64 // (d) to be added to special stocks
	// Total is the total estimate; where the file does not give it, the
	// importer computes it with FormBTotal.
	Total      *float64
	Conversion string
	Lineage    Lineage
}

// ValueState is which of three things a quantity cell held. The three are
// kept from import to figure: a not-reported year gives null figures, never
// zeros.
type ValueState string

const (
	// ValueReported is a number as given (0 included).
	ValueReported ValueState = "reported"
	// ValueNil is INCB's "-": nil, or under the reporting threshold; it
	// counts as 0 in sums.
	ValueNil ValueState = "nil"
	// ValueNotReported is a blank: no figure was given.
	ValueNotReported ValueState = "not_reported"
)

// GramsState is the state of the consumed quantity: the recorded State, or
// when none was recorded, reported for a number and not reported for nil.
func (c Consumption) GramsState() ValueState {
	switch {
	case c.State != "":
		return c.State
	case c.Grams == nil:
		return ValueNotReported
	}
	return ValueReported
}

// F returns a pointer to v, for optional quantities.
func F(v float64) *float64 { return &v }
