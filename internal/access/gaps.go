package access

import (
	"math"
	"sort"
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
	var r *[2]float64
	for _, f := range ms {
		if f.NeedMetPct == nil {
			continue
		}
		v := *f.NeedMetPct
		if r == nil {
			r = &[2]float64{v, v}
		}
		r[0], r[1] = math.Min(r[0], v), math.Max(r[1], v)
	}
	return r
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
	idx := indexInputs(in, fs.Rules)
	out := make([]CountryGaps, 0, len(models))
	for _, m := range models {
		out = append(out, computeIndexed(in.Country, idx, prepare(fs, m), fromYear, toYear))
	}
	return out
}

// ComputeCountry computes a country's gap figures for the years fromYear to
// toYear inclusive (every year with consumption or population data when
// both are 0), with the need model named model ("" for fs.Need[0]) in the
// headline fields and every model of fs.Need in need_models. The method is
// docs/METHODOLOGY.md; DaysPerYear sums it up.
func ComputeCountry(in CountryInputs, fs FactorSet, model string, fromYear, toYear int) CountryGaps {
	return computeIndexed(in.Country, indexInputs(in, fs.Rules), prepare(fs, model), fromYear, toYear)
}

// prepared is a FactorSet indexed for lookups.
type prepared struct {
	fs       FactorSet
	me       map[string]float64
	meDrugs  []string // ME table order
	sddd     map[string]float64
	basket   []string
	incb     []FactorRow
	bench    []FactorRow
	acm      []FactorRow
	benchRef float64
	hasRef   bool
	need     *FactorTable   // the headline need model
	models   []*FactorTable // every need model, the headline first
	reported []string       // ME drugs then basket-only drugs: the drugs whose absence is flagged
	methods  Methods
}

func prepare(fs FactorSet, model string) *prepared {
	p := &prepared{me: map[string]float64{}, sddd: map[string]float64{}}
	for _, r := range fs.ME.Rows {
		if _, dup := p.me[r.Key]; !dup {
			p.me[r.Key] = r.Value
			p.meDrugs = append(p.meDrugs, r.Key)
		}
	}
	for _, r := range fs.SDDD.Rows {
		if _, dup := p.sddd[r.Key]; !dup {
			p.sddd[r.Key] = r.Value
		}
	}
	seen := map[string]bool{}
	for _, r := range fs.Basket.Rows {
		if !seen[r.Key] {
			seen[r.Key] = true
			p.basket = append(p.basket, r.Key)
		}
	}
	p.reported = append(p.reported, p.meDrugs...)
	for _, d := range p.basket {
		if _, inME := p.me[d]; !inME {
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
		p.models = append(p.models, p.need)
	}
	for i := range fs.Need {
		if &fs.Need[i] != p.need {
			p.models = append(p.models, &fs.Need[i])
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
	var hit *string
	for i := range rows {
		if rows[i].Value <= x {
			l := rows[i].Key
			hit = &l
		} else {
			break
		}
	}
	return hit
}

// indexed holds one country's inputs by year.
type indexed struct {
	iso3   string
	pop    map[int]Population
	deaths map[int]map[string]Deaths
	cons   map[int]map[string]Consumption
	est    map[int]map[string][]Estimate
	// Borders and income groups by year (successions.go, income_years.go).
	in *CountryInputs
	// notReported marks years with consumption rows of which none has a
	// figure; suspected marks years RuleSuspectedNotReported treats as not
	// reported. A year with no consumption rows is not reported too.
	notReported map[int]bool
	suspected   map[int]bool
}

func indexInputs(in CountryInputs, rules QualityRules) *indexed {
	iso := in.Country.ISO3
	mine := func(s string) bool { return iso == "" || s == "" || s == iso }
	x := &indexed{
		iso3:   iso,
		pop:    map[int]Population{},
		deaths: map[int]map[string]Deaths{},
		cons:   map[int]map[string]Consumption{},
		est:    map[int]map[string][]Estimate{},
		in:     &in,
	}
	for _, p := range in.Population {
		if _, dup := x.pop[p.Year]; !dup && mine(p.ISO3) {
			x.pop[p.Year] = p
		}
	}
	for _, d := range in.Deaths {
		if !mine(d.ISO3) {
			continue
		}
		m := x.deaths[d.Year]
		if m == nil {
			m = map[string]Deaths{}
			x.deaths[d.Year] = m
		}
		if _, dup := m[d.Cause]; !dup {
			m[d.Cause] = d
		}
	}
	for _, c := range in.Consumption {
		if !mine(c.ISO3) {
			continue
		}
		m := x.cons[c.Year]
		if m == nil {
			m = map[string]Consumption{}
			x.cons[c.Year] = m
		}
		if _, dup := m[c.Drug]; !dup {
			m[c.Drug] = c
		}
	}
	for _, e := range in.Estimates {
		if !mine(e.ISO3) {
			continue
		}
		m := x.est[e.Year]
		if m == nil {
			m = map[string][]Estimate{}
			x.est[e.Year] = m
		}
		m[e.Drug] = append(m[e.Drug], e)
	}
	x.markNotReported(rules)
	return x
}

func (x *indexed) years(from, to int) []int {
	if from != 0 || to != 0 {
		if from == 0 || to == 0 {
			lo, hi := x.dataSpan()
			if from == 0 {
				from = lo
			}
			if to == 0 {
				to = hi
			}
		}
		var ys []int
		for y := from; y <= to; y++ {
			ys = append(ys, y)
		}
		return ys
	}
	set := map[int]bool{}
	for y := range x.pop {
		set[y] = true
	}
	for y := range x.cons {
		set[y] = true
	}
	for y := range x.in.YearFlags {
		set[y] = true
	}
	ys := make([]int, 0, len(set))
	for y := range set {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	return ys
}

func (x *indexed) dataSpan() (lo, hi int) {
	first := true
	see := func(y int) {
		if first || y < lo {
			lo = y
		}
		if first || y > hi {
			hi = y
		}
		first = false
	}
	for y := range x.pop {
		see(y)
	}
	for y := range x.cons {
		see(y)
	}
	return lo, hi
}

func computeIndexed(c Country, x *indexed, p *prepared, from, to int) CountryGaps {
	out := CountryGaps{
		Country: CountryRef{ISO3: c.ISO3, Name: c.Name, WHORegion: c.WHORegion, IncomeGroup: c.IncomeGroup},
		Methods: p.methods,
	}
	ys := x.years(from, to)
	out.Years = make([]YearGaps, 0, len(ys))
	for _, y := range ys {
		var g YearGaps
		if bordersAbsent(x.in, y) {
			g = absentYear(y)
		} else {
			g = computeYear(x, p, y)
		}
		applyYearContext(&g, x.in)
		out.Years = append(out.Years, g)
	}
	for i := range out.Years {
		flagImplausibleChange(x, p, &out.Years[i])
	}
	return out
}

// population returns the year's population in persons, if given and positive.
func (x *indexed) population(y int) (Population, bool) {
	p, ok := x.pop[y]
	return p, ok && p.Persons > 0 && !math.IsNaN(p.Persons)
}

// yearReported reports whether year y has consumption figures to compute
// with: some consumption row with a figure, and not a year the
// suspected-not-reported rule marked.
func (x *indexed) yearReported(y int) bool {
	return len(x.cons[y]) > 0 && !x.notReported[y] && !x.suspected[y]
}

// drugGrams returns a drug's consumed grams as the row gives them, whatever
// the year's state: a number, 0 for INCB's "-", nothing for a blank.
func (x *indexed) drugGrams(y int, drug string) (float64, Consumption, bool) {
	c, ok := x.cons[y][drug]
	if !ok {
		return 0, c, false
	}
	switch c.GramsState() {
	case ValueNil:
		if c.Grams != nil {
			return *c.Grams, c, true
		}
		return 0, c, true
	case ValueReported:
		if c.Grams != nil {
			return *c.Grams, c, true
		}
	}
	return 0, c, false
}

// grams returns a drug's consumed grams for the year's figures: nothing in
// a year that is not reported.
func (x *indexed) grams(y int, drug string) (float64, Consumption, bool) {
	if !x.yearReported(y) {
		return 0, Consumption{}, false
	}
	return x.drugGrams(y, drug)
}

// meMg is Σ mg ME over the ME drugs with a figure in year y, and how many
// there were.
func (x *indexed) meMg(p *prepared, y int) (sum float64, n int) {
	for _, d := range p.meDrugs {
		if g, _, ok := x.grams(y, d); ok {
			sum += g * 1000 * p.me[d]
			n++
		}
	}
	return sum, n
}

// mePerCapita is mg ME per capita in year y, or nil.
func (x *indexed) mePerCapita(p *prepared, y int) *float64 {
	pop, ok := x.population(y)
	me, n := x.meMg(p, y)
	if !ok || n == 0 {
		return nil
	}
	return F(me / pop.Persons)
}

// basketSDDD returns Σ mg ÷ S-DDD mg over the basket drugs reported in year
// y, how many there were, and the reported drugs lacking an S-DDD factor.
func (x *indexed) basketSDDD(p *prepared, y int) (sum float64, n int, noFactor []string) {
	for _, d := range p.basket {
		g, _, ok := x.grams(y, d)
		if !ok {
			continue
		}
		f, ok := p.sddd[d]
		if !ok || f <= 0 {
			noFactor = append(noFactor, d)
			continue
		}
		sum += g * 1000 / f
		n++
	}
	return sum, n, noFactor
}

// sdddPerMillion is S-DDD per million inhabitants per day for year y, or
// nil when the population or every basket drug is missing.
func (x *indexed) sdddPerMillion(p *prepared, y int) *float64 {
	pop, ok := x.population(y)
	if !ok {
		return nil
	}
	sum, n, _ := x.basketSDDD(p, y)
	if n == 0 {
		return nil
	}
	return F(sum / DaysPerYear / (pop.Persons / 1e6))
}

// estimateGrams is the year's estimate for a drug: the annual total (a
// confirmed one preferred over a submitted one) plus every supplementary
// total. A row without Total is totalled with FormBTotal, the prior stock
// being the Form C stock of 31 December of the year before when given.
func (x *indexed) estimateGrams(y int, drug string, rows []Estimate) (total float64, annual bool, used []Estimate) {
	var prior *float64
	if c, ok := x.cons[y-1][drug]; ok {
		prior = c.Stock
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
