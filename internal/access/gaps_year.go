package access

import (
	"math"
	"slices"
	"sort"
)

// yearCalc computes one country's years, one after another: the year
// being computed, its flags and lineage so far (buffers reused from year
// to year), and the blocks its optional figures are handed out from, so
// that a figure costs no allocation of its own.
type yearCalc struct {
	x       *indexed
	p       *prepared
	y       int
	s       *yearSlot
	g       *YearGaps
	flags   []string
	lineage []LineageUse
	pop     *Population
	hasPop  bool
	drugs   []int32 // drugs with consumption or estimate rows, by code
	need    needDetail
	// Blocks the figures, labels and the years' slices are carved from.
	years     int // how many years the country has: blocks are sized by it
	floats    []float64
	strs      []string
	pairs     [][2]float64
	flagBlock []string
	linBlock  []LineageUse
	drugBlock []DrugGaps
}

// carve is the next n elements of block, as a slice of its own capacity
// (an append to it copies rather than writing over the next), never nil.
// A new block holds at least size elements.
func carve[T any](block *[]T, n, size int) []T {
	if *block == nil || cap(*block)-len(*block) < n {
		*block = make([]T, 0, max(n, size))
	}
	b := *block
	*block = b[:len(b)+n]
	return b[len(b) : len(b)+n : len(b)+n]
}

func computeIndexed(c Country, x *indexed, p *prepared, from, to int) CountryGaps {
	out := CountryGaps{
		Country: CountryRef{ISO3: c.ISO3, Name: c.Name, WHORegion: c.WHORegion, IncomeGroup: c.IncomeGroup},
		Methods: p.methods,
	}
	ys := x.years(from, to)
	out.Years = make([]YearGaps, len(ys))
	calc := &yearCalc{x: x, p: p, years: len(ys)}
	for i, y := range ys {
		calc.year(y, &out.Years[i])
	}
	return out
}

// blockSize is the size of a new block for perYear elements a year (a
// guess: a block too small is followed by another), at most 1024.
func (c *yearCalc) blockSize(perYear int) int {
	return min(max(c.years*perYear, 8), 1024)
}

// f is a pointer to v, from the current block.
func (c *yearCalc) f(v float64) *float64 {
	if len(c.floats) == cap(c.floats) {
		c.floats = make([]float64, 0, c.blockSize(16))
	}
	c.floats = append(c.floats, v)
	return &c.floats[len(c.floats)-1]
}

// str is a pointer to a copy of s, from the current block.
func (c *yearCalc) str(s string) *string {
	if len(c.strs) == cap(c.strs) {
		c.strs = make([]string, 0, c.blockSize(4))
	}
	c.strs = append(c.strs, s)
	return &c.strs[len(c.strs)-1]
}

// band is the label of the band v falls in (see band), or nil.
func (c *yearCalc) band(rows []FactorRow, v float64) *string {
	if i := bandRow(rows, v); i >= 0 {
		return c.str(rows[i].Key)
	}
	return nil
}

func (c *yearCalc) flag(f string) { c.flags = append(c.flags, f) }

// year computes year y into g: its figures, or every figure null (not
// zero) in a year the country did not exist as itself, with what the year
// owes to borders and to the income classification (the year's income
// group and the flags the border preparation set).
func (c *yearCalc) year(y int, g *YearGaps) {
	c.y, c.s, c.g = y, c.x.slot(y), g
	c.flags, c.lineage = c.flags[:0], c.lineage[:0]
	if bordersAbsent(c.x.in, y) {
		*g = YearGaps{Year: y, Drugs: []DrugGaps{}, Lineage: []LineageUse{}}
		c.flag(FlagStateNotExisting)
	} else {
		c.compute()
	}
	group, flag := yearIncomeGroup(c.x.in, y)
	if group != "" {
		g.IncomeGroup = c.str(group)
	}
	c.flags = append(c.flags, c.x.in.YearFlags[y]...)
	if flag != "" {
		c.flag(flag)
	}
	g.Flags = c.flagList(implausibleChange(c.x, c.p, g))
}

// flagList is the year's flags sorted, each once, then implausible_change
// when implausible: a slice of its own, never nil.
func (c *yearCalc) flagList(implausible bool) []string {
	flags := c.flags
	sort.Strings(flags)
	n := 0
	for i := range flags {
		if i == 0 || flags[i] != flags[i-1] {
			n++
		}
	}
	if implausible {
		n++
	}
	out := carve(&c.flagBlock, n, c.blockSize(4))[:0]
	for i, f := range flags {
		if i == 0 || f != flags[i-1] {
			out = append(out, f)
		}
	}
	if implausible {
		out = append(out, FlagImplausibleChange)
		sort.Strings(out)
	}
	return out
}

// compute computes the year's figures, section by section in the order of
// docs/METHODOLOGY.md.
func (c *yearCalc) compute() {
	*c.g = YearGaps{Year: c.y, NeedModels: make(NeedByModel, len(c.p.models))}
	c.population()
	c.drugFigures()
	c.morphineEquivalence()
	c.sddd()
	c.benchmark()
	c.needs()
	c.estimates()
	c.g.Lineage = carve(&c.linBlock, len(c.lineage), c.blockSize(4))
	copy(c.g.Lineage, c.lineage)
}

// population: the year's population in persons.
func (c *yearCalc) population() {
	c.pop, c.hasPop = c.x.population(c.y)
	if c.hasPop {
		c.g.Population = c.f(c.pop.Persons)
		c.lineage = append(c.lineage, lineageUse(c.pop.Lineage, "population", c.y))
	} else {
		c.flag(FlagPopulationMissing)
	}
}

// drugFigures: each drug's consumption, as the row gives it (a year that is
// not reported still shows its rows), and the year's reporting state.
func (c *yearCalc) drugFigures() {
	x, s, y := c.x, c.s, c.y
	c.drugs = c.drugs[:0]
	for i := s.c0; i < s.c1; i++ {
		c.drugs = append(c.drugs, x.cons[i].drug) // by code already
	}
	if s.e1 > s.e0 {
		for i := s.e0; i < s.e1; i++ {
			if !slices.Contains(c.drugs, x.est[i].drug) {
				c.drugs = append(c.drugs, x.est[i].drug)
			}
		}
		sort.Slice(c.drugs, func(i, j int) bool { return x.drug(c.drugs[i]).code < x.drug(c.drugs[j]).code })
	}
	reported := s.reported()
	c.g.Drugs = carve(&c.drugBlock, len(c.drugs), c.blockSize(2))[:0]
	for _, d := range c.drugs {
		info := x.drug(d)
		dg := DrugGaps{Drug: info.code}
		if e := x.consOf(s, d); e != nil && e.ok {
			grams := e.grams
			dg.Kg = c.f(grams / 1000)
			if info.inME {
				dg.MEMg = c.f(grams * 1000 * info.me)
			}
			if info.inSDDD && info.sddd > 0 {
				dg.SDDD = c.f(grams * 1000 / info.sddd)
			}
			if grams == 0 && reported {
				c.flag(info.belowThreshold)
			}
			c.lineage = append(c.lineage, lineageUse(x.in.Consumption[e.row].Lineage, info.consumption, y))
		}
		c.g.Drugs = append(c.g.Drugs, dg)
	}
	switch {
	case s.suspected:
		c.flag(FlagNotReported)
		c.flag(FlagSuspectedNotReported)
	case !reported:
		c.flag(FlagNotReported)
	default:
		for _, d := range c.p.reported {
			if _, ok := x.grams(s, d); !ok {
				c.flag(c.p.keys.drugs[d].notReported)
			}
		}
	}
}

// morphineEquivalence: me_mg and me_mg_per_capita.
func (c *yearCalc) morphineEquivalence() {
	me, n := c.x.meMg(c.p, c.y)
	switch {
	case n > 0:
		c.g.MEMg = c.f(me)
		if c.hasPop {
			c.g.MEMgPerCapita = c.f(me / c.pop.Persons)
		}
	case c.s.reported():
		c.flag(FlagNoConsumptionData)
	}
}

// sddd: S-DDD per million per day, its three-year average, the INCB band.
func (c *yearCalc) sddd() {
	x, p, y, g := c.x, c.p, c.y, c.g
	if !c.s.reported() {
		return
	}
	_, nBasket := x.basketSDDD(p, y, func(d *drugInfo) { c.flag(d.noFactor) })
	if nBasket == 0 {
		c.flag(FlagNoBasketData)
	}
	if v, ok := x.sdddPerMillion(p, y); ok {
		g.SDDDPerMillionPerDay = c.f(v)
		prev1, ok1 := x.sdddPerMillion(p, y-1)
		prev2, ok2 := x.sdddPerMillion(p, y-2)
		if ok1 && ok2 {
			g.SDDD3YrAvg = c.f((v + prev1 + prev2) / 3)
			for _, py := range [2]int{y - 1, y - 2} {
				var lin Lineage
				if pp, _ := x.population(py); pp != nil {
					lin = pp.Lineage
				}
				c.lineage = append(c.lineage, lineageUse(lin, "population", py))
				ps := x.slot(py)
				for _, d := range p.basket {
					if e, ok := x.grams(ps, d); ok {
						c.lineage = append(c.lineage, lineageUse(x.in.Consumption[e.row].Lineage, p.keys.drugs[d].consumption, py))
					}
				}
			}
		}
	}
	switch {
	case g.SDDD3YrAvg != nil:
		g.Adequacy = c.band(p.incb, *g.SDDD3YrAvg)
	case g.SDDDPerMillionPerDay != nil:
		g.Adequacy = c.band(p.incb, *g.SDDDPerMillionPerDay)
		c.flag(FlagAdequacySingleYear)
	}
}

// benchmark: the benchmark index and its band.
func (c *yearCalc) benchmark() {
	if c.g.MEMgPerCapita == nil {
		return
	}
	if !c.p.hasRef || c.p.benchRef <= 0 {
		c.flag(FlagBenchmarkRefMissing)
		return
	}
	c.g.BenchmarkIndex = c.f(100 * *c.g.MEMgPerCapita / c.p.benchRef)
	c.g.BenchmarkBand = c.band(c.p.bench, *c.g.BenchmarkIndex)
}

// needs: every need model's need, gap and % of need met; the headline
// model's in the headline fields, with the adequacy of consumption measure.
func (c *yearCalc) needs() {
	g, price := c.g, c.p.methods.Price
	if c.p.need == nil {
		c.flag(FlagNeedModelMissing)
	}
	for i := range c.p.models {
		m := &c.p.models[i]
		// The headline model is p.models[0] when there is one.
		headline := i == 0 && c.p.need != nil
		var detail *needDetail
		if headline {
			c.need.missing, c.need.used = c.need.missing[:0], c.need.used[:0]
			detail = &c.need
		}
		var need *float64
		if sum, ok := c.x.needSum(m, c.y, detail); ok {
			need = c.f(sum)
		}
		f := c.needFigures(need, g.MEMg)
		g.NeedModels[m.Name] = NeedFigures{NeedMEMg: f.NeedMEMg, NeedMetPct: f.NeedMetPct, GapMEMg: f.GapMEMg,
			CostToCloseGapUSD: c.cost(f.GapMEMg, price)}
		if !headline {
			continue
		}
		for _, what := range c.need.missing {
			c.flag(what)
		}
		if need == nil {
			continue
		}
		c.lineage = append(c.lineage, c.need.used...)
		g.NeedMEMg, g.NeedMetPct, g.GapMEMg = f.NeedMEMg, f.NeedMetPct, f.GapMEMg
		if *need == 0 {
			c.flag(FlagNeedZero)
		}
		if g.GapMEMg != nil {
			g.MorphineKgToCloseGap = c.f(*g.GapMEMg / 1e6)
		}
		g.CostToCloseGapUSD = c.cost(g.GapMEMg, price)
		if g.MEMg != nil && *need > 0 {
			g.ACM = c.f(*g.MEMg / *need)
			g.ACMBand = c.band(c.p.acm, *g.ACM)
		}
	}
	if r, ok := g.NeedModels.pctBounds(); ok {
		p := carve(&c.pairs, 1, c.blockSize(1))
		p[0] = r
		g.NeedMetPctRange = &p[0]
	}
}

// needFigures is a model's need with the consumption it is compared to.
func (c *yearCalc) needFigures(need, me *float64) NeedFigures {
	f := NeedFigures{NeedMEMg: need}
	if need != nil && me != nil {
		f.GapMEMg = c.f(math.Max(0, *need-*me))
		if *need > 0 {
			f.NeedMetPct = c.f(100 * *me / *need)
		}
	}
	return f
}

// cost is costOf, from the current block.
func (c *yearCalc) cost(gap *float64, p *Price) *float64 {
	if gap == nil || p == nil {
		return nil
	}
	return c.f(*gap * p.USDPerMg)
}

// estimates: Form B estimates against consumption and need.
func (c *yearCalc) estimates() {
	x, s, y, g := c.x, c.s, c.y, c.g
	if s.e1 == s.e0 {
		c.flag(FlagNoEstimate)
		return
	}
	var estME, utilCons, utilEst float64
	var nEstME, nUtil int
	for i, d := range c.drugs {
		rows := x.estimatesOf(s, d)
		if len(rows) == 0 {
			continue
		}
		info := x.drug(d)
		total, annual, used := x.estimateGrams(y, d, rows)
		if !annual {
			c.flag(FlagSupplementaryOnly + info.code)
		}
		for _, e := range used {
			c.lineage = append(c.lineage, lineageUse(e.Lineage, "estimate:"+info.code+":"+string(e.Kind), y))
		}
		dg := &g.Drugs[i] // Drugs are in the order of c.drugs
		dg.EstimateTotalG = c.f(total)
		if info.inME {
			dg.EstimateMEMg = c.f(total * 1000 * info.me)
			estME += *dg.EstimateMEMg
			nEstME++
		}
		if e, ok := x.grams(s, d); ok {
			if e.grams > total {
				c.flag(FlagConsumptionAboveEstimate)
				c.flag(FlagConsumptionAboveEstimateDrug + info.code)
			}
			if info.inME {
				utilCons += *dg.MEMg
				utilEst += *dg.EstimateMEMg
				nUtil++
			}
		}
	}
	c.estimateTotals(estME, nEstME, utilCons, utilEst, nUtil)
}

// estimateTotals: estimate ME, its coverage of need, and utilization.
func (c *yearCalc) estimateTotals(estME float64, nEstME int, utilCons, utilEst float64, nUtil int) {
	g := c.g
	if nEstME == 0 {
		c.flag(FlagNoEstimateME)
	} else {
		g.EstimateMEMg = c.f(estME)
		if g.NeedMEMg != nil && *g.NeedMEMg > 0 {
			g.EstimateNeedCoveragePct = c.f(100 * estME / *g.NeedMEMg)
			if estME < *g.NeedMEMg {
				c.flag(FlagEstimateBelowNeed)
			}
		}
	}
	if nUtil > 0 {
		if utilEst > 0 {
			g.EstimateUtilizationPct = c.f(100 * utilCons / utilEst)
		} else {
			c.flag(FlagEstimateZero)
		}
	}
}
