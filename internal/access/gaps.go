package access

import (
	"math"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
)

// FactorSet is the set of factor tables a gap computation uses. Each table
// is one version; the versions are recorded in the result's Methods.
type FactorSet struct {
	SDDD           FactorTable // KindSDDD: S-DDD, mg per day
	ME             FactorTable // KindMorphineEquivalence: mg morphine per mg drug
	Basket         FactorTable // KindBasket: drugs counted in S-DDD per million per day
	INCBBands      FactorTable // KindBands over S-DDD per million per day
	BenchmarkBands FactorTable // KindBands over the benchmark index
	BenchmarkRef   FactorTable // KindReference, row "mg_me_per_capita"
	ACMBands       FactorTable // KindBands over consumption ÷ need
	// Need holds the need models (KindNeedModel); the first is the default.
	Need []FactorTable
	// Price is the morphine price table (KindPrice); empty: no cost figures.
	Price FactorTable
	// Rules says which data-quality rules run; the zero value runs all.
	Rules QualityRules
}

// QualityRules switches the data-quality rules of quality.go. The zero
// value applies every rule, as the service does unless an administrator
// has turned one off.
type QualityRules struct {
	SuspectedNotReportedOff bool // do not apply RuleSuspectedNotReported
}

// CountryInputs are the active published values for one country: one value
// per key (country, year, drug or cause, estimate kind).
type CountryInputs struct {
	Country     Country
	Population  []Population
	Deaths      []Deaths
	Consumption []Consumption
	Estimates   []Estimate
	// Income is the country's income group by data year (may be empty).
	Income []IncomeYear
	// YearFlags are flags the border preparation (PrepareBorders) set on
	// country-years; a year flagged state_not_existing gets null figures.
	YearFlags map[int][]string
	// ExistsFrom and ExistsTo bound the years the country existed as
	// itself (0: unbounded), as PrepareBorders found them; other years get
	// null figures.
	ExistsFrom, ExistsTo int
}

// CountryRef identifies a country in a result.
type CountryRef struct {
	ISO3        string `json:"iso3"`
	Name        string `json:"name"`
	WHORegion   string `json:"who_region"`
	IncomeGroup string `json:"income_group"`
}

// Methods records the factor-table versions and formulas behind a result.
type Methods struct {
	ME                 Ref      `json:"me"`
	SDDD               Ref      `json:"sddd"`
	Basket             Ref      `json:"basket"`
	INCBBands          Ref      `json:"incb_bands"`
	BenchmarkBands     Ref      `json:"benchmark_bands"`
	BenchmarkReference Ref      `json:"benchmark_reference"`
	ACMBands           Ref      `json:"acm_bands"`
	NeedModel          *Ref     `json:"need_model"`         // the headline model; null when the model asked for is not in the set
	NeedModels         []Ref    `json:"need_models"`        // every model in need_models, headline first
	DataQualityRules   []string `json:"data_quality_rules"` // the rules that ran, name/version
	Price              *Price   `json:"price"`              // the price behind cost_to_close_gap_usd; null without one
	FormBTotal         string   `json:"formb_total"`
	DaysPerYear        int      `json:"days_per_year"`
	Formulas           Formulas `json:"formulas"`
}

// Formulas are short statements of how each figure is computed.
type Formulas struct {
	MEMg                 string `json:"me_mg"`
	SDDDPerMillionPerDay string `json:"sddd_per_million_per_day"`
	SDDD3YrAvg           string `json:"sddd_3yr_avg"`
	BenchmarkIndex       string `json:"benchmark_index"`
	NeedMEMg             string `json:"need_me_mg"`
	NeedMetPct           string `json:"need_met_pct"`
	GapMEMg              string `json:"gap_me_mg"`
	CostToCloseGapUSD    string `json:"cost_to_close_gap_usd"`
	ACM                  string `json:"acm"`
	EstimateTotal        string `json:"estimate_total_g"`
	EstimateUtilization  string `json:"estimate_utilization_pct"`
	EstimateCoverage     string `json:"estimate_need_coverage_pct"`
}

// CountryGaps is the gap figures for one country over a range of years,
// under one need model.
type CountryGaps struct {
	Country CountryRef `json:"country"`
	// DataVersion is the data version the figures were computed at (set by
	// GapService; 0 from the pure functions).
	DataVersion int64 `json:"data_version"`
	Denominators
	Methods Methods    `json:"methods"`
	Years   []YearGaps `json:"years"`
	// Sources are the uploads the figures read, with their terms (set by
	// GapService.Country).
	Sources []SourceUse `json:"sources,omitempty"`
	AvailabilityFields
}

// YearGaps is the gap figures of one country-year. A nil number is missing
// (JSON null); Flags say why. Band labels are nil when their figure is.
type YearGaps struct {
	Year                    int          `json:"year"`
	IncomeGroup             *string      `json:"income_group"` // the data year's World Bank group; null when unclassified
	Population              *float64     `json:"population"`
	MEMg                    *float64     `json:"me_mg"`
	MEMgPerCapita           *float64     `json:"me_mg_per_capita"`
	SDDDPerMillionPerDay    *float64     `json:"sddd_per_million_per_day"`
	SDDD3YrAvg              *float64     `json:"sddd_3yr_avg"`
	Adequacy                *string      `json:"adequacy"`
	BenchmarkIndex          *float64     `json:"benchmark_index"`
	BenchmarkBand           *string      `json:"benchmark_band"`
	NeedMEMg                *float64     `json:"need_me_mg"` // the headline need model's
	NeedMetPct              *float64     `json:"need_met_pct"`
	GapMEMg                 *float64     `json:"gap_me_mg"`
	NeedModels              NeedByModel  `json:"need_models"`        // every model's need, side by side
	NeedMetPctRange         *[2]float64  `json:"need_met_pct_range"` // [min, max] over need_models; null with none
	MorphineKgToCloseGap    *float64     `json:"morphine_kg_to_close_gap"`
	CostToCloseGapUSD       *float64     `json:"cost_to_close_gap_usd"` // gap_me_mg × methods.price.usd_per_mg
	ACM                     *float64     `json:"acm"`
	ACMBand                 *string      `json:"acm_band"`
	EstimateMEMg            *float64     `json:"estimate_me_mg"`
	EstimateNeedCoveragePct *float64     `json:"estimate_need_coverage_pct"`
	EstimateUtilizationPct  *float64     `json:"estimate_utilization_pct"`
	Flags                   []string     `json:"flags"`
	Drugs                   []DrugGaps   `json:"drugs"`
	Lineage                 []LineageUse `json:"lineage"`
}

// NeedFigures are one need model's figures for a country-year or group.
type NeedFigures struct {
	NeedMEMg          *float64 `json:"need_me_mg"`
	NeedMetPct        *float64 `json:"need_met_pct"`
	GapMEMg           *float64 `json:"gap_me_mg"`
	CostToCloseGapUSD *float64 `json:"cost_to_close_gap_usd"`
}

// NeedByModel is need figures keyed by need-model name.
type NeedByModel map[string]NeedFigures

// pctRange is [min, max] of the need_met_pct of ms, or nil when none has one.
func (ms NeedByModel) pctRange() *[2]float64 {
	if r, ok := ms.pctBounds(); ok {
		return &r
	}
	return nil
}

// pctBounds is pctRange's [min, max]; ok is false when no model has one.
func (ms NeedByModel) pctBounds() (r [2]float64, ok bool) {
	for _, f := range ms {
		if f.NeedMetPct == nil {
			continue
		}
		v := *f.NeedMetPct
		if !ok {
			r, ok = [2]float64{v, v}, true
		}
		r[0], r[1] = math.Min(r[0], v), math.Max(r[1], v)
	}
	return r, ok
}

// DrugGaps is one drug's figures in a country-year.
type DrugGaps struct {
	Drug           string   `json:"drug"`
	Kg             *float64 `json:"kg"`               // consumption, kg of anhydrous base
	MEMg           *float64 `json:"me_mg"`            // consumption in mg morphine equivalent
	SDDD           *float64 `json:"sddd"`             // consumption in S-DDDs (a count of doses)
	EstimateTotalG *float64 `json:"estimate_total_g"` // annual + supplementary, g of base
	EstimateMEMg   *float64 `json:"estimate_me_mg"`
}

// LineageUse is the lineage of one input a figure used. Year is the input's
// year: the figure's own year, or one of the two before for the three-year
// S-DDD average.
type LineageUse struct {
	UploadID int64  `json:"upload_id"`
	Sheet    string `json:"sheet"`
	Row      int    `json:"row"`
	What     string `json:"what"`
	Year     int    `json:"year"`
}

// Flags on a YearGaps. Those ending in ':' are followed by a drug or cause
// code. Glossary describes each.
const (
	FlagNotReported                  = "not_reported"
	FlagSuspectedNotReported         = "suspected_not_reported"
	FlagImplausibleChange            = "implausible_change"
	FlagNoConsumptionData            = "no_consumption_data"
	FlagDrugNotReported              = "drug_not_reported:"
	FlagBelowThreshold               = "below_publication_threshold:"
	FlagPopulationMissing            = "population_missing"
	FlagNoBasketData                 = "no_basket_data"
	FlagSDDDFactorMissing            = "sddd_factor_missing:"
	FlagAdequacySingleYear           = "adequacy_single_year"
	FlagBenchmarkRefMissing          = "benchmark_reference_missing"
	FlagNeedModelMissing             = "need_model_missing"
	FlagDeathsMissing                = "deaths_missing:"
	FlagNeedZero                     = "need_zero"
	FlagNoEstimate                   = "no_estimate"
	FlagNoEstimateME                 = "no_estimate_me"
	FlagSupplementaryOnly            = "estimate_supplementary_only:"
	FlagEstimateZero                 = "estimate_zero"
	FlagEstimateBelowNeed            = "estimate_below_need"
	FlagConsumptionAboveEstimate     = "consumption_above_estimate"
	FlagConsumptionAboveEstimateDrug = "consumption_above_estimate:"
)

// BenchmarkRefKey is the row of the benchmark-reference table that holds
// the reference consumption, mg ME per capita.
const BenchmarkRefKey = "mg_me_per_capita"

// ComputeCountryModels computes the same inputs under each named need
// model, in the order given, so that results can be shown side by side.
func ComputeCountryModels(in CountryInputs, fs FactorSet, models []string, fromYear, toYear int) []CountryGaps {
	keys := newInputKeys(fs)
	idx := indexInputs(in, fs.Rules, keys)
	out := make([]CountryGaps, 0, len(models))
	for _, m := range models {
		out = append(out, computeIndexed(in.Country, idx, prepareWith(fs, m, keys), fromYear, toYear))
	}
	return out
}

// ComputeCountry computes a country's gap figures for the years fromYear to
// toYear inclusive (every year with consumption or population data when
// both are 0), with the need model named model ("" for fs.Need[0]) in the
// headline fields and every model of fs.Need in need_models. The method is
// docs/METHODOLOGY.md; DaysPerYear sums it up.
func ComputeCountry(in CountryInputs, fs FactorSet, model string, fromYear, toYear int) CountryGaps {
	p := prepare(fs, model)
	return computeIndexed(in.Country, indexInputs(in, fs.Rules, p.keys), p, fromYear, toYear)
}

// computeCountries is ComputeCountry of each country keys names in in,
// out[i] being keys[i]'s, with the factor set prepared once. Countries are
// computed side by side, on up to GOMAXPROCS goroutines: each country's
// figures depend on its inputs alone, so the result is the same.
func computeCountries(in map[string]*CountryInputs, keys []string, fs FactorSet, model string, from, to int) []CountryGaps {
	p := prepare(fs, model)
	out := make([]CountryGaps, len(keys))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(keys)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(keys); i = int(next.Add(1) - 1) {
				ci := *in[keys[i]]
				out[i] = computeIndexed(ci.Country, indexInputs(ci, fs.Rules, p.keys), p, from, to)
			}
		})
	}
	wg.Wait()
	return out
}

// prepared is a FactorSet indexed for lookups. Drugs are known by their
// number in keys (see inputKeys).
type prepared struct {
	keys     *inputKeys
	meDrugs  []int32 // ME table order
	basket   []int32
	incb     []FactorRow
	bench    []FactorRow
	acm      []FactorRow
	benchRef float64
	hasRef   bool
	need     *FactorTable // the headline need model
	models   []needModel  // every need model, the headline first
	reported []int32      // ME drugs then basket-only drugs: the drugs whose absence is flagged
	methods  Methods
}

func prepare(fs FactorSet, model string) *prepared {
	return prepareWith(fs, model, newInputKeys(fs))
}

// prepareWith is prepare with the drugs and causes of fs numbered by keys.
func prepareWith(fs FactorSet, model string, keys *inputKeys) *prepared {
	p := &prepared{keys: keys}
	seen := map[string]bool{}
	for _, r := range fs.ME.Rows {
		if !seen[r.Key] {
			seen[r.Key] = true
			p.meDrugs = append(p.meDrugs, keys.drugID[r.Key])
		}
	}
	inME := seen
	seen = map[string]bool{}
	for _, r := range fs.Basket.Rows {
		if !seen[r.Key] {
			seen[r.Key] = true
			p.basket = append(p.basket, keys.drugID[r.Key])
		}
	}
	p.reported = append(p.reported, p.meDrugs...)
	for _, d := range p.basket {
		if !inME[keys.drugs[d].code] {
			p.reported = append(p.reported, d)
		}
	}
	p.incb = sortedBands(fs.INCBBands)
	p.bench = sortedBands(fs.BenchmarkBands)
	p.acm = sortedBands(fs.ACMBands)
	p.benchRef, p.hasRef = fs.BenchmarkRef.Value(BenchmarkRefKey)
	for i := range fs.Need {
		if p.need == nil && (model == "" || fs.Need[i].Name == model) {
			p.need = &fs.Need[i]
		}
	}
	if p.need != nil {
		p.models = append(p.models, keys.model(p.need))
	}
	for i := range fs.Need {
		if &fs.Need[i] != p.need {
			p.models = append(p.models, keys.model(&fs.Need[i]))
		}
	}
	p.methods = Methods{
		ME:                 fs.ME.Ref(),
		SDDD:               fs.SDDD.Ref(),
		Basket:             fs.Basket.Ref(),
		INCBBands:          fs.INCBBands.Ref(),
		BenchmarkBands:     fs.BenchmarkBands.Ref(),
		BenchmarkReference: fs.BenchmarkRef.Ref(),
		ACMBands:           fs.ACMBands.Ref(),
		FormBTotal:         FormBTotalMethod,
		DaysPerYear:        DaysPerYear,
		Formulas:           gapFormulas,
		NeedModels:         []Ref{},
		DataQualityRules:   fs.Rules.names(),
	}
	if p.need != nil {
		r := p.need.Ref()
		p.methods.NeedModel = &r
	}
	if pr, ok := PriceOf(fs.Price); ok {
		p.methods.Price = &pr
	}
	for _, m := range p.models {
		p.methods.NeedModels = append(p.methods.NeedModels, m.Ref())
	}
	return p
}

func sortedBands(t FactorTable) []FactorRow {
	rows := append([]FactorRow(nil), t.Rows...)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Value < rows[j].Value })
	return rows
}

// band returns the label of the band x falls in: the last row whose
// inclusive lower edge is ≤ x; nil below the lowest edge or with no bands.
func band(rows []FactorRow, x float64) *string {
	if i := bandRow(rows, x); i >= 0 {
		l := rows[i].Key
		return &l
	}
	return nil
}

// bandRow is the index in rows of the band x falls in (see band), or -1.
func bandRow(rows []FactorRow, x float64) int {
	hit := -1
	for i := range rows {
		if rows[i].Value <= x {
			hit = i
		} else {
			break
		}
	}
	return hit
}

// estimateGrams is the year's estimate for a drug: the annual total (a
// confirmed one preferred over a submitted one) plus every supplementary
// total. A row without Total is totalled with FormBTotal, the prior stock
// being the Form C stock of 31 December of the year before when given.
func (x *indexed) estimateGrams(y int, drug int32, rows []Estimate) (total float64, annual bool, used []Estimate) {
	var prior *float64
	if e := x.consOf(x.slot(y-1), drug); e != nil {
		prior = x.in.Consumption[e.row].Stock
	}
	rowTotal := func(e Estimate) float64 {
		if e.Total != nil {
			return *e.Total
		}
		return FormBTotal(e.ToBeConsumed, e.UtilizedForManufacture, e.StockTarget, e.SpecialStocks, prior)
	}
	best := -1
	for i, e := range rows {
		if e.Kind != EstimateAnnual {
			continue
		}
		if best < 0 || (rows[best].Status != EstimateConfirmed && e.Status == EstimateConfirmed) {
			best = i
		}
	}
	if best >= 0 {
		total += rowTotal(rows[best])
		used = append(used, rows[best])
		annual = true
	}
	for _, e := range rows {
		if e.Kind == EstimateSupplementary {
			total += rowTotal(e)
			used = append(used, e)
		}
	}
	return total, annual, used
}

type flagSet map[string]bool

func (f flagSet) add(s string) { f[s] = true }

func (f flagSet) list() []string {
	out := make([]string, 0, len(f))
	for s := range f {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func lineageUse(l Lineage, what string, year int) LineageUse {
	return LineageUse{UploadID: l.UploadID, Sheet: l.Sheet, Row: l.Row, What: what, Year: year}
}
