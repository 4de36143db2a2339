package access

import (
	"math"
	"sort"
)

// The supply estimator: what a country should request for a target year,
// drug by drug, as Form B lines. The method is set out in
// docs/METHODOLOGY.md ("Supply estimator"); in short, per drug, in grams of
// anhydrous base:
//
//	consumption projection = mean of the last three reported years, the
//	                         linear trend over the last five, or the higher
//	                         of the two (default), never negative; each year
//	                         corrected for stock-out days: use × 365 ÷ (365 − days)
//	need-based             = need ME × the drug's share of the mix ÷ 1000 ÷ ME factor
//	phased                 = projection + phase × max(0, need-based − projection)
//	(a) = phased; (b) = last reported utilization for manufacture;
//	(c) = stock months ÷ 12 × (a); (d) = 0; expected stock = last reported stock
//	total = a + b + d + max(0, c − expected stock)
//
// Everything is a plain function of its inputs: no clock, no store.

// Projection methods.
const (
	ProjectionMean  = "mean"
	ProjectionTrend = "trend"
	ProjectionMax   = "max"
)

// Mixes: how the need-based ME is split across the strong opioids.
const (
	// MixCurrent splits need by the ME shares of the country's consumption
	// projections; under MixMorphineThreshold of need it falls back to
	// oral morphine only.
	MixCurrent = "current"
	// MixMorphine puts all need on oral morphine, the WHO first-line choice.
	MixMorphine = "morphine"
)

// Defaults of SupplyOptions.
const (
	DefaultPhase       = 1.0 / 3
	DefaultStockMonths = 6.0
	// MixMorphineThreshold: a country whose projected ME is under this share
	// of need has no mix worth copying.
	MixMorphineThreshold = 0.01
	// FarAboveFactor: a ministry estimate over this multiple of both the
	// consumption projection and the phased quantity is flagged far_above.
	FarAboveFactor = 2.0
	// MeanYears and TrendYears are how many reported years each projection uses.
	MeanYears  = 3
	TrendYears = 5
	// MinTrendYears is the fewest reported years a trend is fitted on.
	MinTrendYears = 3
)

// Flags on a supply line (and, for need_projected and
// includes_unpublished_submission, on the estimate).
const (
	FlagNeedProjected                 = "need_projected"
	FlagPopulationProjected           = "population_projected"
	FlagNoConsumptionHistory          = "no_consumption_history"
	FlagShortHistory                  = "short_history"
	FlagTrendUnavailable              = "trend_unavailable"
	FlagStockOutAdjusted              = "stock_out_adjusted"
	FlagStockOutWholeYear             = "stock_out_whole_year"
	FlagConsumptionOnly               = "consumption_only"
	FlagMixMorphineOnly               = "mix_morphine_only"
	FlagNeedUnavailable               = "need_unavailable"
	FlagProjectionAboveNeed           = "projection_above_need"
	FlagNoStockReported               = "no_stock_reported"
	FlagBelowConsumptionProjection    = "below_consumption_projection"
	FlagBelowPhasedNeed               = "below_phased_need"
	FlagFarAbove                      = "far_above"
	FlagIncludesUnpublishedSubmission = "includes_unpublished_submission"
)

// NeedModel gives the need, mg ME, for one country-year. Deaths are the
// year's deaths by cause, population its persons (NaN when unknown); ok is
// false when the model cannot compute (an input it uses is missing).
type NeedModel struct {
	Ref            Ref
	Causes         []string // the causes whose deaths it uses
	UsesPopulation bool     // whether it uses the population
	MEMg           func(deaths map[string]float64, population float64) (meMg float64, ok bool)
}

// TableNeedModel is the need model of a KindNeedModel factor table,
// computed by the gap figures' own need code (indexed.needOf): Σ over its
// rows of deaths(cause) × share × mg per day × days, and, for a row keyed
// NeedPerInhabitant, population × value.
func TableNeedModel(t FactorTable) NeedModel {
	m := NeedModel{Ref: t.Ref()}
	for _, r := range t.Rows {
		if r.Key == NeedPerInhabitant {
			m.UsesPopulation = true
		} else {
			m.Causes = append(m.Causes, r.Key)
		}
	}
	table := t
	table.Rows = append([]FactorRow(nil), t.Rows...)
	m.MEMg = func(deaths map[string]float64, population float64) (float64, bool) {
		const y = 2000 // any year: the inputs are the one year's
		var in CountryInputs
		for c, d := range deaths {
			in.Deaths = append(in.Deaths, Deaths{Year: y, Cause: c, Deaths: d})
		}
		if population > 0 {
			in.Population = []Population{{Year: y, Persons: population}}
		}
		need, _, _ := indexInputs(in, QualityRules{}, newInputKeys(FactorSet{Need: []FactorTable{table}})).needOf(&table, y)
		if need == nil {
			return 0, false
		}
		return *need, true
	}
	return m
}

// SupplyOptions are the choices of a supply estimate. Nil pointers and
// empty strings take the defaults.
type SupplyOptions struct {
	Projection  string   // mean | trend | max (default)
	Mix         string   // current (default) | morphine
	Phase       *float64 // share of the remaining gap closed in the year, 0–1; default 1/3
	StockMonths *float64 // months of (a) to hold on 31 December, 0–24; default 6
	// Figures the ministry gives itself, per drug, grams of base: they
	// replace (b), (d) and the expected stock on 31 December.
	Manufacture   map[string]float64
	SpecialStocks map[string]float64
	ExpectedStock map[string]float64
	// Quality says which data-quality rules run (the zero value runs every
	// one); the service sets it from the administrator's settings.
	Quality QualityRules
}

// normalize checks the options and fills in the defaults.
func (o SupplyOptions) normalize() (SupplyOptions, error) {
	const op = "EstimateSupply"
	switch o.Projection {
	case "":
		o.Projection = ProjectionMax
	case ProjectionMean, ProjectionTrend, ProjectionMax:
	default:
		return o, Errorf(Invalid, op, "projection %q: use mean, trend or max", o.Projection)
	}
	switch o.Mix {
	case "":
		o.Mix = MixCurrent
	case MixCurrent, MixMorphine:
	default:
		return o, Errorf(Invalid, op, "mix %q: use current or morphine", o.Mix)
	}
	if o.Phase == nil {
		o.Phase = F(DefaultPhase)
	} else if p := *o.Phase; math.IsNaN(p) || p < 0 || p > 1 {
		return o, Errorf(Invalid, op, "phase %v: a fraction between 0 and 1 is needed", p)
	}
	if o.StockMonths == nil {
		o.StockMonths = F(DefaultStockMonths)
	} else if m := *o.StockMonths; math.IsNaN(m) || m < 0 || m > 24 {
		return o, Errorf(Invalid, op, "stock months %v: a number between 0 and 24 is needed", m)
	}
	for what, m := range map[string]map[string]float64{"manufacture": o.Manufacture, "special stocks": o.SpecialStocks, "expected stock": o.ExpectedStock} {
		for d, v := range m {
			if !plausibleGrams(v) {
				return o, Errorf(Invalid, op, "%s for %s: a number of grams from 0 to %g is needed", what, d, float64(MaxPlausibleGrams))
			}
		}
	}
	return o, nil
}

// SupplyEstimate is the suggested Form B estimate of one country for one
// year. The JSON names are the API's.
type SupplyEstimate struct {
	Country   string        `json:"country"`
	Year      int           `json:"year"`
	Methods   SupplyMethods `json:"methods"`
	Drugs     []SupplyLine  `json:"drugs"`
	TotalMEMg float64       `json:"total_me_mg"`
	// NeedMEMg is the need model's ME for the year (projected when flagged
	// need_projected); null when it cannot be computed.
	NeedMEMg *float64 `json:"need_me_mg"`
	Flags    []string `json:"flags"`
	// DataVersion is the database's data version the inputs were read at
	// (0 when computed outside the service).
	DataVersion int64 `json:"data_version"`
}

// SupplyMethods records the choices and factor-table versions behind an estimate.
type SupplyMethods struct {
	Projection   string  `json:"projection"`
	NeedModel    *Ref    `json:"need_model"`
	Mix          string  `json:"mix"`
	Phase        float64 `json:"phase"`
	StockMonths  float64 `json:"stock_months"`
	FactorTables []Ref   `json:"factor_tables"`
	FormBTotal   string  `json:"formb_total"`
	// DataQualityRules are the rules that ran, name/version.
	DataQualityRules []string `json:"data_quality_rules"`
}

// SupplyLine is one drug's suggested Form B line, grams of anhydrous base.
type SupplyLine struct {
	Drug                   string   `json:"drug"`
	ConsumptionProjectionG *float64 `json:"consumption_projection_g"`
	NeedBasedG             *float64 `json:"need_based_g"`
	PhasedG                float64  `json:"phased_g"`
	AConsumptionG          float64  `json:"a_consumption_g"`
	BManufactureG          float64  `json:"b_manufacture_g"`
	CStockTargetG          float64  `json:"c_stock_target_g"`
	DSpecialStockG         float64  `json:"d_special_stock_g"`
	ExpectedStockG         *float64 `json:"expected_stock_g"`
	TotalG                 float64  `json:"total_g"`
	SubmittedTotalG        *float64 `json:"submitted_total_g"`
	SubmittedStatus        *string  `json:"submitted_status"`
	Flags                  []string `json:"flags"`
	Explanation            string   `json:"explanation"`
}

// Line returns the line for drug, if any.
func (e SupplyEstimate) Line(drug string) (SupplyLine, bool) {
	for _, l := range e.Drugs {
		if l.Drug == drug {
			return l, true
		}
	}
	return SupplyLine{}, false
}

// yearValue is one year's figure of a series, with where it came from.
type yearValue struct {
	year    int
	value   float64
	lineage Lineage
}

// projection is a drug's consumption projection and how it was made.
type projection struct {
	value     *float64
	mean      *float64
	trend     *float64
	meanYears []yearValue // the years averaged (adjusted for stock-outs)
	fitYears  []yearValue // the years the trend was fitted on
	adjusted  []int       // years corrected for stock-out days
	skipped   []int       // years out of stock all year
	suspected []int       // years a data-quality rule treats as not reported
	flags     flagSet
}

// reportedHistory is a drug's reported (or "-") consumption before year,
// oldest first, each corrected for stock-out days.
func reportedHistory(cs []Consumption, year int, suspect map[int]bool) (vals []yearValue, adjusted, skipped, suspected []int) {
	for _, c := range cs {
		if c.Year >= year {
			continue
		}
		if c.StockOutDays != nil && *c.StockOutDays >= DaysPerYear {
			skipped = append(skipped, c.Year)
			continue
		}
		if suspect[c.Year] {
			suspected = append(suspected, c.Year)
			continue
		}
		var g float64
		switch c.GramsState() {
		case ValueNotReported:
			continue
		case ValueNil:
			g = 0
		default:
			if c.Grams == nil || !plausibleGrams(*c.Grams) {
				continue
			}
			g = *c.Grams
		}
		if c.StockOutDays != nil && *c.StockOutDays > 0 && !math.IsNaN(*c.StockOutDays) {
			days := *c.StockOutDays
			if days >= DaysPerYear {
				skipped = append(skipped, c.Year)
				continue
			}
			g = g * DaysPerYear / (DaysPerYear - days)
			adjusted = append(adjusted, c.Year)
		}
		vals = append(vals, yearValue{year: c.Year, value: g, lineage: c.Lineage})
	}
	sort.Slice(vals, func(i, j int) bool { return vals[i].year < vals[j].year })
	return vals, adjusted, skipped, suspected
}

// MaxPlausibleGrams bounds a quantity the estimator uses: a million
// tonnes, thousands of times the world's yearly morphine. Larger, negative
// or non-finite figures are not data and are skipped.
const MaxPlausibleGrams = 1e12

func plausibleGrams(g float64) bool { return g >= 0 && g <= MaxPlausibleGrams }

// linearTrend fits v = α + β·year by least squares and evaluates it at x.
func linearTrend(pts []yearValue, x int) (float64, bool) {
	n := float64(len(pts))
	if len(pts) < 2 {
		return 0, false
	}
	var sx, sy float64
	for _, p := range pts {
		sx += float64(p.year)
		sy += p.value
	}
	mx, my := sx/n, sy/n
	var sxx, sxy float64
	for _, p := range pts {
		dx := float64(p.year) - mx
		sxx += dx * dx
		sxy += dx * (p.value - my)
	}
	if sxx == 0 {
		return 0, false
	}
	return my + sxy/sxx*(float64(x)-mx), true
}

// project makes a drug's consumption projection for year.
func project(cs []Consumption, year int, method string, suspect map[int]bool) projection {
	p := projection{flags: flagSet{}}
	vals, adjusted, skipped, suspected := reportedHistory(cs, year, suspect)
	p.adjusted, p.skipped, p.suspected = adjusted, skipped, suspected
	if len(suspected) > 0 {
		p.flags.add(FlagSuspectedNotReported)
	}
	if len(adjusted) > 0 {
		p.flags.add(FlagStockOutAdjusted)
	}
	if len(skipped) > 0 {
		p.flags.add(FlagStockOutWholeYear)
	}
	if len(vals) == 0 {
		p.flags.add(FlagNoConsumptionHistory)
		return p
	}
	p.meanYears = vals[max(0, len(vals)-MeanYears):]
	var sum float64
	for _, v := range p.meanYears {
		sum += v.value
	}
	p.mean = F(math.Max(0, sum/float64(len(p.meanYears))))
	if len(p.meanYears) < MeanYears {
		p.flags.add(FlagShortHistory)
	}
	fit := vals[max(0, len(vals)-TrendYears):]
	if len(fit) >= MinTrendYears {
		if t, ok := linearTrend(fit, year); ok {
			p.trend = F(math.Max(0, t))
			p.fitYears = fit
		}
	}
	if p.trend == nil && method != ProjectionMean {
		p.flags.add(FlagTrendUnavailable)
	}
	switch {
	case method == ProjectionMean || p.trend == nil:
		p.value = p.mean
	case method == ProjectionTrend:
		p.value = p.trend
	default:
		p.value = F(math.Max(*p.mean, *p.trend))
	}
	return p
}

// latestItem returns the most recent figure of a Form C item before year.
func latestItem(cs []Consumption, year int, item func(Consumption) *float64) (yearValue, bool) {
	var best yearValue
	found := false
	for _, c := range cs {
		v := item(c)
		if c.Year >= year || v == nil || !plausibleGrams(*v) {
			continue
		}
		if !found || c.Year > best.year {
			best, found = yearValue{year: c.Year, value: *v, lineage: c.Lineage}, true
		}
	}
	return best, found
}

// needResult is a need model's ME for the target year and how it was had.
type needResult struct {
	meMg          *float64
	projected     bool // deaths, or the population a model uses, were projected
	popProjected  bool
	deathsYear    int // the year the deaths came from
	populationFit []yearValue
	lineage       []Lineage
}

// yearPopulation is the population of the target year: given, or the
// linear trend of the last five years given (projected).
type yearPopulation struct {
	persons   float64
	ok        bool
	projected bool
	fit       []yearValue
	lineage   []Lineage
}

func populationFor(pops map[int]Population, year int) yearPopulation {
	if p, ok := pops[year]; ok {
		return yearPopulation{persons: p.Persons, ok: true, lineage: []Lineage{p.Lineage}}
	}
	var pts []yearValue
	for y, p := range pops {
		if y < year {
			pts = append(pts, yearValue{year: y, value: p.Persons, lineage: p.Lineage})
		}
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].year < pts[j].year })
	pts = pts[max(0, len(pts)-TrendYears):]
	v, ok := linearTrend(pts, year)
	if !ok || v <= 0 {
		return yearPopulation{}
	}
	yp := yearPopulation{persons: v, ok: true, projected: true, fit: pts}
	for _, p := range pts {
		yp.lineage = append(yp.lineage, p.lineage)
	}
	return yp
}

// needFor is the need model's ME for year, projecting deaths (and, where
// missing, population) beyond the last year that has them: the last
// year's deaths per inhabitant times the target year's population.
func needFor(in CountryInputs, year int, m *NeedModel) needResult {
	var r needResult
	if m == nil {
		return r
	}
	pops := map[int]Population{}
	for _, p := range in.Population {
		if _, dup := pops[p.Year]; !dup && p.Persons > 0 && p.Persons < 1e11 {
			pops[p.Year] = p
		}
	}
	byYear := map[int]map[string]Deaths{}
	for _, d := range in.Deaths {
		if !(d.Deaths >= 0 && d.Deaths < 1e10) {
			continue
		}
		if byYear[d.Year] == nil {
			byYear[d.Year] = map[string]Deaths{}
		}
		if _, dup := byYear[d.Year][d.Cause]; !dup {
			byYear[d.Year][d.Cause] = d
		}
	}
	complete := func(y int) bool {
		for _, c := range m.Causes {
			if _, ok := byYear[y][c]; !ok {
				return false
			}
		}
		return true
	}
	pop := populationFor(pops, year)
	deaths := map[string]float64{}
	r.deathsYear = year
	if len(m.Causes) > 0 && !complete(year) {
		// The last earlier year with every cause.
		last := 0
		for y := range byYear {
			if y < year && y > last && complete(y) {
				last = y
			}
		}
		lastPop, ok := pops[last]
		if last == 0 || !ok || !pop.ok {
			return r
		}
		r.deathsYear, r.projected = last, true
		r.lineage = append(r.lineage, lastPop.Lineage)
	}
	for _, c := range m.Causes {
		d := byYear[r.deathsYear][c]
		deaths[c] = d.Deaths
		if r.projected {
			deaths[c] = d.Deaths / pops[r.deathsYear].Persons * pop.persons
		}
		r.lineage = append(r.lineage, d.Lineage)
	}
	persons := math.NaN()
	if pop.ok {
		persons = pop.persons
	}
	if r.projected || m.UsesPopulation {
		// The target year's population was used: record it.
		r.lineage = append(r.lineage, pop.lineage...)
		r.popProjected, r.populationFit = pop.projected, pop.fit
		r.projected = r.projected || pop.projected
	}
	v, ok := m.MEMg(deaths, persons)
	if !ok || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return r
	}
	r.meMg = F(v)
	return r
}

// submittedEstimate is the ministry's annual estimate for a drug and year:
// the confirmed one, else the submitted one. A row without a total is
// totalled by FormBTotal with the stock of the year before as prior stock.
func submittedEstimate(in CountryInputs, year int, drug string) (total float64, status EstimateStatus, lin Lineage, ok bool) {
	best := -1
	for i, e := range in.Estimates {
		if e.Year != year || e.Drug != drug || e.Kind != EstimateAnnual {
			continue
		}
		if best < 0 || (in.Estimates[best].Status != EstimateConfirmed && e.Status == EstimateConfirmed) {
			best = i
		}
	}
	if best < 0 {
		return 0, "", Lineage{}, false
	}
	e := in.Estimates[best]
	if e.Total != nil {
		return *e.Total, e.Status, e.Lineage, true
	}
	var prior *float64
	for _, c := range in.Consumption {
		if c.Year == year-1 && c.Drug == drug {
			prior = c.Stock
		}
	}
	return FormBTotal(e.ToBeConsumed, e.UtilizedForManufacture, e.StockTarget, e.SpecialStocks, prior), e.Status, e.Lineage, true
}

// EstimateSupply suggests a country's Form B estimate for year, drug by
// drug, from its consumption history, its need under the need model (nil:
// no need-based figures) and the ME factor table me.
func EstimateSupply(in CountryInputs, year int, me FactorTable, need *NeedModel, opt SupplyOptions) (SupplyEstimate, error) {
	opt, err := opt.normalize()
	if err != nil {
		return SupplyEstimate{}, err
	}
	if year < 1900 || year > 2100 {
		return SupplyEstimate{}, Errorf(Invalid, "EstimateSupply", "a year between 1900 and 2100 is needed")
	}
	r := newSupplyRun(in, year, me, need, opt)
	out := SupplyEstimate{Country: in.Country.ISO3, Year: year, Drugs: []SupplyLine{}, NeedMEMg: r.need.meMg}
	out.Methods = SupplyMethods{Projection: opt.Projection, Mix: opt.Mix, Phase: *opt.Phase,
		StockMonths: *opt.StockMonths, FactorTables: []Ref{me.Ref()}, FormBTotal: FormBTotalMethod,
		DataQualityRules: opt.Quality.names()}
	if need != nil {
		ref := need.Ref
		out.Methods.NeedModel = &ref
		out.Methods.FactorTables = append(out.Methods.FactorTables, ref)
	}
	flags := flagSet{}
	if r.need.meMg != nil && r.need.projected {
		flags.add(FlagNeedProjected)
	}
	if r.need.meMg != nil && r.need.popProjected {
		flags.add(FlagPopulationProjected)
	}
	if r.mixUsed != opt.Mix {
		flags.add(FlagMixMorphineOnly)
	}
	for _, d := range r.drugs() {
		l := r.line(d)
		if f, ok := r.meFactor[d]; ok {
			out.TotalMEMg += l.TotalG * 1000 * f
		}
		out.Drugs = append(out.Drugs, l)
	}
	out.Flags = flags.list()
	return out, nil
}

// supplyRun is one supply estimate in the making: the inputs indexed, the
// projections, the need and its split by the mix.
type supplyRun struct {
	in       CountryInputs
	year     int
	opt      SupplyOptions
	model    *NeedModel
	meTable  Ref
	meFactor map[string]float64
	meOrder  []string // ME table order
	history  map[string][]Consumption
	proj     map[string]projection
	need     needResult
	share    map[string]float64 // need ME share by drug
	mixUsed  string
}

func newSupplyRun(in CountryInputs, year int, me FactorTable, need *NeedModel, opt SupplyOptions) *supplyRun {
	r := &supplyRun{in: in, year: year, opt: opt, model: need, meTable: me.Ref(), meFactor: map[string]float64{},
		history: map[string][]Consumption{}, proj: map[string]projection{}, share: map[string]float64{}, mixUsed: opt.Mix}
	for _, row := range me.Rows {
		if _, dup := r.meFactor[row.Key]; !dup && row.Value > 0 {
			r.meFactor[row.Key] = row.Value
			r.meOrder = append(r.meOrder, row.Key)
		}
	}
	for _, c := range in.Consumption {
		if in.Country.ISO3 == "" || c.ISO3 == "" || c.ISO3 == in.Country.ISO3 {
			r.history[c.Drug] = append(r.history[c.Drug], c)
		}
	}
	// Years the data-quality rules treat as not reported, as the gap
	// figures do.
	suspect := indexInputs(CountryInputs{Country: in.Country, Consumption: in.Consumption}, opt.Quality, newInputKeys(FactorSet{})).suspectedYears()
	for d, cs := range r.history {
		r.proj[d] = project(cs, year, opt.Projection, suspect)
	}
	r.need = needFor(in, year, need)
	r.splitNeed()
	return r
}

// splitNeed shares the need among the ME drugs by the mix: the ME shares
// of the projections (current), or all on oral morphine (asked for, or
// when the projected ME is under MixMorphineThreshold of need).
func (r *supplyRun) splitNeed() {
	if r.need.meMg == nil {
		return
	}
	var projME float64
	for _, d := range r.meOrder {
		if p, ok := r.proj[d]; ok && p.value != nil {
			projME += *p.value * 1000 * r.meFactor[d]
		}
	}
	if r.opt.Mix == MixCurrent && projME > 0 && projME >= MixMorphineThreshold**r.need.meMg {
		for _, d := range r.meOrder {
			if p, ok := r.proj[d]; ok && p.value != nil {
				r.share[d] = *p.value * 1000 * r.meFactor[d] / projME
			}
		}
		return
	}
	r.mixUsed = MixMorphine
	r.share["morphine"] = 1
}

// drugs lists the drugs with a line, ME table order first, then by name:
// every one with history, every one need is put on, every one the
// ministry estimated for the year or gives (b) or (d) for.
func (r *supplyRun) drugs() []string {
	set := map[string]bool{}
	for d := range r.history {
		set[d] = true
	}
	for d, s := range r.share {
		if s > 0 {
			set[d] = true
		}
	}
	for _, e := range r.in.Estimates {
		if e.Year == r.year {
			set[e.Drug] = true
		}
	}
	for _, m := range []map[string]float64{r.opt.Manufacture, r.opt.SpecialStocks} {
		for d := range m {
			set[d] = true
		}
	}
	drugs := make([]string, 0, len(set))
	for d := range set {
		drugs = append(drugs, d)
	}
	rank := func(d string) int {
		for i, m := range r.meOrder {
			if m == d {
				return i
			}
		}
		return len(r.meOrder)
	}
	sort.Slice(drugs, func(i, j int) bool {
		ri, rj := rank(drugs[i]), rank(drugs[j])
		if ri != rj {
			return ri < rj
		}
		return drugs[i] < drugs[j]
	})
	return drugs
}

// line makes one drug's line: projection, need-based quantity, phased
// path, Form B items, the ministry's estimate and the explanation.
func (r *supplyRun) line(d string) SupplyLine {
	p, ok := r.proj[d]
	if !ok {
		p = projection{flags: flagSet{}}
		p.flags.add(FlagNoConsumptionHistory)
	}
	l := SupplyLine{Drug: d, ConsumptionProjectionG: p.value}
	flags := p.flags
	base := 0.0
	if p.value != nil {
		base = *p.value
	}
	f, hasME := r.meFactor[d]
	switch {
	case !hasME:
		flags.add(FlagConsumptionOnly)
	case r.need.meMg == nil:
		flags.add(FlagNeedUnavailable)
	default:
		l.NeedBasedG = F(*r.need.meMg * r.share[d] / 1000 / f)
		if r.need.projected {
			flags.add(FlagNeedProjected)
		}
		if r.mixUsed != r.opt.Mix {
			flags.add(FlagMixMorphineOnly)
		}
	}
	l.PhasedG = base
	if l.NeedBasedG != nil {
		if *l.NeedBasedG > base {
			l.PhasedG = base + *r.opt.Phase*(*l.NeedBasedG-base)
		} else if base > *l.NeedBasedG {
			flags.add(FlagProjectionAboveNeed)
		}
	}
	bSrc, stockSrc := r.formB(&l, flags)
	subLin := r.compare(&l, p.value, base, flags)
	l.Flags = flags.list()
	l.Explanation = explainLine(explainInput{
		country: r.in.Country, year: r.year, line: l, proj: p, method: r.opt.Projection,
		need: r.need, model: r.model, meTable: r.meTable, meFactor: f, hasME: hasME,
		share: r.share[d], mix: r.mixUsed, mixAsked: r.opt.Mix, phase: *r.opt.Phase,
		months: *r.opt.StockMonths, bSrc: bSrc, stockSrc: stockSrc,
		bGiven: has(r.opt.Manufacture, d), dGiven: has(r.opt.SpecialStocks, d), stockGiven: has(r.opt.ExpectedStock, d),
		submittedAt: subLin,
	})
	return l
}

// formB fills items (a)–(d), the expected stock and the total of l, and
// returns where (b) and the expected stock came from (nil: given or none).
func (r *supplyRun) formB(l *SupplyLine, flags flagSet) (bSrc, stockSrc *yearValue) {
	d, h := l.Drug, r.history[l.Drug]
	l.AConsumptionG = l.PhasedG
	if v, ok := r.opt.Manufacture[d]; ok {
		l.BManufactureG = v
	} else if yv, ok := latestItem(h, r.year, func(c Consumption) *float64 { return c.UtilizedForManufacture }); ok {
		l.BManufactureG, bSrc = yv.value, &yv
	}
	l.CStockTargetG = l.AConsumptionG * *r.opt.StockMonths / 12
	if v, ok := r.opt.SpecialStocks[d]; ok {
		l.DSpecialStockG = v
	}
	if v, ok := r.opt.ExpectedStock[d]; ok {
		l.ExpectedStockG = F(v)
	} else if yv, ok := latestItem(h, r.year, func(c Consumption) *float64 { return c.Stock }); ok {
		l.ExpectedStockG, stockSrc = F(yv.value), &yv
	} else {
		flags.add(FlagNoStockReported)
	}
	l.TotalG = FormBTotal(&l.AConsumptionG, &l.BManufactureG, &l.CStockTargetG, &l.DSpecialStockG, l.ExpectedStockG)
	return bSrc, stockSrc
}

// compare sets the ministry's estimate on l and flags how it stands
// against the projection and the phased quantity; it returns the
// estimate's lineage (nil without one).
func (r *supplyRun) compare(l *SupplyLine, projection *float64, base float64, flags flagSet) *Lineage {
	tot, st, lin, ok := submittedEstimate(r.in, r.year, l.Drug)
	if !ok {
		return nil
	}
	l.SubmittedTotalG = F(tot)
	status := string(st)
	l.SubmittedStatus = &status
	const eps = 1e-9
	if projection != nil && tot < *projection*(1-eps) {
		flags.add(FlagBelowConsumptionProjection)
	}
	if l.NeedBasedG != nil && tot < l.PhasedG*(1-eps) {
		flags.add(FlagBelowPhasedNeed)
	}
	if tot > FarAboveFactor*base && tot > FarAboveFactor*l.PhasedG {
		flags.add(FlagFarAbove)
	}
	return &lin
}

func has(m map[string]float64, k string) bool {
	_, ok := m[k]
	return ok
}
