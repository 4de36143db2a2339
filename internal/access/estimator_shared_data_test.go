package access

import (
	"math"
	"testing"
)

// For every country with consumption in the shared data, the estimate for
// 2014 (the year after the last consumption figure) runs, and the per-drug
// lines add up to the total.
func TestSharedDataSupplyEstimate2014(t *testing.T) {
	d := loadShared(t)
	fs := testFactorSet()
	need := TableNeedModel(fs.Need[0])
	n, withNeed := 0, 0
	for _, iso3 := range d.isos() {
		in := d.inputs(iso3)
		for _, m := range []*NeedModel{&need, benchmarkNeed()} {
			e, err := EstimateSupply(in, 2014, fs.ME, m, SupplyOptions{})
			if err != nil {
				t.Fatalf("%s: %v", iso3, err)
			}
			n++
			if e.NeedMEMg != nil {
				withNeed++
			}
			var me float64
			for _, l := range e.Drugs {
				for what, v := range map[string]float64{"total": l.TotalG, "a": l.AConsumptionG, "c": l.CStockTargetG, "phased": l.PhasedG} {
					if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
						t.Errorf("%s %s: %s = %v", iso3, l.Drug, what, v)
					}
				}
				stock := 0.0
				if l.ExpectedStockG != nil {
					stock = *l.ExpectedStockG
				}
				want := l.AConsumptionG + l.BManufactureG + l.DSpecialStockG + math.Max(0, l.CStockTargetG-stock)
				if !approxEqual(l.TotalG, want) {
					t.Errorf("%s %s: total %v, want a + b + d + max(0, c − stock) = %v", iso3, l.Drug, l.TotalG, want)
				}
				if f, ok := fs.ME.Value(l.Drug); ok {
					me += l.TotalG * 1000 * f
				}
				if l.Explanation == "" {
					t.Errorf("%s %s: no explanation", iso3, l.Drug)
				}
			}
			if !approxEqual(e.TotalMEMg, me) {
				t.Errorf("%s: total_me_mg %v, lines add up to %v", iso3, e.TotalMEMg, me)
			}
		}
	}
	// Two models per country.
	if n < 300 || withNeed < 300 {
		t.Errorf("%d countries estimated, %d with a need figure; want at least 150 of each", n, withNeed)
	}

	// Nigeria, checked by hand against the file: morphine 2011–2013.
	in := d.inputs("NGA")
	e, _ := EstimateSupply(in, 2014, fs.ME, &need, SupplyOptions{Projection: ProjectionMean})
	l, ok := e.Line("morphine")
	if !ok {
		t.Fatal("NGA: no morphine line")
	}
	mean := (d.kg["NGA/2011/morphine"] + d.kg["NGA/2012/morphine"] + d.kg["NGA/2013/morphine"]) * 1000 / 3
	checkF(t, "NGA morphine mean projection", l.ConsumptionProjectionG, F(mean))
	// 2014 deaths are in the GBD file: no projection.
	needNGA := d.deathsRaw["NGA/2014/neoplasms"]*6000 + d.deathsRaw["NGA/2014/hiv-aids"]*3375
	checkF(t, "NGA need 2014", e.NeedMEMg, F(needNGA))

	// 2021 is beyond the GBD deaths (to 2019) and the WPP population (to
	// 2020): both are projected and the need is flagged.
	e, _ = EstimateSupply(in, 2021, fs.ME, &need, SupplyOptions{})
	if e.NeedMEMg == nil || !contains(e.Flags, FlagNeedProjected) || !contains(e.Flags, FlagPopulationProjected) {
		t.Errorf("NGA 2021: need %v, flags %v", e.NeedMEMg, e.Flags)
	}
}
