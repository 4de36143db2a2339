package access

import (
	"slices"
	"testing"
)

// stated is a consumption row with an explicit state.
func stated(year int, drug string, grams *float64, st ValueState) Consumption {
	return Consumption{ISO3: iso, Year: year, Drug: drug, Grams: grams, State: st}
}

func computeRange(in CountryInputs, fs FactorSet, from, to int) map[int]YearGaps {
	in.Country = testCountry
	out := map[int]YearGaps{}
	for _, y := range ComputeCountry(in, fs, "", from, to).Years {
		out[y.Year] = y
	}
	return out
}

// A year whose every drug is blank is not reported: null figures, one
// year-level flag, and it breaks the three-year average that includes it.
func TestNotReportedYear(t *testing.T) {
	in := CountryInputs{
		Population: []Population{pop(2011, 10e6), pop(2012, 10e6), pop(2013, 10e6), pop(2014, 10e6)},
		Consumption: []Consumption{
			cons(2011, "morphine", 2000), cons(2011, "fentanyl", 10),
			stated(2012, "morphine", nil, ValueNotReported), stated(2012, "fentanyl", nil, ValueNotReported),
			cons(2013, "morphine", 2000), cons(2013, "fentanyl", 10),
			cons(2014, "morphine", 2000), cons(2014, "fentanyl", 10),
		},
		Deaths: []Deaths{deaths(2012, CauseNeoplasms, 1000), deaths(2012, CauseHIV, 200)},
	}
	ys := computeRange(in, testFactorSet(), 2011, 2014)
	y := ys[2012]
	checkF(t, "2012 me_mg", y.MEMg, nil)
	checkF(t, "2012 me_mg_per_capita", y.MEMgPerCapita, nil)
	checkF(t, "2012 sddd", y.SDDDPerMillionPerDay, nil)
	checkS(t, "2012 adequacy", y.Adequacy, "")
	checkF(t, "2012 benchmark", y.BenchmarkIndex, nil)
	// Need does not depend on consumption: 1,000 × 6,000 + 200 × 3,375 = 6,675,000 mg;
	// what was met of it is unknown, not 0%.
	checkF(t, "2012 need", y.NeedMEMg, F(6_675_000))
	checkF(t, "2012 need_met_pct", y.NeedMetPct, nil)
	checkF(t, "2012 gap", y.GapMEMg, nil)
	checkFlags(t, y, []string{FlagNotReported}, []string{FlagSuspectedNotReported, "drug_not_reported:morphine",
		FlagNoConsumptionData})
	// 2013's and 2014's three-year averages include 2012: null, with the single-year band.
	checkF(t, "2013 sddd_3yr_avg", ys[2013].SDDD3YrAvg, nil)
	checkF(t, "2014 sddd_3yr_avg", ys[2014].SDDD3YrAvg, nil)
	checkFlags(t, ys[2013], []string{FlagAdequacySingleYear}, []string{FlagNotReported})
	// 2013 per capita: 2,833,000 ÷ 10,000,000 = 0.2833 as before.
	checkF(t, "2013 per capita", ys[2013].MEMgPerCapita, F(0.2833))

	// A drug left blank in a reported year is flagged by name and left out.
	in.Consumption[0] = stated(2011, "morphine", nil, ValueNotReported)
	y = computeRange(in, testFactorSet(), 2011, 2011)[2011]
	// 10 g fentanyl × 1000 × 83.3 = 833,000 mg.
	checkF(t, "2011 me_mg", y.MEMg, F(833_000))
	checkFlags(t, y, []string{"drug_not_reported:morphine"}, []string{FlagNotReported})

	// INCB's "-" is nil, counted as 0 and believed.
	in.Consumption[0] = stated(2011, "morphine", F(0), ValueNil)
	y = computeRange(in, testFactorSet(), 2011, 2011)[2011]
	checkF(t, "2011 me_mg with nil morphine", y.MEMg, F(833_000))
	checkFlags(t, y, []string{"below_publication_threshold:morphine"}, []string{"drug_not_reported:morphine"})
}

// A run of all-zero years after real consumption is suspected, year by
// year, until consumption comes back; the rule can be turned off.
func TestSuspectedNotReportedRun(t *testing.T) {
	var in CountryInputs
	// 2008: nothing consumed yet (zeros before any consumption are believed).
	// 2009: 2,000 g morphine. 2010–2011: every drug 0. 2012: 1,000 g. 2013: 0 again.
	grams := map[int][2]float64{2008: {0, 0}, 2009: {2000, 10}, 2010: {0, 0}, 2011: {0, 0}, 2012: {1000, 0}, 2013: {0, 0}}
	for y := 2008; y <= 2013; y++ {
		in.Population = append(in.Population, pop(y, 10e6))
		in.Consumption = append(in.Consumption, cons(y, "morphine", grams[y][0]), cons(y, "fentanyl", grams[y][1]))
	}
	fs := testFactorSet()
	ys := computeRange(in, fs, 2008, 2013)
	for y, want := range map[int]bool{2008: false, 2009: false, 2010: true, 2011: true, 2012: false, 2013: true} {
		got := slices.Contains(ys[y].Flags, FlagSuspectedNotReported)
		if got != want {
			t.Errorf("%d suspected = %v, want %v (flags %v)", y, got, want, ys[y].Flags)
		}
		if want {
			checkF(t, "suspected me_mg", ys[y].MEMg, nil)
			checkFlags(t, ys[y], []string{FlagNotReported}, []string{"below_publication_threshold:morphine"})
			// The rows are still shown as read.
			checkF(t, "suspected morphine kg", drug(t, ys[y], "morphine").Kg, F(0))
		}
	}
	// 2008 reads 0 before any consumption: a real 0 mg ME.
	checkF(t, "2008 me_mg", ys[2008].MEMg, F(0))
	// 2012: 1,000 g morphine = 1,000,000 mg; ÷ 10,000,000 = 0.1 mg per capita.
	checkF(t, "2012 per capita", ys[2012].MEMgPerCapita, F(0.1))
	if got := ComputeCountry(in, fs, "", 2013, 2013).Methods.DataQualityRules; !slices.Equal(got, []string{RuleSuspectedNotReported}) {
		t.Errorf("rules = %v", got)
	}

	// Turned off, the zeros are believed.
	fs.Rules.SuspectedNotReportedOff = true
	off := computeRange(in, fs, 2010, 2010)[2010]
	checkF(t, "2010 me_mg, rule off", off.MEMg, F(0))
	checkFlags(t, off, []string{"below_publication_threshold:morphine"}, []string{FlagSuspectedNotReported, FlagNotReported})
	if got := ComputeCountry(in, fs, "", 2010, 2010).Methods.DataQualityRules; len(got) != 0 {
		t.Errorf("rules with the rule off = %v", got)
	}

	// A year that kept INCB's "-" kept the distinction: its zeros are believed.
	fs.Rules.SuspectedNotReportedOff = false
	in.Consumption[4] = stated(2010, "morphine", F(0), ValueNil)
	withNil := computeRange(in, fs, 2010, 2010)[2010]
	checkF(t, "2010 me_mg with a -", withNil.MEMg, F(0))
	checkFlags(t, withNil, nil, []string{FlagSuspectedNotReported})
}

// A per-capita figure that moves more than tenfold in a year, with at least
// 1 mg ME per capita on the larger side, is flagged and still shown.
func TestImplausibleChange(t *testing.T) {
	in := CountryInputs{}
	// Per capita: 2010 0.5, 2011 6 (×12, larger side 6 ≥ 1: flagged), 2012 5,
	// 2013 0.4 (÷12.5: flagged); 2014 0.02 (÷20 but larger side 0.4 < 1: not).
	pc := map[int]float64{2010: 0.5, 2011: 6, 2012: 5, 2013: 0.4, 2014: 0.02}
	for y, v := range pc {
		in.Population = append(in.Population, pop(y, 1e6))
		in.Consumption = append(in.Consumption, cons(y, "morphine", v*1e6/1000))
	}
	ys := computeRange(in, testFactorSet(), 2010, 2014)
	for y, want := range map[int]bool{2010: false, 2011: true, 2012: false, 2013: true, 2014: false} {
		if got := slices.Contains(ys[y].Flags, FlagImplausibleChange); got != want {
			t.Errorf("%d implausible = %v, want %v", y, got, want)
		}
		checkF(t, "per capita shown", ys[y].MEMgPerCapita, F(pc[y]))
	}
}

// Each need model's figures side by side; the one asked for fills the
// headline fields.
func TestNeedModelsSideBySide(t *testing.T) {
	fs := testFactorSet()
	fs.Need = append(fs.Need, FactorTable{Name: ModelBenchmark, Version: 1, Kind: KindNeedModel,
		Rows: []FactorRow{{Key: NeedPerInhabitant, Value: 256}}})
	in := CountryInputs{
		Country:     testCountry,
		Population:  []Population{pop(2013, 10e6)},
		Consumption: briefExample().Consumption,
		Deaths:      []Deaths{deaths(2013, CauseNeoplasms, 1000), deaths(2013, CauseHIV, 200)},
	}
	// me = 2,833,000 mg.
	// benchmark: 256 × 10,000,000 = 2,560,000,000 mg; met 100 × 2,833,000 ÷ 2.56e9 = 0.11066406%;
	//   gap 2,557,167,000.
	// cancer-hiv: 1,000 × 6,000 + 200 × 3,375 = 6,675,000; met 42.4419476%; gap 3,842,000.
	// cancer-only: 1,000 × 7,200 = 7,200,000; met 39.3472222%; gap 4,367,000.
	want := map[string][3]float64{
		ModelBenchmark: {2_560_000_000, 100 * 2_833_000.0 / 2_560_000_000, 2_557_167_000},
		ModelCancerHIV: {6_675_000, 100 * 2_833_000.0 / 6_675_000, 3_842_000},
		"cancer-only":  {7_200_000, 100 * 2_833_000.0 / 7_200_000, 4_367_000},
	}
	for _, headline := range []string{ModelBenchmark, ModelCancerHIV, "cancer-only"} {
		g := ComputeCountry(in, fs, headline, 2013, 2013)
		y := g.Years[0]
		if g.Methods.NeedModel == nil || g.Methods.NeedModel.Name != headline || g.Methods.NeedModels[0].Name != headline ||
			len(g.Methods.NeedModels) != 3 {
			t.Errorf("%s: methods need models = %+v / %+v", headline, g.Methods.NeedModel, g.Methods.NeedModels)
		}
		w := want[headline]
		checkF(t, headline+" headline need", y.NeedMEMg, F(w[0]))
		checkF(t, headline+" headline met", y.NeedMetPct, F(w[1]))
		checkF(t, headline+" headline gap", y.GapMEMg, F(w[2]))
		checkF(t, headline+" kg to close", y.MorphineKgToCloseGap, F(w[2]/1e6))
		for name, w := range want {
			f := y.NeedModels[name]
			checkF(t, name+" need", f.NeedMEMg, F(w[0]))
			checkF(t, name+" met", f.NeedMetPct, F(w[1]))
			checkF(t, name+" gap", f.GapMEMg, F(w[2]))
		}
		if r := y.NeedMetPctRange; r == nil || !approxEqual(r[0], want[ModelBenchmark][1]) || !approxEqual(r[1], want[ModelCancerHIV][1]) {
			t.Errorf("%s: range = %v", headline, r)
		}
	}
	// Without population the benchmark need is unknown.
	in.Population = nil
	y := ComputeCountry(in, fs, ModelBenchmark, 2013, 2013).Years[0]
	checkF(t, "benchmark need without population", y.NeedMEMg, nil)
	checkFlags(t, y, []string{FlagPopulationMissing}, nil)
}
