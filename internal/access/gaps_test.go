package access

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"sort"
	"testing"
)

// testFactorSet builds the version-1 factor tables with the values of
// docs/METHODOLOGY.md §§3–7, and the cancer-hiv need model:
// neoplasms 0.6 × 100 mg × 100 days = 6,000 mg ME per death (Stjernswärd
// et al. 2007) and hiv-aids 0.5 × 75 mg × 90 days = 3,375 mg ME per death
// (an assumption). A second model, cancer-only, has neoplasms only at
// 0.8 × 90 mg × 100 days = 7,200 mg per death.
func testFactorSet() FactorSet {
	rows := func(kv ...any) []FactorRow {
		var rs []FactorRow
		for i := 0; i < len(kv); i += 2 {
			rs = append(rs, FactorRow{Key: kv[i].(string), Value: kv[i+1].(float64)})
		}
		return rs
	}
	keys := func(ks ...string) []FactorRow {
		var rs []FactorRow
		for _, k := range ks {
			rs = append(rs, FactorRow{Key: k})
		}
		return rs
	}
	return FactorSet{
		SDDD: FactorTable{Name: TableSDDD, Version: 1, Kind: KindSDDD, Rows: rows(
			"morphine", 100.0, "codeine", 100.0, "dihydrocodeine", 150.0, "fentanyl", 0.6,
			"hydromorphone", 20.0, "oxycodone", 75.0, "pethidine", 400.0, "methadone", 25.0,
			"hydrocodone", 15.0, "ketobemidone", 50.0, "tilidine", 200.0,
			"dextropropoxyphene", 200.0, "trimeperidine", 100.0)},
		ME: FactorTable{Name: TablePPSG, Version: 1, Kind: KindMorphineEquivalence, Rows: rows(
			"morphine", 1.0, "fentanyl", 83.3, "hydromorphone", 5.0, "methadone", 4.4,
			"oxycodone", 1.33, "pethidine", 0.125)},
		Basket: FactorTable{Name: TablePainBasket, Version: 1, Kind: KindBasket, Rows: keys(
			"codeine", "dextropropoxyphene", "dihydrocodeine", "fentanyl", "hydromorphone",
			"ketobemidone", "morphine", "oxycodone", "pethidine", "tilidine", "trimeperidine")},
		INCBBands: FactorTable{Name: TableINCBBands, Version: 1, Kind: KindBands, Rows: rows(
			"very inadequate", 0.0, "inadequate", 100.0, "200 and above", 200.0)},
		// Deliberately not sorted: the engine sorts by edge.
		BenchmarkBands: FactorTable{Name: TableBenchmarkBands, Version: 1, Kind: KindBands, Rows: rows(
			"extremely low", 0.0, "moderate", 31.6, "very low", 3.16, "low", 10.0, "adequate", 100.0)},
		BenchmarkRef: FactorTable{Name: TableBenchmarkRef, Version: 1, Kind: KindReference, Rows: rows(
			BenchmarkRefKey, 256.0)},
		ACMBands: FactorTable{Name: TableACMBands, Version: 1, Kind: KindBands, Rows: rows(
			"virtually none", 0.0, "very low", 0.03, "low", 0.1, "moderate", 0.3, "adequate", 1.0)},
		Need: []FactorTable{
			{Name: ModelCancerHIV, Version: 1, Kind: KindNeedModel, Rows: []FactorRow{
				{Key: CauseNeoplasms, Share: 0.6, MgPerDay: 100, Days: 100},
				{Key: CauseHIV, Share: 0.5, MgPerDay: 75, Days: 90, Assumption: true},
			}},
			{Name: "cancer-only", Version: 2, Kind: KindNeedModel, Rows: []FactorRow{
				{Key: CauseNeoplasms, Share: 0.8, MgPerDay: 90, Days: 100},
			}},
		},
	}
}

const iso = "XAA"

var testCountry = Country{ISO3: iso, Name: "Testland", WHORegion: "AFR", IncomeGroup: "LIC"}

func cons(year int, drug string, grams float64) Consumption {
	return Consumption{ISO3: iso, Year: year, Drug: drug, Grams: F(grams)}
}

func pop(year int, persons float64) Population {
	return Population{ISO3: iso, Year: year, Persons: persons}
}

func deaths(year int, cause string, n float64) Deaths {
	return Deaths{ISO3: iso, Year: year, Cause: cause, Deaths: n}
}

// relTol is the relative tolerance of every float comparison.
const relTol = 1e-9

func approxEqual(a, b float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= relTol*math.Max(math.Abs(a), math.Abs(b))
}

func checkF(t *testing.T, what string, got, want *float64) {
	t.Helper()
	switch {
	case want == nil && got != nil:
		t.Errorf("%s = %v, want null", what, *got)
	case want != nil && got == nil:
		t.Errorf("%s = null, want %v", what, *want)
	case want != nil && !approxEqual(*got, *want):
		t.Errorf("%s = %.12g, want %.12g", what, *got, *want)
	}
}

func checkS(t *testing.T, what string, got *string, want string) {
	t.Helper()
	g := "<null>"
	if got != nil {
		g = *got
	}
	if want == "" {
		want = "<null>"
	}
	if g != want {
		t.Errorf("%s = %q, want %q", what, g, want)
	}
}

func checkFlags(t *testing.T, y YearGaps, has, hasNot []string) {
	t.Helper()
	for _, f := range has {
		if !slices.Contains(y.Flags, f) {
			t.Errorf("year %d: flag %q missing from %v", y.Year, f, y.Flags)
		}
	}
	for _, f := range hasNot {
		if slices.Contains(y.Flags, f) {
			t.Errorf("year %d: unexpected flag %q in %v", y.Year, f, y.Flags)
		}
	}
}

func drug(t *testing.T, y YearGaps, code string) DrugGaps {
	t.Helper()
	for _, d := range y.Drugs {
		if d.Drug == code {
			return d
		}
	}
	t.Fatalf("year %d: no drug %q in %+v", y.Year, code, y.Drugs)
	return DrugGaps{}
}

func one(t *testing.T, in CountryInputs, year int) YearGaps {
	t.Helper()
	in.Country = testCountry
	g := ComputeCountry(in, testFactorSet(), "", year, year)
	if len(g.Years) != 1 || g.Years[0].Year != year {
		t.Fatalf("years = %+v, want just %d", g.Years, year)
	}
	return g.Years[0]
}

// The brief's worked example: morphine 2,000 g and fentanyl 10 g in a
// population of 10,000,000.
func briefExample() CountryInputs {
	return CountryInputs{
		Population:  []Population{pop(2013, 10e6)},
		Consumption: []Consumption{cons(2013, "morphine", 2000), cons(2013, "fentanyl", 10)},
	}
}

func TestDrugFigures(t *testing.T) {
	in := CountryInputs{Population: []Population{pop(2013, 10e6)}}
	for d, g := range map[string]float64{
		"morphine": 2000, "fentanyl": 10, "hydromorphone": 100, "methadone": 500, "oxycodone": 300,
		"pethidine": 800, "codeine": 50000, "hydrocodone": 1500, "buprenorphine": 7,
	} {
		in.Consumption = append(in.Consumption, cons(2013, d, g))
	}
	y := one(t, in, 2013)
	tests := []struct {
		drug           string
		kg, meMg, sddd *float64
	}{
		// kg = g ÷ 1000; me = g × 1000 × ME; sddd = g × 1000 ÷ S-DDD mg.
		{"morphine", F(2), F(2_000_000), F(20_000)},        // 2,000,000 mg × 1; ÷ 100
		{"fentanyl", F(0.01), F(833_000), F(10_000 / 0.6)}, // 10,000 mg × 83.3; ÷ 0.6 = 16,666.67
		{"hydromorphone", F(0.1), F(500_000), F(5_000)},    // 100,000 × 5; ÷ 20
		{"methadone", F(0.5), F(2_200_000), F(20_000)},     // 500,000 × 4.4; ÷ 25
		{"oxycodone", F(0.3), F(399_000), F(4_000)},        // 300,000 × 1.33; ÷ 75
		{"pethidine", F(0.8), F(100_000), F(2_000)},        // 800,000 × 0.125; ÷ 400
		{"codeine", F(50), nil, F(500_000)},                // not in ppsg; 50,000,000 ÷ 100
		{"hydrocodone", F(1.5), nil, F(100_000)},           // not in ppsg; 1,500,000 ÷ 15
		{"buprenorphine", F(0.007), nil, nil},              // in neither table
	}
	for _, tt := range tests {
		d := drug(t, y, tt.drug)
		checkF(t, tt.drug+" kg", d.Kg, tt.kg)
		checkF(t, tt.drug+" me_mg", d.MEMg, tt.meMg)
		checkF(t, tt.drug+" sddd", d.SDDD, tt.sddd)
		checkF(t, tt.drug+" estimate_total_g", d.EstimateTotalG, nil)
	}
	// me = 2,000,000 + 833,000 + 500,000 + 2,200,000 + 399,000 + 100,000 = 6,032,000 mg.
	checkF(t, "me_mg", y.MEMg, F(6_032_000))
	checkF(t, "me_mg_per_capita", y.MEMgPerCapita, F(0.6032))
	// Basket v1 (no methadone, no hydrocodone): 20,000 + 16,666.67 + 5,000 + 4,000 + 2,000
	// + 500,000 = 547,666.67 S-DDD; ÷ 365 = 1,500.4566; ÷ 10 million = 150.04566.
	checkF(t, "sddd_per_million_per_day", y.SDDDPerMillionPerDay, F((547_000+2_000.0/3)/365/10))
	checkS(t, "adequacy", y.Adequacy, "inadequate")
	wantFlags := []string{
		"adequacy_single_year", "deaths_missing:hiv-aids", "deaths_missing:neoplasms",
		"drug_not_reported:dextropropoxyphene", "drug_not_reported:dihydrocodeine", "drug_not_reported:ketobemidone",
		"drug_not_reported:tilidine", "drug_not_reported:trimeperidine", "income_group_current", "no_estimate",
	}
	if !reflect.DeepEqual(y.Flags, wantFlags) {
		t.Errorf("flags = %q\nwant %q", y.Flags, wantFlags)
	}
	// Drugs are listed in code order.
	if !sort.SliceIsSorted(y.Drugs, func(i, j int) bool { return y.Drugs[i].Drug < y.Drugs[j].Drug }) {
		t.Errorf("drugs not sorted: %+v", y.Drugs)
	}
}

func TestConsumptionFigures(t *testing.T) {
	tests := []struct {
		name            string
		in              CountryInputs
		me, perCap      *float64
		sddd            *float64
		bench           *float64
		benchBand       string
		adequacy        string
		flags, notFlags []string
	}{
		{
			// me = 2,000,000 + 10,000 × 83.3 = 2,833,000 mg; ÷ 10,000,000 = 0.2833 mg per capita.
			// S-DDD: 20,000 + 16,666.67 = 36,666.67; ÷ 365 ÷ 10 = 10.0456621.
			// Benchmark: 100 × 0.2833 ÷ 256 = 0.11066406 → extremely low (< 3.16).
			name: "brief example", in: briefExample(),
			me: F(2_833_000), perCap: F(0.2833), sddd: F(36_666.666666666667 / 365 / 10),
			bench: F(0.1106640625), benchBand: "extremely low", adequacy: "very inadequate",
			flags: []string{"drug_not_reported:hydromorphone", "drug_not_reported:methadone", "drug_not_reported:oxycodone",
				"drug_not_reported:pethidine", "drug_not_reported:codeine", "adequacy_single_year"},
			notFlags: []string{"drug_not_reported:morphine", "drug_not_reported:fentanyl", FlagNoConsumptionData, FlagPopulationMissing},
		},
		{
			// No consumption rows: the year is not reported, flagged once, not drug by drug.
			name:  "no consumption at all",
			in:    CountryInputs{Population: []Population{pop(2013, 10e6)}},
			flags: []string{FlagNotReported},
			notFlags: []string{FlagNoConsumptionData, FlagNoBasketData, "drug_not_reported:morphine",
				FlagAdequacySingleYear, FlagPopulationMissing, FlagSuspectedNotReported},
		},
		{
			// Consumption without population: me stands, every per-capita figure is null.
			name: "no population",
			in:   CountryInputs{Consumption: briefExample().Consumption},
			me:   F(2_833_000), flags: []string{FlagPopulationMissing},
			notFlags: []string{FlagNoConsumptionData, FlagAdequacySingleYear},
		},
		{
			// A row with nil grams is "not given": not_reported, and left out.
			// me = 10,000 × 83.3 = 833,000; per capita 0.0833.
			// S-DDD: 16,666.67 ÷ 365 ÷ 10 = 4.5662100.
			name: "morphine row without a figure",
			in: CountryInputs{Population: []Population{pop(2013, 10e6)}, Consumption: []Consumption{
				{ISO3: iso, Year: 2013, Drug: "morphine"}, cons(2013, "fentanyl", 10)}},
			me: F(833_000), perCap: F(0.0833), sddd: F(10_000 / 0.6 / 365 / 10),
			bench: F(100 * 0.0833 / 256), benchBand: "extremely low", adequacy: "very inadequate",
			flags:    []string{"drug_not_reported:morphine"},
			notFlags: []string{"below_publication_threshold:morphine"},
		},
		{
			// A reported 0 is kept as 0 and flagged; it is not "not reported".
			name: "morphine reported as 0",
			in: CountryInputs{Population: []Population{pop(2013, 10e6)}, Consumption: []Consumption{
				cons(2013, "morphine", 0), cons(2013, "fentanyl", 10)}},
			me: F(833_000), perCap: F(0.0833), sddd: F(10_000 / 0.6 / 365 / 10),
			bench: F(100 * 0.0833 / 256), benchBand: "extremely low", adequacy: "very inadequate",
			flags:    []string{"below_publication_threshold:morphine"},
			notFlags: []string{"drug_not_reported:morphine", "below_publication_threshold:fentanyl"},
		},
		{
			// Only codeine: no ME drug, so me is null, but the basket still counts it.
			// S-DDD: 50,000,000 mg ÷ 100 = 500,000; ÷ 365 ÷ 10 = 136.986301.
			name: "codeine only",
			in: CountryInputs{Population: []Population{pop(2013, 10e6)}, Consumption: []Consumption{
				cons(2013, "codeine", 50_000)}},
			sddd: F(500_000.0 / 365 / 10), adequacy: "inadequate",
			flags:    []string{FlagNoConsumptionData, FlagAdequacySingleYear},
			notFlags: []string{FlagNoBasketData},
		},
		{
			// Benchmark index exactly 100: 256 g morphine = 256,000 mg in 1,000 people = 256 mg
			// per capita; 100 × 256 ÷ 256 = 100 → adequate (inclusive lower edge).
			// S-DDD: 2,560 ÷ 365 ÷ 0.001 = 7,013.6986 → "200 and above".
			name: "benchmark exactly 100",
			in: CountryInputs{Population: []Population{pop(2013, 1000)}, Consumption: []Consumption{
				cons(2013, "morphine", 256)}},
			me: F(256_000), perCap: F(256), sddd: F(2560.0 / 365 / 0.001),
			bench: F(100), benchBand: "adequate", adequacy: "200 and above",
		},
		{
			// Benchmark index exactly 10: 25.6 mg per capita = 25,600 mg in 1,000 → low.
			name: "benchmark exactly 10",
			in: CountryInputs{Population: []Population{pop(2013, 1000)}, Consumption: []Consumption{
				cons(2013, "morphine", 25.6)}},
			me: F(25_600), perCap: F(25.6), sddd: F(256.0 / 365 / 0.001),
			bench: F(10), benchBand: "low", adequacy: "200 and above",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := one(t, tt.in, 2013)
			checkF(t, "me_mg", y.MEMg, tt.me)
			checkF(t, "me_mg_per_capita", y.MEMgPerCapita, tt.perCap)
			checkF(t, "sddd_per_million_per_day", y.SDDDPerMillionPerDay, tt.sddd)
			checkF(t, "sddd_3yr_avg", y.SDDD3YrAvg, nil)
			checkF(t, "benchmark_index", y.BenchmarkIndex, tt.bench)
			checkS(t, "benchmark_band", y.BenchmarkBand, tt.benchBand)
			checkS(t, "adequacy", y.Adequacy, tt.adequacy)
			checkFlags(t, y, tt.flags, tt.notFlags)
		})
	}
}

func TestSDDDThreeYearAverage(t *testing.T) {
	// Morphine only, 10 million people every year:
	// 2011: 3,650 g = 3,650,000 mg ÷ 100 = 36,500 S-DDD ÷ 365 = 100 a day ÷ 10 = 10;
	// 2012: 7,300 g → 20; 2013: 10,950 g → 30. The 2013 average = (10 + 20 + 30) ÷ 3 = 20.
	base := CountryInputs{
		Population: []Population{pop(2011, 10e6), pop(2012, 10e6), pop(2013, 10e6)},
		Consumption: []Consumption{cons(2011, "morphine", 3650), cons(2012, "morphine", 7300),
			cons(2013, "morphine", 10950)},
	}
	base.Country = testCountry
	g := ComputeCountry(base, testFactorSet(), "", 2011, 2013)
	if len(g.Years) != 3 {
		t.Fatalf("got %d years", len(g.Years))
	}
	for i, want := range []float64{10, 20, 30} {
		checkF(t, "sddd_per_million_per_day", g.Years[i].SDDDPerMillionPerDay, F(want))
	}
	checkF(t, "2011 avg", g.Years[0].SDDD3YrAvg, nil)
	checkF(t, "2012 avg", g.Years[1].SDDD3YrAvg, nil)
	checkF(t, "2013 avg", g.Years[2].SDDD3YrAvg, F(20))
	checkFlags(t, g.Years[0], []string{FlagAdequacySingleYear}, nil)
	checkFlags(t, g.Years[1], []string{FlagAdequacySingleYear}, nil)
	checkFlags(t, g.Years[2], nil, []string{FlagAdequacySingleYear})
	checkS(t, "2013 adequacy", g.Years[2].Adequacy, "very inadequate")

	// The average needs all three years: without the 2012 population it is
	// null and the 2013 adequacy falls back to the single year (30).
	gap := base
	gap.Population = []Population{pop(2011, 10e6), pop(2013, 10e6)}
	y := ComputeCountry(gap, testFactorSet(), "", 2013, 2013).Years[0]
	checkF(t, "avg with 2012 missing", y.SDDD3YrAvg, nil)
	checkF(t, "single year", y.SDDDPerMillionPerDay, F(30))
	checkFlags(t, y, []string{FlagAdequacySingleYear}, nil)

	// The average crosses an INCB edge exactly: 2013 with 3yr (90 + 100 + 110) ÷ 3 = 100 →
	// inadequate, while the single year 2011 (90) is very inadequate.
	// 90 a day per million with 10 million people = 900 S-DDD a day × 365 = 328,500 S-DDD
	// = 32,850,000 mg = 32,850 g.
	edge := CountryInputs{Country: testCountry,
		Population: []Population{pop(2011, 10e6), pop(2012, 10e6), pop(2013, 10e6)},
		Consumption: []Consumption{cons(2011, "morphine", 32850), cons(2012, "morphine", 36500),
			cons(2013, "morphine", 40150)},
	}
	g = ComputeCountry(edge, testFactorSet(), "", 2011, 2013)
	checkS(t, "2011 adequacy (90)", g.Years[0].Adequacy, "very inadequate")
	checkF(t, "2013 avg", g.Years[2].SDDD3YrAvg, F(100))
	checkS(t, "2013 adequacy (avg 100)", g.Years[2].Adequacy, "inadequate")
}

// S-DDD per million per day divides by 365 in every year, leap years
// included (DaysPerYear), as INCB does.
func TestSDDDDividesBy365InLeapYears(t *testing.T) {
	// 2012 (leap): 3,650 g morphine = 36,500 S-DDD ÷ 365 = 100 a day; 1 million people → 100.
	// A days-in-year division would give 36,500 ÷ 366 = 99.73, "very inadequate".
	y := one(t, CountryInputs{Population: []Population{pop(2012, 1e6)},
		Consumption: []Consumption{cons(2012, "morphine", 3650)}}, 2012)
	checkF(t, "sddd_per_million_per_day", y.SDDDPerMillionPerDay, F(100))
	checkS(t, "adequacy", y.Adequacy, "inadequate")
	if DaysPerYear != 365 {
		t.Errorf("DaysPerYear = %d", DaysPerYear)
	}
}

// Gaps in the factor tables are flagged, not read as zeros.
func TestFactorTableGaps(t *testing.T) {
	fs := testFactorSet()
	fs.BenchmarkRef.Rows = nil
	fs.SDDD.Rows = fs.SDDD.Rows[1:] // drop morphine's S-DDD
	in := briefExample()
	in.Country = testCountry
	y := ComputeCountry(in, fs, "", 2013, 2013).Years[0]
	checkF(t, "me_mg", y.MEMg, F(2_833_000))
	checkF(t, "benchmark_index", y.BenchmarkIndex, nil)
	checkS(t, "benchmark_band", y.BenchmarkBand, "")
	// Only fentanyl counts: 10,000 mg ÷ 0.6 = 16,666.67 S-DDD ÷ 365 ÷ 10 = 4.5662100.
	checkF(t, "sddd_per_million_per_day", y.SDDDPerMillionPerDay, F(10_000/0.6/365/10))
	checkF(t, "morphine sddd", drug(t, y, "morphine").SDDD, nil)
	checkFlags(t, y, []string{FlagBenchmarkRefMissing, "sddd_factor_missing:morphine"}, nil)

	// No need models at all.
	fs = testFactorSet()
	fs.Need = nil
	g := ComputeCountry(in, fs, "", 2013, 2013)
	if g.Methods.NeedModel != nil {
		t.Errorf("need model = %+v", g.Methods.NeedModel)
	}
	checkFlags(t, g.Years[0], []string{FlagNeedModelMissing}, []string{"deaths_missing:neoplasms"})
}

func TestBandEdges(t *testing.T) {
	fs := testFactorSet()
	tests := []struct {
		table FactorTable
		x     float64
		want  string
	}{
		{fs.INCBBands, 0, "very inadequate"},
		{fs.INCBBands, 99.999, "very inadequate"},
		{fs.INCBBands, 100, "inadequate"},
		{fs.INCBBands, 199.999, "inadequate"},
		{fs.INCBBands, 200, "200 and above"},
		{fs.INCBBands, -1, ""},
		{fs.BenchmarkBands, 100, "adequate"},
		{fs.BenchmarkBands, 99.99, "moderate"},
		{fs.BenchmarkBands, 31.6, "moderate"},
		{fs.BenchmarkBands, 31.59, "low"},
		{fs.BenchmarkBands, 10, "low"},
		{fs.BenchmarkBands, 9.99, "very low"},
		{fs.BenchmarkBands, 3.16, "very low"},
		{fs.BenchmarkBands, 3.15, "extremely low"},
		{fs.BenchmarkBands, 0, "extremely low"},
		{fs.ACMBands, 1, "adequate"},
		{fs.ACMBands, 0.99, "moderate"},
		{fs.ACMBands, 0.3, "moderate"},
		{fs.ACMBands, 0.29, "low"},
		{fs.ACMBands, 0.1, "low"},
		{fs.ACMBands, 0.09, "very low"},
		{fs.ACMBands, 0.03, "very low"},
		{fs.ACMBands, 0.029, "virtually none"},
		{fs.ACMBands, 0, "virtually none"},
		{FactorTable{}, 5, ""},
	}
	for _, tt := range tests {
		checkS(t, tt.table.Name+" band", band(sortedBands(tt.table), tt.x), tt.want)
	}
}

func TestNeedAndGap(t *testing.T) {
	withDeaths := func(ds ...Deaths) CountryInputs {
		in := briefExample()
		in.Deaths = ds
		return in
	}
	tests := []struct {
		name                    string
		in                      CountryInputs
		model                   string
		need, pct, gap, kg, acm *float64
		acmBand                 string
		flags, notFlags         []string
	}{
		{
			// need = 1,000 × 0.6 × 100 × 100 + 200 × 0.5 × 75 × 90 = 6,000,000 + 675,000 = 6,675,000 mg.
			// me = 2,833,000: met = 100 × 2,833,000 ÷ 6,675,000 = 42.4419476%;
			// gap = 6,675,000 − 2,833,000 = 3,842,000 mg = 3.842 kg morphine; acm 0.4244 → moderate.
			name: "need above consumption",
			in:   withDeaths(deaths(2013, CauseNeoplasms, 1000), deaths(2013, CauseHIV, 200)),
			need: F(6_675_000), pct: F(42.441947565543074), gap: F(3_842_000), kg: F(3.842),
			acm: F(0.4244194756554307), acmBand: "moderate",
			notFlags: []string{FlagNeedZero, "deaths_missing:neoplasms", "deaths_missing:hiv-aids"},
		},
		{
			// need = 100 × 6,000 + 0 = 600,000; met = 100 × 2,833,000 ÷ 600,000 = 472.1667% (over 100);
			// gap = max(0, 600,000 − 2,833,000) = 0; acm 4.7217 → adequate.
			name: "consumption above need",
			in:   withDeaths(deaths(2013, CauseNeoplasms, 100), deaths(2013, CauseHIV, 0)),
			need: F(600_000), pct: F(472.16666666666667), gap: F(0), kg: F(0),
			acm: F(2833000.0 / 600000), acmBand: "adequate",
		},
		{
			// The cancer-only model: 1,000 deaths × 0.8 × 90 × 100 = 7,200,000 mg; it does not
			// use HIV/AIDS deaths, so their absence is not flagged.
			// met = 100 × 2,833,000 ÷ 7,200,000 = 39.3472%; gap 4,367,000 mg; acm 0.393 → moderate.
			name: "second model", model: "cancer-only",
			in:   withDeaths(deaths(2013, CauseNeoplasms, 1000)),
			need: F(7_200_000), pct: F(283_300_000.0 / 7_200_000), gap: F(4_367_000), kg: F(4.367),
			acm: F(2_833_000.0 / 7_200_000), acmBand: "moderate",
			notFlags: []string{"deaths_missing:hiv-aids"},
		},
		{
			// Deaths from HIV/AIDS missing: the model uses the cause, so need is null.
			name:  "deaths missing for one cause",
			in:    withDeaths(deaths(2013, CauseNeoplasms, 1000)),
			flags: []string{"deaths_missing:hiv-aids"}, notFlags: []string{"deaths_missing:neoplasms"},
		},
		{
			name:  "no deaths",
			in:    briefExample(),
			flags: []string{"deaths_missing:hiv-aids", "deaths_missing:neoplasms"},
		},
		{
			// need 0: the gap is max(0, 0 − me) = 0, the ratios are null.
			name: "need zero",
			in:   withDeaths(deaths(2013, CauseNeoplasms, 0), deaths(2013, CauseHIV, 0)),
			need: F(0), gap: F(0), kg: F(0), flags: []string{FlagNeedZero},
		},
		{
			name: "unknown model", model: "no-such-model",
			in:    withDeaths(deaths(2013, CauseNeoplasms, 1000), deaths(2013, CauseHIV, 200)),
			flags: []string{FlagNeedModelMissing},
		},
		{
			// Need known but consumption not: the gap is unknown, not the whole need.
			name: "need without consumption",
			in: CountryInputs{Population: []Population{pop(2013, 10e6)},
				Deaths: []Deaths{deaths(2013, CauseNeoplasms, 1000), deaths(2013, CauseHIV, 200)}},
			need: F(6_675_000), flags: []string{FlagNotReported},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Country = testCountry
			y := ComputeCountry(in, testFactorSet(), tt.model, 2013, 2013).Years[0]
			checkF(t, "need_me_mg", y.NeedMEMg, tt.need)
			checkF(t, "need_met_pct", y.NeedMetPct, tt.pct)
			checkF(t, "gap_me_mg", y.GapMEMg, tt.gap)
			checkF(t, "morphine_kg_to_close_gap", y.MorphineKgToCloseGap, tt.kg)
			checkF(t, "acm", y.ACM, tt.acm)
			checkS(t, "acm_band", y.ACMBand, tt.acmBand)
			checkFlags(t, y, tt.flags, tt.notFlags)
		})
	}
}

func TestACMExactlyAtEdge(t *testing.T) {
	// 100 neoplasm deaths × 6,000 = 600,000 mg need (hiv 0); 180 g morphine = 180,000 mg;
	// acm = 180,000 ÷ 600,000 = 0.3 → moderate (inclusive lower edge).
	y := one(t, CountryInputs{
		Population:  []Population{pop(2013, 1e6)},
		Consumption: []Consumption{cons(2013, "morphine", 180)},
		Deaths:      []Deaths{deaths(2013, CauseNeoplasms, 100), deaths(2013, CauseHIV, 0)},
	}, 2013)
	checkF(t, "acm", y.ACM, F(0.3))
	checkS(t, "acm_band", y.ACMBand, "moderate")
	checkF(t, "need_met_pct", y.NeedMetPct, F(30))
	checkF(t, "gap", y.GapMEMg, F(420_000))
	checkF(t, "kg", y.MorphineKgToCloseGap, F(0.42))
}

func TestComputeCountryModels(t *testing.T) {
	in := briefExample()
	in.Country = testCountry
	in.Deaths = []Deaths{deaths(2013, CauseNeoplasms, 1000), deaths(2013, CauseHIV, 200)}
	got := ComputeCountryModels(in, testFactorSet(), []string{"", "cancer-only", "nope"}, 2013, 2013)
	if len(got) != 3 {
		t.Fatalf("got %d results", len(got))
	}
	if r := got[0].Methods.NeedModel; r == nil || *r != (Ref{Name: ModelCancerHIV, Version: 1}) {
		t.Errorf("default model = %+v", r)
	}
	if r := got[1].Methods.NeedModel; r == nil || *r != (Ref{Name: "cancer-only", Version: 2}) {
		t.Errorf("second model = %+v", r)
	}
	if got[2].Methods.NeedModel != nil {
		t.Errorf("unknown model = %+v, want null", got[2].Methods.NeedModel)
	}
	checkF(t, "cancer-hiv need", got[0].Years[0].NeedMEMg, F(6_675_000))
	checkF(t, "cancer-only need", got[1].Years[0].NeedMEMg, F(7_200_000))
	checkF(t, "unknown need", got[2].Years[0].NeedMEMg, nil)
	// Consumption figures do not depend on the model.
	for _, g := range got {
		checkF(t, "me_mg", g.Years[0].MEMg, F(2_833_000))
	}
}

func TestEstimates(t *testing.T) {
	est := func(drug string, kind EstimateKind, status EstimateStatus, total *float64) Estimate {
		return Estimate{ISO3: iso, Year: 2013, Drug: drug, Kind: kind, Status: status, Total: total}
	}
	base := func() CountryInputs {
		in := briefExample()
		in.Consumption = append(in.Consumption, cons(2013, "codeine", 50_000))
		in.Deaths = []Deaths{deaths(2013, CauseNeoplasms, 1000), deaths(2013, CauseHIV, 200)} // need 6,675,000
		return in
	}
	full := base()
	// Fentanyl's 2012 Form C stock (4 g) is the prior stock of its 2013 Form B total.
	full.Consumption = append(full.Consumption, Consumption{ISO3: iso, Year: 2012, Drug: "fentanyl", Stock: F(4)})
	full.Estimates = []Estimate{
		est("morphine", EstimateAnnual, EstimateSubmitted, F(9999)), // superseded by the confirmed one
		est("morphine", EstimateAnnual, EstimateConfirmed, F(2500)),
		est("morphine", EstimateSupplementary, EstimateConfirmed, F(500)),
		{ISO3: iso, Year: 2013, Drug: "fentanyl", Kind: EstimateAnnual, Status: EstimateConfirmed,
			ToBeConsumed: F(8), UtilizedForManufacture: F(0), StockTarget: F(5), SpecialStocks: F(0)},
		est("codeine", EstimateAnnual, EstimateConfirmed, F(40_000)),
	}

	suppOnly := base()
	suppOnly.Estimates = []Estimate{est("morphine", EstimateSupplementary, EstimateConfirmed, F(1000))}

	codeineOnly := base()
	codeineOnly.Estimates = []Estimate{est("codeine", EstimateAnnual, EstimateConfirmed, F(60_000))}

	equalNeed := base()
	equalNeed.Estimates = []Estimate{est("morphine", EstimateAnnual, EstimateConfirmed, F(6675))}

	zeroEst := base()
	zeroEst.Estimates = []Estimate{est("morphine", EstimateAnnual, EstimateConfirmed, F(0))}

	tests := []struct {
		name               string
		in                 CountryInputs
		drugTotals         map[string]*float64
		drugME             map[string]*float64
		estME, cover, util *float64
		flags, notFlags    []string
	}{
		{
			// morphine: confirmed annual 2,500 + supplementary 500 = 3,000 g → 3,000,000 mg ME.
			// fentanyl: 8 + 0 + 0 + max(0, 5 − 4) = 9 g → 9,000 mg × 83.3 = 749,700 mg ME.
			// codeine: 40,000 g (no ME factor). Estimate ME = 3,749,700 mg.
			// coverage = 100 × 3,749,700 ÷ 6,675,000 = 56.1752809% → estimate_below_need.
			// utilization = 100 × (2,000,000 + 833,000) ÷ (3,000,000 + 749,700) = 75.5527109%.
			// Consumption above estimate: fentanyl 10 > 9, codeine 50,000 > 40,000.
			name:       "annual, supplementary, computed total",
			in:         full,
			drugTotals: map[string]*float64{"morphine": F(3000), "fentanyl": F(9), "codeine": F(40_000)},
			drugME:     map[string]*float64{"morphine": F(3_000_000), "fentanyl": F(749_700), "codeine": nil},
			estME:      F(3_749_700), cover: F(56.1752808988764), util: F(75.55271088353734),
			flags: []string{FlagEstimateBelowNeed, FlagConsumptionAboveEstimate,
				"consumption_above_estimate:fentanyl", "consumption_above_estimate:codeine"},
			notFlags: []string{FlagNoEstimate, "consumption_above_estimate:morphine", "estimate_supplementary_only:morphine"},
		},
		{
			// Supplementary only: 1,000 g = 1,000,000 mg ME; coverage 100 × 1e6 ÷ 6,675,000 = 14.981%;
			// utilization over morphine only = 100 × 2,000,000 ÷ 1,000,000 = 200% (consumed 2,000 > 1,000 g).
			name:       "supplementary only",
			in:         suppOnly,
			drugTotals: map[string]*float64{"morphine": F(1000)},
			drugME:     map[string]*float64{"morphine": F(1_000_000)},
			estME:      F(1_000_000), cover: F(100 * 1e6 / 6_675_000), util: F(200),
			flags: []string{"estimate_supplementary_only:morphine", FlagEstimateBelowNeed,
				"consumption_above_estimate:morphine"},
		},
		{
			// Estimates, but none for an ME drug: no ME figures.
			name:       "codeine estimate only",
			in:         codeineOnly,
			drugTotals: map[string]*float64{"codeine": F(60_000), "morphine": nil},
			flags:      []string{FlagNoEstimateME},
			notFlags:   []string{FlagNoEstimate, FlagConsumptionAboveEstimate, FlagEstimateBelowNeed},
		},
		{
			// Estimate exactly equal to need: 6,675 g = 6,675,000 mg; coverage 100%, not below need.
			// utilization = 100 × 2,000,000 ÷ 6,675,000 = 29.9625%.
			name:  "estimate equals need",
			in:    equalNeed,
			estME: F(6_675_000), cover: F(100), util: F(100 * 2e6 / 6_675_000),
			notFlags: []string{FlagEstimateBelowNeed, FlagConsumptionAboveEstimate},
		},
		{
			// An estimate of 0 with consumption: utilization undefined.
			name:  "zero estimate",
			in:    zeroEst,
			estME: F(0), cover: F(0),
			flags: []string{FlagEstimateZero, FlagEstimateBelowNeed, "consumption_above_estimate:morphine"},
		},
		{
			name:       "no estimate",
			in:         base(),
			drugTotals: map[string]*float64{"morphine": nil, "codeine": nil},
			flags:      []string{FlagNoEstimate},
			notFlags:   []string{FlagNoEstimateME, FlagEstimateBelowNeed},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := one(t, tt.in, 2013)
			for d, want := range tt.drugTotals {
				checkF(t, d+" estimate_total_g", drug(t, y, d).EstimateTotalG, want)
			}
			for d, want := range tt.drugME {
				checkF(t, d+" estimate_me_mg", drug(t, y, d).EstimateMEMg, want)
			}
			checkF(t, "estimate_me_mg", y.EstimateMEMg, tt.estME)
			checkF(t, "estimate_need_coverage_pct", y.EstimateNeedCoveragePct, tt.cover)
			checkF(t, "estimate_utilization_pct", y.EstimateUtilizationPct, tt.util)
			checkFlags(t, y, tt.flags, tt.notFlags)
		})
	}
}

func TestLineage(t *testing.T) {
	l := func(row int) Lineage { return Lineage{UploadID: 7, Sheet: "S", Row: row} }
	in := CountryInputs{
		Country: testCountry,
		Population: []Population{
			{ISO3: iso, Year: 2011, Persons: 1e6, Lineage: l(1)},
			{ISO3: iso, Year: 2012, Persons: 1e6, Lineage: l(2)},
			{ISO3: iso, Year: 2013, Persons: 1e6, Lineage: l(3)},
		},
		Consumption: []Consumption{
			{ISO3: iso, Year: 2011, Drug: "morphine", Grams: F(1), Lineage: l(11)},
			{ISO3: iso, Year: 2012, Drug: "morphine", Grams: F(1), Lineage: l(12)},
			{ISO3: iso, Year: 2013, Drug: "morphine", Grams: F(1), Lineage: l(13)},
			{ISO3: iso, Year: 2013, Drug: "codeine", Grams: F(1), Lineage: l(14)},
		},
		Deaths: []Deaths{
			{ISO3: iso, Year: 2013, Cause: CauseNeoplasms, Deaths: 1, Lineage: l(21)},
			{ISO3: iso, Year: 2013, Cause: CauseHIV, Deaths: 1, Lineage: l(22)},
			{ISO3: iso, Year: 2013, Cause: CauseDementia, Deaths: 1, Lineage: l(23)}, // not in the model
		},
		Estimates: []Estimate{
			{ISO3: iso, Year: 2013, Drug: "morphine", Kind: EstimateAnnual, Total: F(2), Lineage: l(31)},
			{ISO3: iso, Year: 2013, Drug: "morphine", Kind: EstimateSupplementary, Total: F(1), Lineage: l(32)},
		},
	}
	y := ComputeCountry(in, testFactorSet(), "", 2013, 2013).Years[0]
	got := map[int]LineageUse{}
	for _, u := range y.Lineage {
		if _, dup := got[u.Row]; dup {
			t.Errorf("row %d listed twice", u.Row)
		}
		got[u.Row] = u
	}
	want := map[int]LineageUse{
		3:  {7, "S", 3, "population", 2013},
		13: {7, "S", 13, "consumption:morphine", 2013},
		14: {7, "S", 14, "consumption:codeine", 2013},
		21: {7, "S", 21, "deaths:neoplasms", 2013},
		22: {7, "S", 22, "deaths:hiv-aids", 2013},
		31: {7, "S", 31, "estimate:morphine:annual", 2013},
		32: {7, "S", 32, "estimate:morphine:supplementary", 2013},
		// The three-year S-DDD average used the two years before.
		1:  {7, "S", 1, "population", 2011},
		2:  {7, "S", 2, "population", 2012},
		11: {7, "S", 11, "consumption:morphine", 2011},
		12: {7, "S", 12, "consumption:morphine", 2012},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("lineage = %+v\nwant %+v", got, want)
	}
}

func TestYearSelection(t *testing.T) {
	in := CountryInputs{
		Country:     testCountry,
		Population:  []Population{pop(2010, 1e6), pop(2013, 1e6)},
		Consumption: []Consumption{cons(2011, "morphine", 1)},
		Deaths:      []Deaths{deaths(2015, CauseNeoplasms, 1)}, // deaths alone do not make a year
	}
	years := func(g CountryGaps) []int {
		var ys []int
		for _, y := range g.Years {
			ys = append(ys, y.Year)
		}
		return ys
	}
	fs := testFactorSet()
	if got := years(ComputeCountry(in, fs, "", 0, 0)); !reflect.DeepEqual(got, []int{2010, 2011, 2013}) {
		t.Errorf("every data year = %v", got)
	}
	if got := years(ComputeCountry(in, fs, "", 2012, 2014)); !reflect.DeepEqual(got, []int{2012, 2013, 2014}) {
		t.Errorf("2012–2014 = %v", got)
	}
	if got := years(ComputeCountry(in, fs, "", 2012, 0)); !reflect.DeepEqual(got, []int{2012, 2013}) {
		t.Errorf("2012– = %v", got)
	}
	// A year without any data is still reported, with its figures null and flagged.
	y := ComputeCountry(in, fs, "", 2014, 2014).Years[0]
	checkF(t, "population", y.Population, nil)
	checkF(t, "me_mg", y.MEMg, nil)
	checkFlags(t, y, []string{FlagPopulationMissing, FlagNotReported, FlagNoEstimate,
		"deaths_missing:neoplasms"}, nil)
	// Rows for another country are ignored.
	other := in
	other.Consumption = []Consumption{{ISO3: "ZZZ", Year: 2013, Drug: "morphine", Grams: F(5)}}
	checkF(t, "other country's row", ComputeCountry(other, fs, "", 2013, 2013).Years[0].MEMg, nil)
}

func TestMethodsAndJSON(t *testing.T) {
	in := briefExample()
	in.Country = testCountry
	g := ComputeCountry(in, testFactorSet(), "", 2013, 2013)
	m := g.Methods
	if m.ME != (Ref{TablePPSG, 1}) || m.SDDD != (Ref{TableSDDD, 1}) || m.Basket != (Ref{TablePainBasket, 1}) ||
		m.INCBBands != (Ref{TableINCBBands, 1}) || m.BenchmarkBands != (Ref{TableBenchmarkBands, 1}) ||
		m.BenchmarkReference != (Ref{TableBenchmarkRef, 1}) || m.ACMBands != (Ref{TableACMBands, 1}) {
		t.Errorf("methods = %+v", m)
	}
	if m.FormBTotal != FormBTotalMethod || m.DaysPerYear != 365 || m.Formulas.MEMg == "" {
		t.Errorf("methods = %+v", m)
	}
	if g.Country != (CountryRef{ISO3: iso, Name: "Testland", WHORegion: "AFR", IncomeGroup: "LIC"}) {
		t.Errorf("country = %+v", g.Country)
	}

	b, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Country map[string]any   `json:"country"`
		Methods map[string]any   `json:"methods"`
		Years   []map[string]any `json:"years"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	keys := func(m map[string]any) []string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return ks
	}
	wantYear := []string{"acm", "acm_band", "adequacy", "benchmark_band", "benchmark_index", "cost_to_close_gap_usd", "drugs",
		"estimate_me_mg", "estimate_need_coverage_pct", "estimate_utilization_pct", "flags", "gap_me_mg",
		"income_group", "lineage", "me_mg", "me_mg_per_capita", "morphine_kg_to_close_gap", "need_me_mg", "need_met_pct",
		"need_met_pct_range", "need_models", "population", "sddd_3yr_avg", "sddd_per_million_per_day", "year"}
	if got := keys(raw.Years[0]); !reflect.DeepEqual(got, wantYear) {
		t.Errorf("year keys = %q\nwant %q", got, wantYear)
	}
	if got := keys(raw.Country); !reflect.DeepEqual(got, []string{"income_group", "iso3", "name", "who_region"}) {
		t.Errorf("country keys = %q", got)
	}
	wantMethods := []string{"acm_bands", "basket", "benchmark_bands", "benchmark_reference", "data_quality_rules",
		"days_per_year", "formb_total", "formulas", "incb_bands", "me", "need_model", "need_models", "price", "sddd"}
	if got := keys(raw.Methods); !reflect.DeepEqual(got, wantMethods) {
		t.Errorf("methods keys = %q\nwant %q", got, wantMethods)
	}
	drugKeys := keys(raw.Years[0]["drugs"].([]any)[0].(map[string]any))
	if !reflect.DeepEqual(drugKeys, []string{"drug", "estimate_me_mg", "estimate_total_g", "kg", "me_mg", "sddd"}) {
		t.Errorf("drug keys = %q", drugKeys)
	}
	linKeys := keys(raw.Years[0]["lineage"].([]any)[0].(map[string]any))
	if !reflect.DeepEqual(linKeys, []string{"row", "sheet", "upload_id", "what", "year"}) {
		t.Errorf("lineage keys = %q", linKeys)
	}
	// Missing numbers are null, never 0.
	if v, ok := raw.Years[0]["need_me_mg"]; !ok || v != nil {
		t.Errorf("need_me_mg = %v, want null", v)
	}
}

// aggregateFixture: three AFR countries and one EUR country in 2013.
//
//	A (AFR, LIC): 10,000,000 people, me 2,833,000, need 6,675,000, gap 3,842,000,
//	    S-DDD 10.0456621 in 2011–13 (so a three-year average of 10.0456621)
//	B (AFR, LIC): 1,000 people, morphine 256 g = 256,000 mg (256 per capita),
//	    need 10 × 6,000 = 60,000, gap 0, S-DDD 2,560 ÷ 365 ÷ 0.001 = 7,013.70
//	C (AFR, LMC): 5,000,000 people, no consumption; need 500 × 6,000 + 100 × 3,375 = 3,337,500
//	D (EUR, HIC): 2,000,000 people, morphine 1,000 g = 1,000,000 mg (0.5 per capita), no deaths
func aggregateFixture() []CountryGaps {
	fs := testFactorSet()
	mk := func(iso3, region, income string, in CountryInputs) CountryGaps {
		for i := range in.Population {
			in.Population[i].ISO3 = iso3
		}
		for i := range in.Consumption {
			in.Consumption[i].ISO3 = iso3
		}
		for i := range in.Deaths {
			in.Deaths[i].ISO3 = iso3
		}
		in.Country = Country{ISO3: iso3, Name: iso3, WHORegion: region, IncomeGroup: income}
		return ComputeCountry(in, fs, "", 2011, 2013)
	}
	a := CountryInputs{
		Population: []Population{pop(2011, 10e6), pop(2012, 10e6), pop(2013, 10e6)},
		Consumption: []Consumption{cons(2011, "morphine", 2000), cons(2011, "fentanyl", 10),
			cons(2012, "morphine", 2000), cons(2012, "fentanyl", 10),
			cons(2013, "morphine", 2000), cons(2013, "fentanyl", 10)},
		Deaths: []Deaths{deaths(2013, CauseNeoplasms, 1000), deaths(2013, CauseHIV, 200)},
	}
	b := CountryInputs{
		Population:  []Population{pop(2013, 1000)},
		Consumption: []Consumption{cons(2013, "morphine", 256)},
		Deaths:      []Deaths{deaths(2013, CauseNeoplasms, 10), deaths(2013, CauseHIV, 0)},
	}
	c := CountryInputs{
		Population: []Population{pop(2013, 5e6)},
		Deaths:     []Deaths{deaths(2013, CauseNeoplasms, 500), deaths(2013, CauseHIV, 100)},
	}
	d := CountryInputs{
		Population:  []Population{pop(2013, 2e6)},
		Consumption: []Consumption{cons(2013, "morphine", 1000)},
	}
	return []CountryGaps{mk("AAA", "AFR", "LIC", a), mk("BBB", "AFR", "LIC", b), mk("CCC", "AFR", "LMC", c),
		mk("DDD", "EUR", "HIC", d)}
}

func TestAggregateRegion(t *testing.T) {
	all := aggregateFixture()
	g := Aggregate(GroupRegion, "AFR", 2013, all)
	if g.Countries != 3 || g.CountriesWithData != 2 || g.CountriesWithoutData != 1 || g.CountriesWithNeed != 2 {
		t.Errorf("counts = %d/%d/%d/%d, want 3/2/1/2", g.Countries, g.CountriesWithData, g.CountriesWithoutData, g.CountriesWithNeed)
	}
	// Population: every member with a population figure, 10,000,000 + 1,000 + 5,000,000
	// = 15,001,000; with data (A, B) 10,001,000; without (C, no consumption) 5,000,000.
	if g.Population != 15_001_000 || g.PopulationWithData != 10_001_000 || g.PopulationWithoutData != 5_000_000 {
		t.Errorf("population = %v, with data %v, without %v", g.Population, g.PopulationWithData, g.PopulationWithoutData)
	}
	// me over members with data: 2,833,000 + 256,000 = 3,089,000.
	checkF(t, "me_mg", g.MEMg, F(3_089_000))
	// 3,089,000 ÷ 10,001,000 = 0.308869113 — not the mean of 0.2833 and 256.
	checkF(t, "me_mg_per_capita", g.MEMgPerCapita, F(0.30886911308869114))
	// S-DDD a day: A 10.0456621 × 10 = 100.456621; B 7,013.6986 × 0.001 = 7.0136986;
	// Σ 107.470320 ÷ 10.001 = 10.7459574.
	checkF(t, "sddd_per_million_per_day", g.SDDDPerMillionPerDay, F(10.74595736773355))
	// Need, gap and consumption over the members with both (A, B); C has need but no
	// consumption and is left out of all three. Need 6,675,000 + 60,000 = 6,735,000.
	checkF(t, "need_me_mg", g.NeedMEMg, F(6_735_000))
	// Gap: 3,842,000 + 0 = 3,842,000 mg = 3.842 kg.
	checkF(t, "gap_me_mg", g.GapMEMg, F(3_842_000))
	checkF(t, "morphine_kg_to_close_gap", g.MorphineKgToCloseGap, F(3.842))
	// B is a surplus country (256,000 mg against a need of 60,000): its surplus does
	// not meet A's need. Met: 100 × (min(2,833,000, 6,675,000) + min(256,000, 60,000))
	// ÷ 6,735,000 = 100 × 2,893,000 ÷ 6,735,000 = 42.9547142%.
	checkF(t, "need_met_pct", g.NeedMetPct, F(100*2_893_000.0/6_735_000))
	// The plain ratio of sums, named so: 100 × 3,089,000 ÷ 6,735,000 = 45.8648849%.
	checkF(t, "consumption_to_need_pct", g.ConsumptionToNeedPct, F(45.8648849294729))
	// cancer-only (7,200 mg per cancer death): need A 7,200,000, B 72,000 = 7,272,000;
	// met (2,833,000 + 72,000) ÷ 7,272,000 = 39.9477448%; gap 4,367,000 + 0.
	co := g.NeedModels["cancer-only"]
	checkF(t, "cancer-only need", co.NeedMEMg, F(7_272_000))
	checkF(t, "cancer-only met", co.NeedMetPct, F(100*2_905_000.0/7_272_000))
	checkF(t, "cancer-only gap", co.GapMEMg, F(4_367_000))
	checkF(t, "cancer-hiv met (need_models)", g.NeedModels[ModelCancerHIV].NeedMetPct, g.NeedMetPct)
	if r := g.NeedMetPctRange; r == nil || !approxEqual(r[0], 100*2_905_000.0/7_272_000) || !approxEqual(r[1], 100*2_893_000.0/6_735_000) {
		t.Errorf("need_met_pct_range = %v", r)
	}
	// Persons by band: A (10,000,000) very inadequate, B (1,000) 200 and above; each
	// table sums to population_with_data.
	if !reflect.DeepEqual(g.PopulationByAdequacy, map[string]float64{"very inadequate": 10e6, "200 and above": 1000}) {
		t.Errorf("population by adequacy = %v", g.PopulationByAdequacy)
	}
	if !reflect.DeepEqual(g.PopulationByACMBand, map[string]float64{"moderate": 10e6, "adequate": 1000}) {
		t.Errorf("population by acm band = %v", g.PopulationByACMBand)
	}
	// Medians: per capita (0.2833 + 256) ÷ 2 = 128.14165; three-year S-DDD only A's.
	checkF(t, "median_me_mg_per_capita", g.MedianMEMgPerCapita, F(128.14165))
	checkF(t, "median_sddd_3yr_avg", g.MedianSDDD3YrAvg, F(36_666.666666666667/365/10))
	if !reflect.DeepEqual(g.AdequacyCounts, map[string]int{"very inadequate": 1, "200 and above": 1}) {
		t.Errorf("adequacy counts = %v", g.AdequacyCounts)
	}
	if !reflect.DeepEqual(g.BenchmarkBandCounts, map[string]int{"extremely low": 1, "adequate": 1}) {
		t.Errorf("benchmark counts = %v", g.BenchmarkBandCounts)
	}
	// ACM: A 0.4244 moderate; B 256,000 ÷ 60,000 = 4.27 adequate.
	if !reflect.DeepEqual(g.ACMBandCounts, map[string]int{"moderate": 1, "adequate": 1}) {
		t.Errorf("acm counts = %v", g.ACMBandCounts)
	}
	if len(g.Ranking) != 2 || g.Ranking[0].Country.ISO3 != "BBB" || g.Ranking[0].Rank != 1 ||
		g.Ranking[1].Country.ISO3 != "AAA" || g.Ranking[1].Rank != 2 {
		t.Errorf("ranking = %+v", g.Ranking)
	}
	// A's per capita is 0.2833 in 2011, 2012 and 2013: growth 0.
	checkF(t, "A cagr", g.Ranking[1].MEMgPerCapitaCAGR5y, F(0))
	checkF(t, "B cagr (one point)", g.Ranking[0].MEMgPerCapitaCAGR5y, nil)
	if g.WorldSharePct != nil {
		t.Errorf("world share set by Aggregate: %v", *g.WorldSharePct)
	}

	// World share: world me = 3,089,000 + 1,000,000 = 4,089,000; AFR 75.5441428%.
	world := Aggregate(GroupWorld, WorldCode, 2013, all)
	checkF(t, "world me", world.MEMg, F(4_089_000))
	checkF(t, "world share", WorldShare(g, world), F(75.54414282220591))
}

func TestAggregateAll(t *testing.T) {
	gs := AggregateAll(2013, aggregateFixture())
	if len(gs) != 1+len(WHORegions)+len(IncomeGroups) {
		t.Fatalf("got %d groups", len(gs))
	}
	by := map[string]GroupGaps{}
	for _, g := range gs {
		by[string(g.Kind)+":"+g.Code] = g
	}
	checkF(t, "world share of world", by["world:WLD"].WorldSharePct, F(100))
	checkF(t, "AFR", by["region:AFR"].WorldSharePct, F(75.54414282220591))
	// EUR: 100 × 1,000,000 ÷ 4,089,000 = 24.4558572%.
	checkF(t, "EUR", by["region:EUR"].WorldSharePct, F(24.455857177794083))
	checkF(t, "SEAR (no countries)", by["region:SEAR"].WorldSharePct, nil)
	// LIC: A + B = 3,089,000, the same as AFR; LMC (C) has no me.
	checkF(t, "LIC", by["income:LIC"].WorldSharePct, F(75.54414282220591))
	checkF(t, "LMC", by["income:LMC"].WorldSharePct, nil)
	if g := by["income:LMC"]; g.Countries != 1 || g.CountriesWithoutData != 1 {
		t.Errorf("LMC counts = %+v", g)
	}
	// The world per capita is a ratio of totals: 4,089,000 ÷ 12,001,000 (C has no me).
	checkF(t, "world per capita", by["world:WLD"].MEMgPerCapita, F(4_089_000.0/12_001_000))
	// D has consumption but no deaths: it has data but no need, so its 2,000,000
	// people are in band "none" for the ACM and it is left out of the need figures.
	w := by["world:WLD"]
	if w.Population != 17_001_000 || w.PopulationWithData != 12_001_000 || w.CountriesWithNeed != 2 ||
		w.PopulationByACMBand[BandNone] != 2e6 {
		t.Errorf("world = %+v", w)
	}
	for _, g := range gs {
		checkBandSums(t, g)
	}
}

// checkBandSums checks that each population-by-band table sums to
// population_with_data, and that with and without data sum to population.
func checkBandSums(t *testing.T, g GroupGaps) {
	t.Helper()
	if !approxEqual(g.PopulationWithData+g.PopulationWithoutData, g.Population) {
		t.Errorf("%s %s: with data %v + without %v != population %v", g.Kind, g.Code, g.PopulationWithData, g.PopulationWithoutData, g.Population)
	}
	for what, m := range map[string]map[string]float64{"adequacy": g.PopulationByAdequacy,
		"benchmark band": g.PopulationByBenchmarkBand, "acm band": g.PopulationByACMBand} {
		var sum float64
		for _, v := range m {
			sum += v
		}
		if !approxEqual(sum, g.PopulationWithData) {
			t.Errorf("%s %s: population by %s sums to %v, want %v", g.Kind, g.Code, what, sum, g.PopulationWithData)
		}
	}
}

func TestRankingTies(t *testing.T) {
	mk := func(iso3 string, v float64) CountryGaps {
		return CountryGaps{Country: CountryRef{ISO3: iso3}, Years: []YearGaps{{Year: 2013, MEMgPerCapita: F(v), MEMg: F(v), Population: F(1)}}}
	}
	// E is a member (it has a population) without data; F, with no
	// population, is not a member.
	g := Aggregate(GroupWorld, WorldCode, 2013, []CountryGaps{mk("C", 1), mk("B", 2), mk("A", 2), mk("D", 0.5),
		{Country: CountryRef{ISO3: "E"}, Years: []YearGaps{{Year: 2013, Population: F(1)}}}, {Country: CountryRef{ISO3: "F"}}})
	var got []string
	for _, r := range g.Ranking {
		got = append(got, r.Country.ISO3+":"+string(rune('0'+r.Rank)))
	}
	if want := []string{"A:1", "B:1", "C:3", "D:4"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ranking = %v, want %v", got, want)
	}
	if g.CountriesWithoutData != 1 {
		t.Errorf("without data = %d", g.CountriesWithoutData)
	}
}

func TestCAGR(t *testing.T) {
	s := func(kv ...any) []YearValue {
		var out []YearValue
		for i := 0; i < len(kv); i += 2 {
			var v *float64
			if kv[i+1] != nil {
				v = F(kv[i+1].(float64))
			}
			out = append(out, YearValue{Year: kv[i].(int), Value: v})
		}
		return out
	}
	tests := []struct {
		name   string
		series []YearValue
		want   *float64
	}{
		// Six points; the last five are 2011–2015: (1.4641 ÷ 1)^(1/4) − 1 = 0.1 (1.1⁴ = 1.4641).
		// 2010's 9 is left out. Order does not matter.
		{"last five of six", s(2015, 1.4641, 2010, 9.0, 2011, 1.0, 2012, 2.0, 2013, 3.0, 2014, 4.0), F(0.1)},
		// Gaps: points 2012 and 2015, n = 3: 1.331^(1/3) − 1 = 0.1.
		{"years without data", s(2012, 1.0, 2013, nil, 2014, nil, 2015, 1.331), F(0.1)},
		// Decline: 0.5 → 0.125 over 2 years: (0.25)^(1/2) − 1 = −0.5.
		{"decline", s(2011, 0.5, 2013, 0.125), F(-0.5)},
		{"one point", s(2013, 1.0, 2014, nil), nil},
		{"empty", nil, nil},
		{"start zero", s(2011, 0.0, 2013, 1.0), nil},
		{"start negative", s(2011, -1.0, 2013, 1.0), nil},
		// To zero: (0 ÷ 1)^(1/2) − 1 = −1.
		{"end zero", s(2011, 1.0, 2013, 0.0), F(-1)},
	}
	for _, tt := range tests {
		checkF(t, tt.name, CAGR(tt.series), tt.want)
	}
	// PerCapitaSeries stops at the year asked for.
	c := CountryGaps{Years: []YearGaps{{Year: 2011, MEMgPerCapita: F(1)}, {Year: 2012, MEMgPerCapita: F(2)},
		{Year: 2013, MEMgPerCapita: F(8)}}}
	checkF(t, "through 2012", CAGR(PerCapitaSeries(c, 2012)), F(1))        // 2 ÷ 1 over 1 year
	checkF(t, "all years", CAGR(PerCapitaSeries(c, 0)), F(math.Sqrt(8)-1)) // 8 ÷ 1 over 2 years
}

func TestMedian(t *testing.T) {
	checkF(t, "none", median(nil), nil)
	checkF(t, "odd", median([]float64{3, 1, 2}), F(2))
	checkF(t, "even", median([]float64{4, 1, 3, 2}), F(2.5))
}
