package access

import "testing"

// The cost of closing a gap is the gap in mg ME times the price per mg,
// under each need model, for a country-year and summed for a group.
func TestCostToCloseGap(t *testing.T) {
	price := FactorTable{Name: TableMorphinePrice, Version: 1, Kind: KindPrice, Source: "Knaul et al., Lancet 2018",
		Rows: []FactorRow{{Key: "usd_per_mg", Value: 0.003}, {Key: "year", Value: 2017}}}
	fs := testFactorSet()
	fs.Price = price
	fs.Need = append([]FactorTable{{Name: ModelBenchmark, Version: 1, Kind: KindNeedModel,
		Rows: []FactorRow{{Key: "population", Value: 256}}}}, fs.Need...)
	in := CountryInputs{
		Country:     Country{ISO3: "KEN", Name: "Kenya", WHORegion: "AFR", IncomeGroup: "LMC"},
		Population:  []Population{{ISO3: "KEN", Year: 2020, Persons: 1e6}},
		Consumption: []Consumption{{ISO3: "KEN", Year: 2020, Drug: "morphine", Grams: F(1000), State: ValueReported}},
	}
	g := ComputeCountry(in, fs, ModelBenchmark, 2020, 2020)
	y := g.Years[0]
	// Benchmark need 256 mg × 1,000,000 = 256,000,000 mg ME; consumed 1,000 g = 1,000,000 mg ME;
	// gap 255,000,000 mg ME × US$0.003 per mg (US$0.03 per 10 mg) = US$765,000.
	if y.CostToCloseGapUSD == nil || !approxEqual(*y.CostToCloseGapUSD, 765000) {
		t.Fatalf("cost = %v, want 765000", y.CostToCloseGapUSD)
	}
	if c := y.NeedModels[ModelBenchmark].CostToCloseGapUSD; c == nil || !approxEqual(*c, 765000) {
		t.Errorf("benchmark model cost = %v", c)
	}
	if g.Methods.Price == nil || g.Methods.Price.USDPerMg != 0.003 || g.Methods.Price.Year != 2017 || g.Methods.Price.Source != "Knaul et al., Lancet 2018" {
		t.Errorf("methods.price = %+v", g.Methods.Price)
	}
	// A second country with the same gap: the group's cost is the sum, US$1,530,000.
	in2 := CountryInputs{
		Country:     Country{ISO3: "UGA", Name: "Uganda", WHORegion: "AFR", IncomeGroup: "LIC"},
		Population:  []Population{{ISO3: "UGA", Year: 2020, Persons: 1e6}},
		Consumption: []Consumption{{ISO3: "UGA", Year: 2020, Drug: "morphine", Grams: F(1000), State: ValueReported}},
	}
	g2 := ComputeCountry(in2, fs, ModelBenchmark, 2020, 2020)
	grp := Aggregate(GroupRegion, "AFR", 2020, []CountryGaps{g, g2})
	if grp.CostToCloseGapUSD == nil || !approxEqual(*grp.CostToCloseGapUSD, 1530000) {
		t.Errorf("AFR cost = %v, want 1530000 (gap %v, members %d)", deref(grp.CostToCloseGapUSD), deref(grp.GapMEMg), grp.CountriesWithNeed)
	}
	// Without a price table there is no cost, not a zero.
	fs.Price = FactorTable{}
	if c := ComputeCountry(in, fs, ModelBenchmark, 2020, 2020).Years[0].CostToCloseGapUSD; c != nil {
		t.Errorf("no price: cost = %v", *c)
	}
}
