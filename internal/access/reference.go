package access

import "time"

// Country is one ISO 3166-1 country or area, with the groupings the gap
// figures are aggregated by.
type Country struct {
	ISO3         string
	ISO2         string
	Numeric      string // three digits, zero-padded: "004"
	Name         string // short English name
	OfficialName string // UN formal name where it differs
	Aliases      []string
	WHORegion    string // AFR, AMR, EMR, EUR, SEAR, WPR; "" for non-members
	UNRegion     string // M49 region: Africa, Americas, Asia, Europe, Oceania
	UNSubregion  string // M49 sub-region
	// IncomeGroup is the World Bank classification (LIC, LMC, UMC, HIC) of
	// the vintage IncomeVintage; "" where unclassified.
	IncomeGroup   string
	IncomeVintage string
}

// WHO regions and World Bank income groups the aggregates are computed for.
var (
	WHORegions   = []string{"AFR", "AMR", "EMR", "EUR", "SEAR", "WPR"}
	IncomeGroups = []string{"LIC", "LMC", "UMC", "HIC"}
)

// CountryMetadata is what a countries import (WHO GHO or World Bank country
// metadata) says about one country; empty fields are left as they are.
type CountryMetadata struct {
	ISO3          string
	WHORegion     string
	IncomeGroup   string
	IncomeVintage string
	// DataYear is the calendar year whose data the income classification
	// was made from (a historical classification; see IncomeYear); 0 for
	// the current classification.
	DataYear int
	Name     string
	Lineage  Lineage
}

// Drug is a substance under international control, keyed by a lower-case
// INN code ("morphine", "pethidine").
type Drug struct {
	Code       string
	Name       string   // INN
	Synonyms   []string // e.g. meperidine for pethidine
	Convention string   // "1961" (narcotic) or "1971" (psychotropic)
	// PainBasket says whether INCB counts the drug among "opioids for pain"
	// in its first published basket. Calculations use the versioned
	// "pain-basket" factor table, not this flag.
	PainBasket bool
}

// FactorKind says what the rows of a FactorTable mean.
type FactorKind string

const (
	// KindSDDD rows: Key = drug code, Value = S-DDD in mg per day.
	KindSDDD FactorKind = "sddd"
	// KindMorphineEquivalence rows: Key = drug code, Value = mg morphine per mg drug.
	KindMorphineEquivalence FactorKind = "morphine-equivalence"
	// KindSaltBase rows: Key = salt name, Drug = the drug it yields,
	// Value = fraction of the salt's mass that is anhydrous base.
	KindSaltBase FactorKind = "salt-base"
	// KindBasket rows: Key = drug code of a member.
	KindBasket FactorKind = "basket"
	// KindBands rows: Key = band label, Value = inclusive lower edge; the
	// band runs to the next row's edge. Sorted by Value ascending.
	KindBands FactorKind = "bands"
	// KindReference rows: Key = the name of a reference value, Value = it.
	KindReference FactorKind = "reference"
	// KindNeedModel rows: Key = cause, Share × MgPerDay × Days = mg ME per
	// death; or Key = NeedPerInhabitant, Value = mg ME per inhabitant a year.
	KindNeedModel FactorKind = "need-model"
)

// Names of the version-1 factor tables seeded by migration.
const (
	TableSDDD           = "sddd"
	TablePPSG           = "ppsg"
	TableSaltBase       = "salt-base"
	TablePainBasket     = "pain-basket"
	TableINCBBands      = "incb-sddd-bands"
	TableBenchmarkBands = "benchmark-bands"
	TableBenchmarkRef   = "benchmark-reference"
	TableACMBands       = "acm-bands"
	ModelCancerHIV      = "cancer-hiv"
	ModelBenchmark      = "benchmark" // migration 0006
)

// NeedPerInhabitant is the key of a need-model row that applies to every
// inhabitant: need += population × Value (mg ME per person a year).
const NeedPerInhabitant = "population"

// SettingDefaultNeedModel names the need model whose figures fill the
// headline fields when a request names none; ModelBenchmark when unset.
const SettingDefaultNeedModel = "default_need_model"

// FactorTable is a named, versioned table of reference factors. Tables are
// data: an administrator adds a new version; old versions stay so that
// every figure can be recomputed as it was.
type FactorTable struct {
	Name       string
	Version    int
	Kind       FactorKind
	Title      string
	Source     string
	Confidence string // V (primary source), U (widely quoted), C (computed)
	Notes      string
	CreatedAt  time.Time
	Rows       []FactorRow
}

// FactorRow is one row of a factor table; which fields matter depends on
// the table's Kind.
type FactorRow struct {
	Key        string
	Drug       string
	Value      float64
	Share      float64
	MgPerDay   float64
	Days       float64
	Label      string
	Assumption bool // an assumption to be labelled as such (need models)
	Confidence string
	Note       string
}

// Ref names one version of a factor table, as recorded on every figure.
type Ref struct {
	Name    string `json:"name"`
	Version int    `json:"version"`
}

// Ref returns the table's name and version.
func (t FactorTable) Ref() Ref { return Ref{Name: t.Name, Version: t.Version} }

// Value returns the Value of the row keyed k.
func (t FactorTable) Value(k string) (float64, bool) {
	for _, r := range t.Rows {
		if r.Key == k {
			return r.Value, true
		}
	}
	return 0, false
}

// Has reports whether a row is keyed k.
func (t FactorTable) Has(k string) bool {
	_, ok := t.Value(k)
	return ok
}
