package access

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// series builds one drug's consumption for consecutive years from first.
func series(drug string, first int, grams ...float64) []Consumption {
	var out []Consumption
	for i, g := range grams {
		out = append(out, Consumption{ISO3: iso, Year: first + i, Drug: drug, Grams: F(g), Lineage: Lineage{UploadID: 7, Sheet: "Form C statistics", Row: 2 + i}})
	}
	return out
}

// dashLast marks the last year of a series as INCB's "-" (nil, read as 0).
func dashLast(cs []Consumption) []Consumption {
	cs[len(cs)-1].State = ValueNil
	return cs
}

func notReported(year int, drug string) Consumption {
	return Consumption{ISO3: iso, Year: year, Drug: drug, State: ValueNotReported}
}

func cancerHIV() *NeedModel {
	m := TableNeedModel(testFactorSet().Need[0])
	return &m
}

// benchmarkNeed is the benchmark need model: 256 mg ME per inhabitant a
// year (Scholten et al. 2019), a row keyed NeedPerInhabitant.
func benchmarkNeed() *NeedModel {
	m := TableNeedModel(FactorTable{Name: ModelBenchmark, Version: 1, Kind: KindNeedModel,
		Rows: []FactorRow{{Key: NeedPerInhabitant, Value: 256}}})
	return &m
}

func supply(t *testing.T, in CountryInputs, year int, need *NeedModel, opt SupplyOptions) SupplyEstimate {
	t.Helper()
	if in.Country.ISO3 == "" {
		in.Country = testCountry
	}
	e, err := EstimateSupply(in, year, testFactorSet().ME, need, opt)
	if err != nil {
		t.Fatal(err)
	}
	// Every line adds up: total = a + b + d + max(0, c − expected stock), and
	// total_me_mg is the sum of the lines' ME.
	var me float64
	for _, l := range e.Drugs {
		stock := 0.0
		if l.ExpectedStockG != nil {
			stock = *l.ExpectedStockG
		}
		want := l.AConsumptionG + l.BManufactureG + l.DSpecialStockG + max(0, l.CStockTargetG-stock)
		checkF(t, l.Drug+" total_g", F(l.TotalG), F(want))
		if f, ok := testFactorSet().ME.Value(l.Drug); ok {
			me += l.TotalG * 1000 * f
		}
		if l.Explanation == "" {
			t.Errorf("%s: no explanation", l.Drug)
		}
	}
	checkF(t, "total_me_mg", F(e.TotalMEMg), F(me))
	return e
}

func line(t *testing.T, e SupplyEstimate, drug string) SupplyLine {
	t.Helper()
	l, ok := e.Line(drug)
	if !ok {
		t.Fatalf("no line for %s in %+v", drug, e.Drugs)
	}
	return l
}

func checkLineFlags(t *testing.T, l SupplyLine, has, hasNot []string) {
	t.Helper()
	for _, f := range has {
		if !slices.Contains(l.Flags, f) {
			t.Errorf("%s: flag %q missing from %v", l.Drug, f, l.Flags)
		}
	}
	for _, f := range hasNot {
		if slices.Contains(l.Flags, f) {
			t.Errorf("%s: unexpected flag %q in %v", l.Drug, f, l.Flags)
		}
	}
}

func TestSupplyProjections(t *testing.T) {
	cases := []struct {
		name      string
		history   []Consumption
		method    string
		want      *float64
		flags     []string
		noFlags   []string
		inExplain string
	}{
		// Rising 1000, 1100, 1200, 1300, 1400 g in 2009–2013, target 2014.
		// Mean of 2011–2013 = (1200 + 1300 + 1400) ÷ 3 = 1300.
		{name: "mean rising", history: series("morphine", 2009, 1000, 1100, 1200, 1300, 1400), method: ProjectionMean,
			want: F(1300), inExplain: "the mean of reported consumption in 2011–2013, 1.3 kg"},
		// Trend: the points lie on 1000 + 100 × (year − 2009): at 2014, 1500.
		{name: "trend rising", history: series("morphine", 2009, 1000, 1100, 1200, 1300, 1400), method: ProjectionTrend,
			want: F(1500), inExplain: "the linear trend over 2009–2013 carried to 2014, 1.5 kg"},
		// Max of 1300 and 1500.
		{name: "max rising", history: series("morphine", 2009, 1000, 1100, 1200, 1300, 1400), method: "",
			want: F(1500), inExplain: "the higher of"},
		// Falling 1400 … 1000: mean (1200 + 1100 + 1000) ÷ 3 = 1100; trend
		// 1400 − 100 × 5 = 900 at 2014; max 1100.
		{name: "max falling", history: series("morphine", 2009, 1400, 1300, 1200, 1100, 1000), method: ProjectionMax, want: F(1100)},
		{name: "trend falling", history: series("morphine", 2009, 1400, 1300, 1200, 1100, 1000), method: ProjectionTrend, want: F(900)},
		// 1000, 750, 500, 250, 0: the trend at 2014 is −250, never negative → 0;
		// the mean of 500, 250, 0 is 250.
		// (The 0 of 2013 is INCB's "-", believed: see TestSupplySuspectedNotReported.)
		{name: "trend never negative", history: dashLast(series("morphine", 2009, 1000, 750, 500, 250, 0)), method: ProjectionTrend, want: F(0)},
		{name: "max with negative trend", history: dashLast(series("morphine", 2009, 1000, 750, 500, 250, 0)), method: ProjectionMax, want: F(250)},
		// Last years not reported: 2012 and 2013 blank. The reported years are
		// 2009–2011 (1000, 1100, 1200): mean 1100; trend 1100 + 100 × (2014 − 2010)
		// = 1500 over three points; max 1500. Blanks are skipped, not zeros
		// (as zeros the mean would be 400).
		{name: "last years not reported", history: append(series("morphine", 2009, 1000, 1100, 1200),
			notReported(2012, "morphine"), notReported(2013, "morphine")), method: ProjectionMax, want: F(1500),
			inExplain: "linear trend over 2009–2011"},
		{name: "last years not reported, mean", history: append(series("morphine", 2009, 1000, 1100, 1200),
			notReported(2012, "morphine"), notReported(2013, "morphine")), method: ProjectionMean, want: F(1100)},
		// INCB's "-" counts as 0: 2011 600, 2012 "-", 2013 600 → mean 400; the
		// trend through (2011, 600), (2012, 0), (2013, 600) is flat at 400.
		{name: "dash counts as zero", history: append(append(series("morphine", 2011, 600),
			Consumption{ISO3: iso, Year: 2012, Drug: "morphine", Grams: F(0), State: ValueNil}), series("morphine", 2013, 600)...),
			method: ProjectionMax, want: F(400)},
		// Two reported years: too few for a trend; the mean of 1000 and 2000.
		{name: "short history", history: series("morphine", 2012, 1000, 2000), method: ProjectionMax, want: F(1500),
			flags: []string{FlagShortHistory, FlagTrendUnavailable}, inExplain: "too few reported years"},
		// Years after the target are not history: target 2012 sees 2009–2011
		// only (1000, 1100, 1200): max(1100, 1300) = 1300.
		{name: "later years ignored", history: series("morphine", 2009, 1000, 1100, 1200, 5000, 5000), method: ProjectionMax,
			want: F(1300), noFlags: []string{FlagShortHistory}},
		// Stock-out: 2012 was out of stock 73 days: 1000 × 365 ÷ (365 − 73) =
		// 1250. Mean (1000 + 1250 + 1000) ÷ 3 = 1083.33; the trend through
		// 1000, 1250, 1000 is flat at the same value.
		{name: "stock-out corrected", history: func() []Consumption {
			h := series("morphine", 2011, 1000, 1000, 1000)
			h[1].StockOutDays = F(73)
			return h
		}(), method: ProjectionMax, want: F(3250.0 / 3), flags: []string{FlagStockOutAdjusted},
			inExplain: "years with stock-out days (2012) corrected"},
		// Out of stock all year: 2012 is left out; mean of 2011 and 2013, 1000.
		{name: "stock-out all year", history: func() []Consumption {
			h := series("morphine", 2011, 1000, 0, 1000)
			h[1].StockOutDays = F(365)
			return h
		}(), method: ProjectionMean, want: F(1000), flags: []string{FlagStockOutWholeYear}},
		// Nothing reported: no projection.
		{name: "no history", history: []Consumption{notReported(2012, "morphine"), notReported(2013, "morphine")},
			method: ProjectionMax, want: nil, flags: []string{FlagNoConsumptionHistory}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			year := 2014
			if c.name == "later years ignored" {
				year = 2012
			}
			e := supply(t, CountryInputs{Consumption: c.history}, year, nil, SupplyOptions{Projection: c.method})
			l := line(t, e, "morphine")
			checkF(t, "consumption_projection_g", l.ConsumptionProjectionG, c.want)
			checkLineFlags(t, l, append(c.flags, FlagNeedUnavailable), c.noFlags)
			// Without a need model the phased quantity and (a) are the projection.
			want := 0.0
			if c.want != nil {
				want = *c.want
			}
			checkF(t, "phased_g", F(l.PhasedG), F(want))
			checkF(t, "a", F(l.AConsumptionG), F(want))
			if !strings.Contains(l.Explanation, c.inExplain) {
				t.Errorf("explanation lacks %q:\n%s", c.inExplain, l.Explanation)
			}
			if !strings.Contains(l.Explanation, "not counted as 0") && c.want != nil {
				t.Errorf("explanation does not say blanks are skipped:\n%s", l.Explanation)
			}
		})
	}
}

// A country with zero consumption: everything rests on need, all of it as
// oral morphine.
func TestSupplyZeroConsumption(t *testing.T) {
	in := CountryInputs{
		Consumption: series("morphine", 2011, 0, 0, 0),
		Deaths:      []Deaths{deaths(2014, CauseNeoplasms, 1000), deaths(2014, CauseHIV, 0)},
		Population:  []Population{pop(2014, 2e6)},
	}
	e := supply(t, in, 2014, cancerHIV(), SupplyOptions{})
	// Need = 1000 neoplasm deaths × 0.6 × 100 mg × 100 days = 6,000,000 mg ME;
	// the projected ME is 0, under 1% of need → morphine only: 6,000,000 ÷ 1000
	// ÷ 1 = 6000 g. Phased (1/3): 0 + (6000 − 0) ÷ 3 = 2000 g = (a).
	// (c) = 6 months of (a) = 1000 g; no stock reported → expected stock null,
	// counted 0; total = 2000 + 0 + 0 + max(0, 1000 − 0) = 3000 g;
	// total_me_mg = 3000 × 1000 × 1 = 3,000,000.
	checkF(t, "need_me_mg", e.NeedMEMg, F(6_000_000))
	l := line(t, e, "morphine")
	checkF(t, "projection", l.ConsumptionProjectionG, F(0))
	checkF(t, "need_based_g", l.NeedBasedG, F(6000))
	checkF(t, "phased_g", F(l.PhasedG), F(2000))
	checkF(t, "c", F(l.CStockTargetG), F(1000))
	checkF(t, "expected stock", l.ExpectedStockG, nil)
	checkF(t, "total_g", F(l.TotalG), F(3000))
	checkF(t, "total_me_mg", F(e.TotalMEMg), F(3_000_000))
	checkLineFlags(t, l, []string{FlagMixMorphineOnly, FlagNoStockReported}, []string{FlagNeedProjected})
	if !slices.Contains(e.Flags, FlagMixMorphineOnly) || len(e.Drugs) != 1 {
		t.Errorf("flags %v, drugs %+v", e.Flags, e.Drugs)
	}
	for _, want := range []string{"one third of the way", "oral morphine, the WHO first-line choice", "under 1%", "cancer-hiv v1", "ppsg v1"} {
		if !strings.Contains(l.Explanation, want) {
			t.Errorf("explanation lacks %q:\n%s", want, l.Explanation)
		}
	}

	// No consumption rows at all: the morphine line comes from need alone.
	in.Consumption = nil
	e = supply(t, in, 2014, cancerHIV(), SupplyOptions{})
	l = line(t, e, "morphine")
	checkF(t, "projection", l.ConsumptionProjectionG, nil)
	checkF(t, "phased_g", F(l.PhasedG), F(2000))
	checkLineFlags(t, l, []string{FlagNoConsumptionHistory}, nil)
}

// The current mix, the phased path, weak opioids and the stock arithmetic.
func TestSupplyMixPhaseAndStock(t *testing.T) {
	in := CountryInputs{
		Consumption: append(append(
			series("morphine", 2011, 3000, 3000, 3000),
			series("oxycodone", 2011, 1000, 1000, 1000)...),
			series("codeine", 2011, 50000, 50000, 50000)...),
		Deaths:     []Deaths{deaths(2014, CauseNeoplasms, 5000), deaths(2014, CauseHIV, 0)},
		Population: []Population{pop(2014, 1e7)},
	}
	// 2013 statistics: morphine stock 4000 g; codeine stock 30,000 g and 100 g
	// used for manufacture.
	for i := range in.Consumption {
		c := &in.Consumption[i]
		if c.Year == 2013 && c.Drug == "morphine" {
			c.Stock = F(4000)
		}
		if c.Year == 2013 && c.Drug == "codeine" {
			c.Stock, c.UtilizedForManufacture = F(30000), F(100)
		}
	}
	// Projections are flat: morphine 3000, oxycodone 1000, codeine 50,000 g.
	// Projected ME = 3000 × 1000 × 1 + 1000 × 1000 × 1.33 = 4,330,000 mg.
	// Need = 5000 × 6000 = 30,000,000 mg ME: over 1% of it is consumed, so the
	// current mix holds, and each ME drug is scaled by need ÷ projected ME =
	// 30,000,000 ÷ 4,330,000 = 6.92840647.
	ratio := 30_000_000.0 / 4_330_000
	morphineNeed, oxyNeed := 3000*ratio, 1000*ratio // 20,785.22 and 6,928.41 g
	cases := []struct {
		phase             float64
		morphine, oxy     float64 // phased
		morphineT, codeT  float64
		morphineExplained string
	}{
		// Phase 1/3: morphine 3000 + (20,785.22 − 3000) ÷ 3 = 8928.41 g; (c) half
		// of that, 4464.20; total 8928.41 + max(0, 4464.20 − 4000) = 9392.61 g.
		{1.0 / 3, 3000 + (morphineNeed-3000)/3, 1000 + (oxyNeed-1000)/3,
			3000 + (morphineNeed-3000)/3 + (3000+(morphineNeed-3000)/3)/2 - 4000, 0, "one third of the way"},
		// Phase 1: the whole gap: 20,785.22 + 10,392.61 − 4000.
		{1, morphineNeed, oxyNeed, morphineNeed*1.5 - 4000, 0, "all of the way"},
		// Phase 0: the projection: 3000 + max(0, 1500 − 4000) = 3000.
		{0, 3000, 1000, 3000, 0, "0% of the way"},
	}
	for _, c := range cases {
		e := supply(t, in, 2014, cancerHIV(), SupplyOptions{Phase: F(c.phase)})
		m, o, cod := line(t, e, "morphine"), line(t, e, "oxycodone"), line(t, e, "codeine")
		checkF(t, "morphine need", m.NeedBasedG, F(morphineNeed))
		checkF(t, "oxycodone need", o.NeedBasedG, F(oxyNeed))
		checkF(t, "morphine phased", F(m.PhasedG), F(c.morphine))
		checkF(t, "oxycodone phased", F(o.PhasedG), F(c.oxy))
		checkF(t, "morphine total", F(m.TotalG), F(c.morphineT))
		checkF(t, "morphine expected stock", m.ExpectedStockG, F(4000))
		// Codeine has no ME factor: consumption only. (a) 50,000; (b) 100 carried
		// from 2013; (c) 25,000 is below the stock of 30,000 → no top-up;
		// total = 50,000 + 100 + 0 + max(0, 25,000 − 30,000) = 50,100 g.
		checkF(t, "codeine need", cod.NeedBasedG, nil)
		checkF(t, "codeine phased", F(cod.PhasedG), F(50000))
		checkF(t, "codeine b", F(cod.BManufactureG), F(100))
		checkF(t, "codeine total", F(cod.TotalG), F(50100))
		checkLineFlags(t, cod, []string{FlagConsumptionOnly}, []string{FlagNeedUnavailable})
		if !strings.Contains(cod.Explanation, "no morphine-equivalence factor") || !strings.Contains(cod.Explanation, "carried from the 2013 statistics") {
			t.Errorf("codeine explanation:\n%s", cod.Explanation)
		}
		if !strings.Contains(m.Explanation, c.morphineExplained) && c.phase != 0 {
			t.Errorf("phase %v: morphine explanation lacks %q:\n%s", c.phase, c.morphineExplained, m.Explanation)
		}
		// ME of the lines: morphine × 1 + oxycodone × 1.33, × 1000 (codeine has none).
		checkF(t, "total_me_mg", F(e.TotalMEMg), F((m.TotalG+o.TotalG*1.33)*1000))
		if e.Drugs[0].Drug != "morphine" || e.Drugs[1].Drug != "oxycodone" || e.Drugs[2].Drug != "codeine" {
			t.Errorf("order: %v, %v, %v", e.Drugs[0].Drug, e.Drugs[1].Drug, e.Drugs[2].Drug)
		}
	}

	// The ministry's own figures: expected stock 0, special stocks 500 g,
	// manufacture 0 for codeine; six months → 12: (c) = (a).
	e := supply(t, in, 2014, cancerHIV(), SupplyOptions{StockMonths: F(12),
		ExpectedStock: map[string]float64{"morphine": 0}, SpecialStocks: map[string]float64{"morphine": 500},
		Manufacture: map[string]float64{"codeine": 0}})
	m := line(t, e, "morphine")
	a := 3000 + (morphineNeed-3000)/3
	// total = a + 0 + 500 + max(0, a − 0) = 2a + 500.
	checkF(t, "morphine total, given figures", F(m.TotalG), F(2*a+500))
	if !strings.Contains(m.Explanation, "as given") {
		t.Errorf("explanation does not say the figures were given:\n%s", m.Explanation)
	}
	cod := line(t, e, "codeine")
	// (c) = 50,000 = 12 months; stock 30,000: total 50,000 + 0 + 20,000 = 70,000.
	checkF(t, "codeine total, given figures", F(cod.TotalG), F(70000))

	// The morphine mix on request: all need as morphine, 30,000 g; oxycodone
	// keeps its projection (need-based 0, phased 1000, projection above need).
	e = supply(t, in, 2014, cancerHIV(), SupplyOptions{Mix: MixMorphine})
	checkF(t, "morphine need, morphine mix", line(t, e, "morphine").NeedBasedG, F(30000))
	o := line(t, e, "oxycodone")
	checkF(t, "oxycodone need, morphine mix", o.NeedBasedG, F(0))
	checkF(t, "oxycodone phased, morphine mix", F(o.PhasedG), F(1000))
	checkLineFlags(t, o, []string{FlagProjectionAboveNeed}, []string{FlagMixMorphineOnly})
}

// A target year beyond the deaths data: deaths per capita of the last year
// times the population projected by its linear trend.
func TestSupplyBeyondDeathsData(t *testing.T) {
	in := CountryInputs{
		Consumption: series("morphine", 2017, 0, 0, 0),
		Deaths:      []Deaths{deaths(2019, CauseNeoplasms, 2000), deaths(2019, CauseHIV, 400), deaths(2018, CauseNeoplasms, 1)},
		Population:  []Population{pop(2015, 1.0e6), pop(2016, 1.1e6), pop(2017, 1.2e6), pop(2018, 1.3e6), pop(2019, 1.4e6)},
	}
	e := supply(t, in, 2021, cancerHIV(), SupplyOptions{})
	// Population 2021: the line through 2015–2019 rises 100,000 a year from
	// 1.2 million in 2017: 1.2e6 + 4 × 1e5 = 1.6 million.
	// Need 2019 = 2000 × 6000 + 400 × 3375 = 13,350,000 mg; per capita × 1.6e6 ÷
	// 1.4e6: 13,350,000 × 8 ÷ 7 = 15,257,142.857 mg ME → 15,257.14 g of morphine.
	need := 13_350_000.0 * 1.6 / 1.4
	checkF(t, "need_me_mg", e.NeedMEMg, F(need))
	l := line(t, e, "morphine")
	checkF(t, "need_based_g", l.NeedBasedG, F(need/1000))
	checkLineFlags(t, l, []string{FlagNeedProjected}, nil)
	if !slices.Contains(e.Flags, FlagNeedProjected) || !slices.Contains(e.Flags, FlagPopulationProjected) {
		t.Errorf("estimate flags %v", e.Flags)
	}
	if !strings.Contains(l.Explanation, "from 2019 deaths per inhabitant times the 2021 population (projected by the linear trend of 2015–2019)") {
		t.Errorf("explanation:\n%s", l.Explanation)
	}

	// With the 2021 population given, only deaths are projected: 13,350,000 ×
	// 2.0e6 ÷ 1.4e6.
	in.Population = append(in.Population, pop(2021, 2.0e6))
	e = supply(t, in, 2021, cancerHIV(), SupplyOptions{})
	checkF(t, "need_me_mg, population given", e.NeedMEMg, F(13_350_000.0*2/1.4))
	if slices.Contains(e.Flags, FlagPopulationProjected) || !slices.Contains(e.Flags, FlagNeedProjected) {
		t.Errorf("estimate flags %v", e.Flags)
	}

	// Deaths given for 2021 itself (population not): nothing is projected;
	// the need is 1000 × 6000 + 0 × 3375 mg.
	in2 := in
	in2.Population = in.Population[:5]
	in2.Deaths = append([]Deaths{deaths(2021, CauseNeoplasms, 1000), deaths(2021, CauseHIV, 0)}, in.Deaths...)
	e = supply(t, in2, 2021, cancerHIV(), SupplyOptions{})
	checkF(t, "need_me_mg, deaths given", e.NeedMEMg, F(6_000_000))
	if len(e.Flags) != 1 || e.Flags[0] != FlagMixMorphineOnly {
		t.Errorf("deaths given: estimate flags %v", e.Flags)
	}

	// No deaths at all: need unavailable, the line is consumption only.
	in.Deaths = nil
	e = supply(t, in, 2021, cancerHIV(), SupplyOptions{})
	checkF(t, "need_me_mg, no deaths", e.NeedMEMg, nil)
	checkLineFlags(t, line(t, e, "morphine"), []string{FlagNeedUnavailable}, []string{FlagNeedProjected})
}

// The comparison with the ministry's estimate and its three flags.
func TestSupplySubmittedFlags(t *testing.T) {
	base := CountryInputs{
		// Projection 0; need 6000 g; phased 2000 g (see TestSupplyZeroConsumption).
		Consumption: series("morphine", 2011, 0, 0, 0),
		Deaths:      []Deaths{deaths(2014, CauseNeoplasms, 1000), deaths(2014, CauseHIV, 0)},
		Population:  []Population{pop(2014, 2e6)},
	}
	// Codeine: flat 10,000 g, no need-based figure: projection = phased = 10,000.
	base.Consumption = append(base.Consumption, series("codeine", 2011, 10000, 10000, 10000)...)
	est := func(drug string, status EstimateStatus, total float64) Estimate {
		return Estimate{ISO3: iso, Year: 2014, Drug: drug, Kind: EstimateAnnual, Status: status, Total: F(total), Lineage: Lineage{UploadID: 9, Row: 3}}
	}
	cases := []struct {
		name    string
		est     []Estimate
		drug    string
		total   *float64
		status  string
		flags   []string
		noFlags []string
	}{
		// 1500 < phased 2000 → below_phased_need; not below the projection (0).
		{"below phased need", []Estimate{est("morphine", EstimateSubmitted, 1500)}, "morphine", F(1500), "submitted",
			[]string{FlagBelowPhasedNeed}, []string{FlagBelowConsumptionProjection, FlagFarAbove}},
		// 3000 ≥ 2000 and ≤ 2 × 2000: no flag.
		{"within", []Estimate{est("morphine", EstimateSubmitted, 3000)}, "morphine", F(3000), "submitted",
			nil, []string{FlagBelowPhasedNeed, FlagBelowConsumptionProjection, FlagFarAbove}},
		// 4001 > 2 × 2000 and > 2 × 0 → far_above.
		{"far above", []Estimate{est("morphine", EstimateSubmitted, 4001)}, "morphine", F(4001), "submitted",
			[]string{FlagFarAbove}, []string{FlagBelowPhasedNeed}},
		// Confirmed is preferred to submitted: 3000 confirmed beats 100 submitted.
		{"confirmed preferred", []Estimate{est("morphine", EstimateSubmitted, 100), est("morphine", EstimateConfirmed, 3000)},
			"morphine", F(3000), "confirmed", nil, []string{FlagBelowPhasedNeed}},
		// Codeine 9000 < projection 10,000 → below_consumption_projection; no
		// need-based figure → never below_phased_need.
		{"below consumption projection", []Estimate{est("codeine", EstimateConfirmed, 9000)}, "codeine", F(9000), "confirmed",
			[]string{FlagBelowConsumptionProjection}, []string{FlagBelowPhasedNeed, FlagFarAbove}},
		// Codeine 20,001 > 2 × 10,000 (both the projection and phased) → far_above.
		{"far above projection", []Estimate{est("codeine", EstimateSubmitted, 20001)}, "codeine", F(20001), "submitted",
			[]string{FlagFarAbove}, nil},
		// A row without a total: a = 1000, c = 600, prior stock 200 on 31 December
		// 2013 → 1000 + max(0, 600 − 200) = 1400 g; below phased 2000.
		{"total computed", []Estimate{{ISO3: iso, Year: 2014, Drug: "morphine", Kind: EstimateAnnual, Status: EstimateSubmitted,
			ToBeConsumed: F(1000), StockTarget: F(600)}}, "morphine", F(1400), "submitted", []string{FlagBelowPhasedNeed}, nil},
		// A supplementary estimate alone is not the annual estimate.
		{"supplementary only", []Estimate{{ISO3: iso, Year: 2014, Drug: "morphine", Kind: EstimateSupplementary, Status: EstimateConfirmed,
			Total: F(1)}}, "morphine", nil, "", nil, []string{FlagBelowPhasedNeed}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base
			in.Consumption = append([]Consumption(nil), base.Consumption...)
			if c.name == "total computed" {
				for i := range in.Consumption {
					if in.Consumption[i].Drug == "morphine" && in.Consumption[i].Year == 2013 {
						in.Consumption[i].Stock = F(200)
					}
				}
			}
			in.Estimates = c.est
			l := line(t, supply(t, in, 2014, cancerHIV(), SupplyOptions{}), c.drug)
			checkF(t, "submitted_total_g", l.SubmittedTotalG, c.total)
			checkS(t, "submitted_status", l.SubmittedStatus, c.status)
			checkLineFlags(t, l, c.flags, c.noFlags)
			if c.total != nil && !strings.Contains(l.Explanation, "The "+c.status+" estimate for 2014 is") {
				t.Errorf("explanation:\n%s", l.Explanation)
			}
		})
	}
}

func TestSupplyOptionsAndJSON(t *testing.T) {
	in := CountryInputs{Consumption: series("morphine", 2011, 1, 2, 3)}
	for _, opt := range []SupplyOptions{{Projection: "median"}, {Mix: "fentanyl"}, {Phase: F(1.5)}, {Phase: F(-0.1)},
		{StockMonths: F(-1)}, {StockMonths: F(100)}, {ExpectedStock: map[string]float64{"morphine": -1}}} {
		if _, err := EstimateSupply(in, 2014, testFactorSet().ME, nil, opt); ErrorCode(err) != Invalid {
			t.Errorf("%+v: err = %v, want invalid", opt, err)
		}
	}
	if _, err := EstimateSupply(in, 3000, testFactorSet().ME, nil, SupplyOptions{}); ErrorCode(err) != Invalid {
		t.Errorf("year 3000: err = %v", err)
	}
	e := supply(t, in, 2014, cancerHIV(), SupplyOptions{})
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	for _, k := range []string{"country", "year", "methods", "drugs", "total_me_mg"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
	methods := m["methods"].(map[string]any)
	for _, k := range []string{"projection", "need_model", "mix", "phase", "stock_months", "factor_tables"} {
		if _, ok := methods[k]; !ok {
			t.Errorf("methods lack %q: %s", k, b)
		}
	}
	d := m["drugs"].([]any)[0].(map[string]any)
	for _, k := range []string{"drug", "consumption_projection_g", "need_based_g", "phased_g", "a_consumption_g", "b_manufacture_g",
		"c_stock_target_g", "d_special_stock_g", "expected_stock_g", "total_g", "submitted_total_g", "submitted_status", "flags", "explanation"} {
		if _, ok := d[k]; !ok {
			t.Errorf("drug line lacks %q: %s", k, b)
		}
	}
	if methods["projection"] != "max" || methods["mix"] != "current" || methods["stock_months"] != 6.0 {
		t.Errorf("defaults: %v", methods)
	}
}

func TestFmtNumber(t *testing.T) {
	for x, want := range map[float64]string{0: "0", 1234567.891: "1,234,567.891", 999.9996: "1,000", -1234.5: "-1,234.5", 0.25: "0.25"} {
		if got := fmtNumber(x); got != want {
			t.Errorf("fmtNumber(%v) = %q, want %q", x, got, want)
		}
	}
	if got := fmtMass(1500); got != "1.5 kg" {
		t.Errorf("fmtMass(1500) = %q", got)
	}
	if got := intList([]int{2013, 2009, 2010, 2011}); got != "2009–2011, 2013" {
		t.Errorf("intList = %q", got)
	}
}

func TestParseDrugGrams(t *testing.T) {
	got, err := ParseDrugGrams("x", " Morphine=1200.5, codeine:50 ")
	if err != nil || len(got) != 2 || got["morphine"] != 1200.5 || got["codeine"] != 50 {
		t.Errorf("got %v, %v", got, err)
	}
	if got, err := ParseDrugGrams("x", ""); err != nil || len(got) != 0 {
		t.Errorf("empty: %v, %v", got, err)
	}
	for _, bad := range []string{"morphine", "morphine=-1", "morphine=abc", "morphine=NaN", "=5", "morphine=1,morphine=2", "morphine=1e300"} {
		if _, err := ParseDrugGrams("x", bad); ErrorCode(err) != Invalid {
			t.Errorf("%q: %v", bad, err)
		}
	}
	// A drug given (d) with no history gets a line: total = d = 700 g.
	e := supply(t, CountryInputs{Consumption: series("morphine", 2011, 1, 1, 1)}, 2014, nil,
		SupplyOptions{SpecialStocks: map[string]float64{"pethidine": 700}})
	checkF(t, "pethidine total", F(line(t, e, "pethidine").TotalG), F(700))
}

// The data-quality rule suspected-not-reported/1: a year in which every
// drug reads exactly 0 after years with consumption is not reported.
func TestSupplySuspectedNotReported(t *testing.T) {
	in := CountryInputs{Consumption: append(series("morphine", 2010, 900, 1000, 1100, 0), series("fentanyl", 2010, 9, 10, 11, 0)...)}
	// 2013 is left out: morphine mean of 2010–2012 = 1000; trend 900 + 100 ×
	// (2014 − 2010) = 1300; max 1300 (as zeros: mean 700, trend 550).
	e := supply(t, in, 2014, nil, SupplyOptions{})
	l := line(t, e, "morphine")
	checkF(t, "projection, rule on", l.ConsumptionProjectionG, F(1300))
	checkLineFlags(t, l, []string{FlagSuspectedNotReported}, nil)
	if !strings.Contains(l.Explanation, "2013 left out as not reported") || !slices.Contains(e.Methods.DataQualityRules, RuleSuspectedNotReported) {
		t.Errorf("explanation:\n%s\nrules %v", l.Explanation, e.Methods.DataQualityRules)
	}
	// Rule off: 2013 counts as 0: mean (1000 + 1100 + 0) ÷ 3 = 700; the trend
	// through 900, 1000, 1100, 0 (x̄ = 2011.5, ȳ = 750, Σdxdy = −1300, Σdx² = 5, slope −260) at 2014 is
	// 750 − 260 × 2.5 = 100; max 700.
	e = supply(t, in, 2014, nil, SupplyOptions{Quality: QualityRules{SuspectedNotReportedOff: true}})
	l = line(t, e, "morphine")
	checkF(t, "projection, rule off", l.ConsumptionProjectionG, F(700))
	checkLineFlags(t, l, nil, []string{FlagSuspectedNotReported})
	// A "-" among the year's figures keeps its zeros believed.
	in.Consumption[len(in.Consumption)-1].State = ValueNil
	e = supply(t, in, 2014, nil, SupplyOptions{})
	checkF(t, "projection, with a dash", line(t, e, "morphine").ConsumptionProjectionG, F(700))
}

// The benchmark model needs population only: projected beyond the data.
func TestSupplyBenchmarkNeed(t *testing.T) {
	in := CountryInputs{
		Consumption: series("morphine", 2017, 0, 0, 0),
		Population:  []Population{pop(2015, 1.0e6), pop(2016, 1.1e6), pop(2017, 1.2e6), pop(2018, 1.3e6), pop(2019, 1.4e6)},
	}
	// 2021: population 1.6 million by the trend (see TestSupplyBeyondDeathsData);
	// need = 256 × 1.6e6 = 409,600,000 mg ME → 409,600 g of morphine.
	e := supply(t, in, 2021, benchmarkNeed(), SupplyOptions{})
	checkF(t, "need_me_mg", e.NeedMEMg, F(409_600_000))
	checkF(t, "need_based_g", line(t, e, "morphine").NeedBasedG, F(409_600))
	if !slices.Contains(e.Flags, FlagNeedProjected) || !slices.Contains(e.Flags, FlagPopulationProjected) {
		t.Errorf("flags %v", e.Flags)
	}
	if !strings.Contains(line(t, e, "morphine").Explanation, "benchmark v1 need model gives 409,600,000 mg morphine equivalent for 2021, with the population projected by the linear trend of 2015–2019") {
		t.Errorf("explanation:\n%s", line(t, e, "morphine").Explanation)
	}
	// 2019 is in the data: 256 × 1.4e6 = 358,400,000 mg, nothing projected.
	e = supply(t, in, 2019, benchmarkNeed(), SupplyOptions{})
	checkF(t, "need_me_mg 2019", e.NeedMEMg, F(358_400_000))
	if slices.Contains(e.Flags, FlagNeedProjected) || slices.Contains(e.Flags, FlagPopulationProjected) {
		t.Errorf("2019 flags %v", e.Flags)
	}
	// No population at all: no need.
	in.Population = nil
	e = supply(t, in, 2019, benchmarkNeed(), SupplyOptions{})
	checkF(t, "need_me_mg without population", e.NeedMEMg, nil)
}
