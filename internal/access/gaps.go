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
	NeedModel          *Ref     `json:"need_model"` // null when the model asked for is not in the set
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
	ACM                  string `json:"acm"`
	EstimateTotal        string `json:"estimate_total_g"`
	EstimateUtilization  string `json:"estimate_utilization_pct"`
	EstimateCoverage     string `json:"estimate_need_coverage_pct"`
}

// CountryGaps is the gap figures for one country over a range of years,
// under one need model.
type CountryGaps struct {
	Country CountryRef `json:"country"`
	Methods Methods    `json:"methods"`
	Years   []YearGaps `json:"years"`
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
	NeedMEMg                *float64     `json:"need_me_mg"`
	NeedMetPct              *float64     `json:"need_met_pct"`
	GapMEMg                 *float64     `json:"gap_me_mg"`
	MorphineKgToCloseGap    *float64     `json:"morphine_kg_to_close_gap"`
	ACM                     *float64     `json:"acm"`
	ACMBand                 *string      `json:"acm_band"`
	EstimateMEMg            *float64     `json:"estimate_me_mg"`
	EstimateNeedCoveragePct *float64     `json:"estimate_need_coverage_pct"`
	EstimateUtilizationPct  *float64     `json:"estimate_utilization_pct"`
	Flags                   []string     `json:"flags"`
	Drugs                   []DrugGaps   `json:"drugs"`
	Lineage                 []LineageUse `json:"lineage"`
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

// Flags on a YearGaps. Those ending in ':' are followed by a drug or cause code.
const (
	FlagNoConsumptionData            = "no_consumption_data"
	FlagNotReported                  = "not_reported:"
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
	idx := indexInputs(in)
	out := make([]CountryGaps, 0, len(models))
	for _, m := range models {
		out = append(out, computeIndexed(in.Country, idx, prepare(fs, m), fromYear, toYear))
	}
	return out
}

// ComputeCountry computes a country's gap figures for the years fromYear to
// toYear inclusive (every year with consumption or population data when
// both are 0) under the need model named model ("" for fs.Need[0]). The
// formulas, units and factor sources are set out at DaysPerYear.
func ComputeCountry(in CountryInputs, fs FactorSet, model string, fromYear, toYear int) CountryGaps {
	return computeIndexed(in.Country, indexInputs(in), prepare(fs, model), fromYear, toYear)
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
	need     *FactorTable
	reported []string // ME drugs then basket-only drugs: the drugs whose absence is flagged
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
		if model == "" || fs.Need[i].Name == model {
			p.need = &fs.Need[i]
			break
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
	}
	if p.need != nil {
		r := p.need.Ref()
		p.methods.NeedModel = &r
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
	pop    map[int]Population
	deaths map[int]map[string]Deaths
	cons   map[int]map[string]Consumption
	est    map[int]map[string][]Estimate
	// Borders and income groups by year (successions.go, income_years.go).
	in *CountryInputs
}

func indexInputs(in CountryInputs) *indexed {
	iso := in.Country.ISO3
	mine := func(s string) bool { return iso == "" || s == "" || s == iso }
	x := &indexed{
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
	return out
}

// population returns the year's population in persons, if given and positive.
func (x *indexed) population(y int) (Population, bool) {
	p, ok := x.pop[y]
	return p, ok && p.Persons > 0 && !math.IsNaN(p.Persons)
}

// grams returns a drug's reported consumption for the year.
func (x *indexed) grams(y int, drug string) (Consumption, bool) {
	c, ok := x.cons[y][drug]
	return c, ok && c.Grams != nil
}

// basketSDDD returns Σ mg ÷ S-DDD mg over the basket drugs reported in year
// y, how many there were, and the reported drugs lacking an S-DDD factor.
func (x *indexed) basketSDDD(p *prepared, y int) (sum float64, n int, noFactor []string) {
	for _, d := range p.basket {
		c, ok := x.grams(y, d)
		if !ok {
			continue
		}
		f, ok := p.sddd[d]
		if !ok || f <= 0 {
			noFactor = append(noFactor, d)
			continue
		}
		sum += *c.Grams * 1000 / f
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

func computeYear(x *indexed, p *prepared, y int) YearGaps {
	g := YearGaps{Year: y, Drugs: []DrugGaps{}, Lineage: []LineageUse{}}
	flags := flagSet{}

	// Population.
	pop, havePop := x.population(y)
	if havePop {
		g.Population = F(pop.Persons)
		g.Lineage = append(g.Lineage, lineageUse(pop.Lineage, "population", y))
	} else {
		flags.add(FlagPopulationMissing)
	}

	// Per-drug consumption and estimate figures.
	drugSet := map[string]bool{}
	for d := range x.cons[y] {
		drugSet[d] = true
	}
	for d := range x.est[y] {
		drugSet[d] = true
	}
	drugs := make([]string, 0, len(drugSet))
	for d := range drugSet {
		drugs = append(drugs, d)
	}
	sort.Strings(drugs)
	byDrug := map[string]*DrugGaps{}
	for _, d := range drugs {
		dg := DrugGaps{Drug: d}
		if c, ok := x.grams(y, d); ok {
			grams := *c.Grams
			dg.Kg = F(grams / 1000)
			if f, ok := p.me[d]; ok {
				dg.MEMg = F(grams * 1000 * f)
			}
			if f, ok := p.sddd[d]; ok && f > 0 {
				dg.SDDD = F(grams * 1000 / f)
			}
			if grams == 0 {
				flags.add(FlagBelowThreshold + d)
			}
			g.Lineage = append(g.Lineage, lineageUse(c.Lineage, "consumption:"+d, y))
		}
		g.Drugs = append(g.Drugs, dg)
	}
	for i := range g.Drugs {
		byDrug[g.Drugs[i].Drug] = &g.Drugs[i]
	}

	// Morphine equivalence.
	for _, d := range p.reported {
		if _, ok := x.grams(y, d); !ok {
			flags.add(FlagNotReported + d)
		}
	}
	var me float64
	var nME int
	for _, d := range p.meDrugs {
		if dg := byDrug[d]; dg != nil && dg.MEMg != nil {
			me += *dg.MEMg
			nME++
		}
	}
	if nME > 0 {
		g.MEMg = F(me)
		if havePop {
			g.MEMgPerCapita = F(me / pop.Persons)
		}
	} else {
		flags.add(FlagNoConsumptionData)
	}

	// S-DDD per million per day, its three-year average and the INCB band.
	_, nBasket, noFactor := x.basketSDDD(p, y)
	for _, d := range noFactor {
		flags.add(FlagSDDDFactorMissing + d)
	}
	if nBasket == 0 {
		flags.add(FlagNoBasketData)
	}
	g.SDDDPerMillionPerDay = x.sdddPerMillion(p, y)
	if g.SDDDPerMillionPerDay != nil {
		prev1, prev2 := x.sdddPerMillion(p, y-1), x.sdddPerMillion(p, y-2)
		if prev1 != nil && prev2 != nil {
			g.SDDD3YrAvg = F((*g.SDDDPerMillionPerDay + *prev1 + *prev2) / 3)
			for _, py := range []int{y - 1, y - 2} {
				pp, _ := x.population(py)
				g.Lineage = append(g.Lineage, lineageUse(pp.Lineage, "population", py))
				for _, d := range p.basket {
					if c, ok := x.grams(py, d); ok {
						g.Lineage = append(g.Lineage, lineageUse(c.Lineage, "consumption:"+d, py))
					}
				}
			}
		}
	}
	switch {
	case g.SDDD3YrAvg != nil:
		g.Adequacy = band(p.incb, *g.SDDD3YrAvg)
	case g.SDDDPerMillionPerDay != nil:
		g.Adequacy = band(p.incb, *g.SDDDPerMillionPerDay)
		flags.add(FlagAdequacySingleYear)
	}

	// Benchmark index.
	if g.MEMgPerCapita != nil {
		if p.hasRef && p.benchRef > 0 {
			g.BenchmarkIndex = F(100 * *g.MEMgPerCapita / p.benchRef)
			g.BenchmarkBand = band(p.bench, *g.BenchmarkIndex)
		} else {
			flags.add(FlagBenchmarkRefMissing)
		}
	}

	// Need, gap and the adequacy of consumption measure.
	if p.need == nil {
		flags.add(FlagNeedModelMissing)
	} else {
		var need float64
		complete := true
		var used []LineageUse
		for _, r := range p.need.Rows {
			d, ok := x.deaths[y][r.Key]
			if !ok || math.IsNaN(d.Deaths) {
				flags.add(FlagDeathsMissing + r.Key)
				complete = false
				continue
			}
			need += d.Deaths * r.Share * r.MgPerDay * r.Days
			used = append(used, lineageUse(d.Lineage, "deaths:"+r.Key, y))
		}
		if complete {
			g.NeedMEMg = F(need)
			g.Lineage = append(g.Lineage, used...)
		}
	}
	if g.NeedMEMg != nil && *g.NeedMEMg == 0 {
		flags.add(FlagNeedZero)
	}
	if g.NeedMEMg != nil && g.MEMg != nil {
		need, me := *g.NeedMEMg, *g.MEMg
		g.GapMEMg = F(math.Max(0, need-me))
		g.MorphineKgToCloseGap = F(*g.GapMEMg / 1e6)
		if need > 0 {
			g.NeedMetPct = F(100 * me / need)
			g.ACM = F(me / need)
			g.ACMBand = band(p.acm, *g.ACM)
		}
	}

	// Estimates.
	if len(x.est[y]) == 0 {
		flags.add(FlagNoEstimate)
	} else {
		var estME, utilCons, utilEst float64
		var nEstME, nUtil int
		for _, d := range drugs {
			rows := x.est[y][d]
			if len(rows) == 0 {
				continue
			}
			total, annual, used := x.estimateGrams(y, d, rows)
			if !annual {
				flags.add(FlagSupplementaryOnly + d)
			}
			for _, e := range used {
				g.Lineage = append(g.Lineage, lineageUse(e.Lineage, "estimate:"+d+":"+string(e.Kind), y))
			}
			dg := byDrug[d]
			dg.EstimateTotalG = F(total)
			f, inME := p.me[d]
			if inME {
				dg.EstimateMEMg = F(total * 1000 * f)
				estME += *dg.EstimateMEMg
				nEstME++
			}
			if c, ok := x.grams(y, d); ok {
				if *c.Grams > total {
					flags.add(FlagConsumptionAboveEstimate)
					flags.add(FlagConsumptionAboveEstimateDrug + d)
				}
				if inME {
					utilCons += *dg.MEMg
					utilEst += *dg.EstimateMEMg
					nUtil++
				}
			}
		}
		if nEstME == 0 {
			flags.add(FlagNoEstimateME)
		} else {
			g.EstimateMEMg = F(estME)
			if g.NeedMEMg != nil && *g.NeedMEMg > 0 {
				g.EstimateNeedCoveragePct = F(100 * estME / *g.NeedMEMg)
				if estME < *g.NeedMEMg {
					flags.add(FlagEstimateBelowNeed)
				}
			}
		}
		if nUtil > 0 {
			if utilEst > 0 {
				g.EstimateUtilizationPct = F(100 * utilCons / utilEst)
			} else {
				flags.add(FlagEstimateZero)
			}
		}
	}

	g.Flags = flags.list()
	return g
}
