package access

import (
	"math"
	"sort"
)

// yearCalc is one country-year being computed: the result so far, its
// flags, and the drug rows by code.
type yearCalc struct {
	x      *indexed
	p      *prepared
	y      int
	g      YearGaps
	flags  flagSet
	pop    Population
	hasPop bool
	drugs  []string // drugs with consumption or estimate rows, sorted
	byDrug map[string]*DrugGaps
}

// computeYear computes one country-year, section by section in the order
// of docs/METHODOLOGY.md.
func computeYear(x *indexed, p *prepared, y int) YearGaps {
	c := &yearCalc{x: x, p: p, y: y, flags: flagSet{},
		g: YearGaps{Year: y, Drugs: []DrugGaps{}, Lineage: []LineageUse{}, NeedModels: NeedByModel{}}}
	c.population()
	c.drugFigures()
	c.morphineEquivalence()
	c.sddd()
	c.benchmark()
	c.need()
	c.estimates()
	c.g.Flags = c.flags.list()
	return c.g
}

// population: the year's population in persons.
func (c *yearCalc) population() {
	c.pop, c.hasPop = c.x.population(c.y)
	if c.hasPop {
		c.g.Population = F(c.pop.Persons)
		c.g.Lineage = append(c.g.Lineage, lineageUse(c.pop.Lineage, "population", c.y))
	} else {
		c.flags.add(FlagPopulationMissing)
	}
}

// drugFigures: each drug's consumption, as the row gives it (a year that is
// not reported still shows its rows), and the year's reporting state.
func (c *yearCalc) drugFigures() {
	x, p, y := c.x, c.p, c.y
	set := map[string]bool{}
	for d := range x.cons[y] {
		set[d] = true
	}
	for d := range x.est[y] {
		set[d] = true
	}
	for d := range set {
		c.drugs = append(c.drugs, d)
	}
	sort.Strings(c.drugs)
	reported := x.yearReported(y)
	for _, d := range c.drugs {
		dg := DrugGaps{Drug: d}
		if grams, row, ok := x.drugGrams(y, d); ok {
			dg.Kg = F(grams / 1000)
			if f, ok := p.me[d]; ok {
				dg.MEMg = F(grams * 1000 * f)
			}
			if f, ok := p.sddd[d]; ok && f > 0 {
				dg.SDDD = F(grams * 1000 / f)
			}
			if grams == 0 && reported {
				c.flags.add(FlagBelowThreshold + d)
			}
			c.g.Lineage = append(c.g.Lineage, lineageUse(row.Lineage, "consumption:"+d, y))
		}
		c.g.Drugs = append(c.g.Drugs, dg)
	}
	c.byDrug = map[string]*DrugGaps{}
	for i := range c.g.Drugs {
		c.byDrug[c.g.Drugs[i].Drug] = &c.g.Drugs[i]
	}
	switch {
	case x.suspected[y]:
		c.flags.add(FlagNotReported)
		c.flags.add(FlagSuspectedNotReported)
	case !reported:
		c.flags.add(FlagNotReported)
	default:
		for _, d := range p.reported {
			if _, _, ok := x.grams(y, d); !ok {
				c.flags.add(FlagDrugNotReported + d)
			}
		}
	}
}

// morphineEquivalence: me_mg and me_mg_per_capita.
func (c *yearCalc) morphineEquivalence() {
	me, n := c.x.meMg(c.p, c.y)
	switch {
	case n > 0:
		c.g.MEMg = F(me)
		if c.hasPop {
			c.g.MEMgPerCapita = F(me / c.pop.Persons)
		}
	case c.x.yearReported(c.y):
		c.flags.add(FlagNoConsumptionData)
	}
}

// sddd: S-DDD per million per day, its three-year average, the INCB band.
func (c *yearCalc) sddd() {
	x, p, y, g := c.x, c.p, c.y, &c.g
	if !x.yearReported(y) {
		return
	}
	_, nBasket, noFactor := x.basketSDDD(p, y)
	for _, d := range noFactor {
		c.flags.add(FlagSDDDFactorMissing + d)
	}
	if nBasket == 0 {
		c.flags.add(FlagNoBasketData)
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
					if _, row, ok := x.grams(py, d); ok {
						g.Lineage = append(g.Lineage, lineageUse(row.Lineage, "consumption:"+d, py))
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
		c.flags.add(FlagAdequacySingleYear)
	}
}

// benchmark: the benchmark index and its band.
func (c *yearCalc) benchmark() {
	if c.g.MEMgPerCapita == nil {
		return
	}
	if !c.p.hasRef || c.p.benchRef <= 0 {
		c.flags.add(FlagBenchmarkRefMissing)
		return
	}
	c.g.BenchmarkIndex = F(100 * *c.g.MEMgPerCapita / c.p.benchRef)
	c.g.BenchmarkBand = band(c.p.bench, *c.g.BenchmarkIndex)
}

// need: every need model's need, gap and % of need met; the headline
// model's in the headline fields, with the adequacy of consumption measure.
func (c *yearCalc) need() {
	g := &c.g
	if c.p.need == nil {
		c.flags.add(FlagNeedModelMissing)
	}
	for i, m := range c.p.models {
		need, missing, used := c.x.needOf(m, c.y)
		f := needFigures(need, g.MEMg)
		g.NeedModels[m.Name] = f
		if i > 0 || c.p.need == nil {
			continue
		}
		// The headline model (p.models[0] is p.need when there is one).
		for _, what := range missing {
			c.flags.add(what)
		}
		if need == nil {
			continue
		}
		g.Lineage = append(g.Lineage, used...)
		g.NeedMEMg, g.NeedMetPct, g.GapMEMg = f.NeedMEMg, f.NeedMetPct, f.GapMEMg
		if *need == 0 {
			c.flags.add(FlagNeedZero)
		}
		if g.GapMEMg != nil {
			g.MorphineKgToCloseGap = F(*g.GapMEMg / 1e6)
		}
		g.CostToCloseGapUSD = costOf(g.GapMEMg, c.p.methods.Price)
		if g.MEMg != nil && *need > 0 {
			g.ACM = F(*g.MEMg / *need)
			g.ACMBand = band(c.p.acm, *g.ACM)
		}
	}
	priceModels(g.NeedModels, c.p.methods.Price)
	g.NeedMetPctRange = g.NeedModels.pctRange()
}

// needFigures is a model's need with the consumption it is compared to.
func needFigures(need, me *float64) NeedFigures {
	f := NeedFigures{NeedMEMg: need}
	if need != nil && me != nil {
		f.GapMEMg = F(math.Max(0, *need-*me))
		if *need > 0 {
			f.NeedMetPct = F(100 * *me / *need)
		}
	}
	return f
}

// needOf is model m's need for year y, mg ME: Σ over its rows of
// deaths(cause) × share × mg per day × days, or, for the row keyed
// NeedPerInhabitant, population × Value. It is nil when an input is
// missing; missing holds the flags saying which.
func (x *indexed) needOf(m *FactorTable, y int) (need *float64, missing []string, used []LineageUse) {
	var sum float64
	for _, r := range m.Rows {
		if r.Key == NeedPerInhabitant {
			pop, ok := x.population(y)
			if !ok {
				missing = append(missing, FlagPopulationMissing)
				continue
			}
			sum += pop.Persons * r.Value
			continue
		}
		d, ok := x.deaths[y][r.Key]
		if !ok || math.IsNaN(d.Deaths) {
			missing = append(missing, FlagDeathsMissing+r.Key)
			continue
		}
		sum += d.Deaths * r.Share * r.MgPerDay * r.Days
		used = append(used, lineageUse(d.Lineage, "deaths:"+r.Key, y))
	}
	if len(missing) > 0 {
		return nil, missing, nil
	}
	return F(sum), nil, used
}

// estimates: Form B estimates against consumption and need.
func (c *yearCalc) estimates() {
	x, p, y, g := c.x, c.p, c.y, &c.g
	if len(x.est[y]) == 0 {
		c.flags.add(FlagNoEstimate)
		return
	}
	var estME, utilCons, utilEst float64
	var nEstME, nUtil int
	for _, d := range c.drugs {
		rows := x.est[y][d]
		if len(rows) == 0 {
			continue
		}
		total, annual, used := x.estimateGrams(y, d, rows)
		if !annual {
			c.flags.add(FlagSupplementaryOnly + d)
		}
		for _, e := range used {
			g.Lineage = append(g.Lineage, lineageUse(e.Lineage, "estimate:"+d+":"+string(e.Kind), y))
		}
		dg := c.byDrug[d]
		dg.EstimateTotalG = F(total)
		f, inME := p.me[d]
		if inME {
			dg.EstimateMEMg = F(total * 1000 * f)
			estME += *dg.EstimateMEMg
			nEstME++
		}
		if grams, _, ok := x.grams(y, d); ok {
			if grams > total {
				c.flags.add(FlagConsumptionAboveEstimate)
				c.flags.add(FlagConsumptionAboveEstimateDrug + d)
			}
			if inME {
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
	g := &c.g
	if nEstME == 0 {
		c.flags.add(FlagNoEstimateME)
	} else {
		g.EstimateMEMg = F(estME)
		if g.NeedMEMg != nil && *g.NeedMEMg > 0 {
			g.EstimateNeedCoveragePct = F(100 * estME / *g.NeedMEMg)
			if estME < *g.NeedMEMg {
				c.flags.add(FlagEstimateBelowNeed)
			}
		}
	}
	if nUtil > 0 {
		if utilEst > 0 {
			g.EstimateUtilizationPct = F(100 * utilCons / utilEst)
		} else {
			c.flags.add(FlagEstimateZero)
		}
	}
}
