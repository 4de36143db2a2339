package access

import (
	"encoding/csv"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
)

// sharedDataDir holds real published data beside the repository (see its
// README.md): INCB consumption 1989–2013, UN WPP 2019 population, GBD 2019
// deaths and WHO country metadata. It is absent from a fresh clone.
const sharedDataDir = "../../../shared/data"

// sharedData is the shared data files parsed into domain inputs.
type sharedData struct {
	countries   map[string]Country
	population  map[string][]Population
	deaths      map[string][]Deaths
	consumption map[string][]Consumption
	kg          map[string]float64 // "ISO3/year/drug" → kg, as read, for independent checks
	persons     map[string]float64 // "ISO3/year" → persons
	deathsRaw   map[string]float64 // "ISO3/year/cause" → deaths
}

var (
	sharedOnce sync.Once
	shared     *sharedData
	sharedErr  error
)

// loadShared parses the shared data once, skipping the test or benchmark
// when the directory is absent.
func loadShared(tb testing.TB) *sharedData {
	tb.Helper()
	if _, err := os.Stat(sharedDataDir); errors.Is(err, fs.ErrNotExist) {
		tb.Skipf("shared data not found at %s (a fresh clone has none): skipping real-data checks", sharedDataDir)
	}
	sharedOnce.Do(func() { shared, sharedErr = parseShared() })
	if sharedErr != nil {
		tb.Fatal(sharedErr)
	}
	return shared
}

// readCSV returns the header index and the records of a CSV file.
func readCSV(name string) (map[string]int, [][]string, error) {
	f, err := os.Open(filepath.Join(sharedDataDir, name))
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, nil, err
	}
	if len(recs) == 0 {
		return nil, nil, errors.New(name + ": empty")
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	return col, recs[1:], nil
}

func parseShared() (*sharedData, error) {
	d := &sharedData{
		countries:   map[string]Country{},
		population:  map[string][]Population{},
		deaths:      map[string][]Deaths{},
		consumption: map[string][]Consumption{},
		kg:          map[string]float64{},
		persons:     map[string]float64{},
		deathsRaw:   map[string]float64{},
	}
	num := func(s string) (float64, bool) {
		v, err := strconv.ParseFloat(s, 64)
		return v, err == nil
	}

	col, recs, err := readCSV("countries.csv")
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		iso3 := r[col["iso3"]]
		d.countries[iso3] = Country{ISO3: iso3, Name: r[col["who_short_name_en"]],
			WHORegion: r[col["who_region"]], IncomeGroup: r[col["wb_ig_2020"]]}
	}

	col, recs, err = readCSV("incb_consumption_kg_1989_2013.csv")
	if err != nil {
		return nil, err
	}
	for i, r := range recs {
		iso3, drug := r[col["iso3"]], r[col["drug"]]
		year, _ := strconv.Atoi(r[col["year"]])
		kg, ok := num(r[col["kg"]])
		if !ok {
			continue
		}
		d.kg[iso3+"/"+r[col["year"]]+"/"+drug] = kg
		d.consumption[iso3] = append(d.consumption[iso3], Consumption{ISO3: iso3, Year: year, Drug: drug,
			Grams: F(kg * 1000), Conversion: "kg→g ×1000", Lineage: Lineage{Row: i + 2}})
	}

	// Population is in thousands: × 1,000 for persons.
	col, recs, err = readCSV("population_wpp2019.csv")
	if err != nil {
		return nil, err
	}
	for i, r := range recs {
		iso3 := r[col["iso3"]]
		th, ok := num(r[col["pop_total_thousands"]])
		if iso3 == "" || !ok {
			continue
		}
		year, _ := strconv.Atoi(r[col["year"]])
		d.persons[iso3+"/"+r[col["year"]]] = th * 1000
		d.population[iso3] = append(d.population[iso3], Population{ISO3: iso3, Year: year, Persons: th * 1000,
			Lineage: Lineage{Row: i + 2}})
	}

	col, recs, err = readCSV("deaths_gbd2019.csv")
	if err != nil {
		return nil, err
	}
	causeCol := map[string]string{
		"deaths_neoplasms": CauseNeoplasms, "deaths_hiv_aids": CauseHIV,
		"deaths_cardiovascular": CauseCardiovascular, "deaths_chronic_respiratory": CauseChronicRespiratory,
		"deaths_dementia": CauseDementia, "deaths_tuberculosis": CauseTuberculosis,
		"deaths_cirrhosis_liver": CauseLiverCirrhosis, "deaths_chronic_kidney": CauseChronicKidney,
		"deaths_neonatal": CauseNeonatal,
	}
	for i, r := range recs {
		iso3 := r[col["iso3"]]
		year, _ := strconv.Atoi(r[col["year"]])
		for h, cause := range causeCol {
			n, ok := num(r[col[h]])
			if iso3 == "" || !ok {
				continue
			}
			d.deathsRaw[iso3+"/"+r[col["year"]]+"/"+cause] = n
			d.deaths[iso3] = append(d.deaths[iso3], Deaths{ISO3: iso3, Year: year, Cause: cause, Deaths: n,
				Lineage: Lineage{Row: i + 2}})
		}
	}
	return d, nil
}

// inputs builds one country's inputs from the shared data.
func (d *sharedData) inputs(iso3 string) CountryInputs {
	c, ok := d.countries[iso3]
	if !ok {
		c = Country{ISO3: iso3}
	}
	return CountryInputs{Country: c, Population: d.population[iso3], Deaths: d.deaths[iso3],
		Consumption: d.consumption[iso3]}
}

// isos lists every country with consumption data.
func (d *sharedData) isos() []string {
	var out []string
	for iso3 := range d.consumption {
		out = append(out, iso3)
	}
	slices.Sort(out)
	return out
}

func yearOf(t *testing.T, g CountryGaps, year int) YearGaps {
	t.Helper()
	y := g.year(year)
	if y == nil {
		t.Fatalf("%s: no year %d", g.Country.ISO3, year)
	}
	return *y
}

func TestSharedDataCountries(t *testing.T) {
	d := loadShared(t)
	fs := testFactorSet()
	gaps := map[string]CountryGaps{}
	for _, iso3 := range []string{"USA", "CAN", "NGA", "IND", "DEU", "GBR"} {
		gaps[iso3] = ComputeCountry(d.inputs(iso3), fs, "", 2011, 2013)
		if len(gaps[iso3].Years) != 3 {
			t.Fatalf("%s: %d years", iso3, len(gaps[iso3].Years))
		}
	}
	// meFromRaw recomputes mg ME from the CSV's kilograms with the ppsg
	// factors written out: kg × 10⁶ mg × factor.
	meFromRaw := func(iso3, year string) float64 {
		return d.kg[iso3+"/"+year+"/morphine"]*1e6*1 +
			d.kg[iso3+"/"+year+"/fentanyl"]*1e6*83.3 +
			d.kg[iso3+"/"+year+"/oxycodone"]*1e6*1.33 +
			d.kg[iso3+"/"+year+"/pethidine"]*1e6*0.125
	}

	t.Run("USA 2013", func(t *testing.T) {
		y := yearOf(t, gaps["USA"], 2013)
		// The data README: USA morphine 2013 = 25,571 kg.
		checkF(t, "morphine kg", drug(t, y, "morphine").Kg, F(25_571))
		// 25,571e6 + 539.418e6 × 83.3 + 63,813e6 × 1.33 + 1,586e6 × 0.125 = 155,574,059,400 mg;
		// ÷ 316,400,539 persons (316,400.539 thousand) = 491.69973 mg per capita.
		checkF(t, "me_mg", y.MEMg, F(155_574_059_400))
		checkF(t, "me_mg from raw", y.MEMg, F(meFromRaw("USA", "2013")))
		checkF(t, "population", y.Population, F(316_400_539))
		checkF(t, "me_mg_per_capita", y.MEMgPerCapita, F(155_574_059_400.0/316_400_539))
		// 100 × 491.7 ÷ 256 = 192.07 → adequate.
		checkF(t, "benchmark_index", y.BenchmarkIndex, F(100*155_574_059_400.0/316_400_539/256))
		checkS(t, "benchmark_band", y.BenchmarkBand, "adequate")
		// The file has no hydromorphone or methadone: flagged, not zeros.
		checkFlags(t, y, []string{"drug_not_reported:hydromorphone", "drug_not_reported:methadone"}, nil)
		if y.SDDD3YrAvg == nil {
			t.Errorf("sddd_3yr_avg null for 2013 with 2011–12 present; flags %v", y.Flags)
		}
	})

	t.Run("NGA 2013", func(t *testing.T) {
		y := yearOf(t, gaps["NGA"], 2013)
		// README: Nigeria morphine 2013 = 5 kg.
		checkF(t, "morphine kg", drug(t, y, "morphine").Kg, F(5))
		// 5e6 + 0.001583e6 × 83.3 + 0 × 1.33 + 3e6 × 0.125 = 5,506,863.9 mg.
		checkF(t, "me_mg", y.MEMg, F(5_506_863.9))
		checkF(t, "me_mg from raw", y.MEMg, F(meFromRaw("NGA", "2013")))
		// Oxycodone is published as 0: below the publication threshold, not "none".
		checkFlags(t, y, []string{"below_publication_threshold:oxycodone"}, []string{"drug_not_reported:oxycodone"})
		// Need: 70,387 neoplasm deaths × 6,000 + 77,539 HIV/AIDS deaths × 3,375 = 684,016,125 mg.
		need := d.deathsRaw["NGA/2013/neoplasms"]*0.6*100*100 + d.deathsRaw["NGA/2013/hiv-aids"]*0.5*75*90
		checkF(t, "need from raw", y.NeedMEMg, F(need))
		checkF(t, "need_me_mg", y.NeedMEMg, F(684_016_125))
		// 100 × 5,506,863.9 ÷ 684,016,125 = 0.80508% of need met;
		// gap 678,509,261.1 mg = 678.509 kg of morphine; acm 0.0081 → virtually none.
		checkF(t, "need_met_pct", y.NeedMetPct, F(100*5_506_863.9/684_016_125))
		checkF(t, "morphine_kg_to_close_gap", y.MorphineKgToCloseGap, F(678.5092611))
		checkS(t, "acm_band", y.ACMBand, "virtually none")
		checkS(t, "benchmark_band", y.BenchmarkBand, "extremely low")
	})

	t.Run("IND 2013", func(t *testing.T) {
		y := yearOf(t, gaps["IND"], 2013)
		// README: India codeine 2013 = 46,498 kg; 46,498,000,000 mg ÷ 100 mg = 464,980,000 S-DDD.
		checkF(t, "codeine kg", drug(t, y, "codeine").Kg, F(46_498))
		checkF(t, "codeine sddd", drug(t, y, "codeine").SDDD, F(464_980_000))
		checkF(t, "me_mg from raw", y.MEMg, F(meFromRaw("IND", "2013")))
		checkF(t, "per capita", y.MEMgPerCapita, F(meFromRaw("IND", "2013")/d.persons["IND/2013"]))
	})

	t.Run("DEU and GBR", func(t *testing.T) {
		for _, iso3 := range []string{"DEU", "GBR"} {
			for _, year := range []int{2011, 2012, 2013} {
				ys := strconv.Itoa(year)
				y := yearOf(t, gaps[iso3], year)
				checkF(t, iso3+" "+ys+" me_mg", y.MEMg, F(meFromRaw(iso3, ys)))
				checkF(t, iso3+" "+ys+" per capita", y.MEMgPerCapita, F(meFromRaw(iso3, ys)/d.persons[iso3+"/"+ys]))
				// Basket v1 over the file's drugs, written out: (morphine + codeine) ÷ 100,
				// fentanyl ÷ 0.6, oxycodone ÷ 75, pethidine ÷ 400 (kg × 10⁶ mg), hydrocodone left out.
				k := func(drug string) float64 { return d.kg[iso3+"/"+ys+"/"+drug] * 1e6 }
				sddd := (k("morphine")+k("codeine"))/100 + k("fentanyl")/0.6 + k("oxycodone")/75 + k("pethidine")/400
				checkF(t, iso3+" "+ys+" sddd", y.SDDDPerMillionPerDay, F(sddd/365/(d.persons[iso3+"/"+ys]/1e6)))
			}
		}
		if c := gaps["DEU"].Country; c.WHORegion != "EUR" || c.IncomeGroup != "HIC" {
			t.Errorf("DEU country = %+v", c)
		}
	})

	t.Run("USA and CAN 2011–13 cross-check", func(t *testing.T) {
		// REFERENCE §2: the pain basket v1 over USA + CAN, 2011–13, gives about 20,600
		// S-DDD per million per day. That figure was worked out from this same file, so
		// it counts only the basket drugs present here (morphine, codeine, fentanyl,
		// oxycodone, pethidine; hydromorphone, dihydrocodeine and the rest are absent)
		// and is not INCB's published regional figure. It is quoted rounded, so the
		// check is loose: ±5%. Each year is a population-weighted group figure; the
		// three years are then averaged, as INCB's three-year average is.
		both := []CountryGaps{gaps["USA"], gaps["CAN"]}
		var sum float64
		for _, year := range []int{2011, 2012, 2013} {
			g := Aggregate(GroupWorld, "USA+CAN", year, both)
			if g.SDDDPerMillionPerDay == nil {
				t.Fatalf("%d: null group S-DDD", year)
			}
			sum += *g.SDDDPerMillionPerDay
		}
		avg := sum / 3
		if avg < 20_600*0.95 || avg > 20_600*1.05 {
			t.Errorf("USA+CAN 2011–13 S-DDD per million per day = %.0f, want about 20,600 (±5%%)", avg)
		}
		// The same group figure from each country's own figures: Σ S-DDD a day ÷ Σ million people.
		usa, can := yearOf(t, gaps["USA"], 2013), yearOf(t, gaps["CAN"], 2013)
		want := (*usa.SDDDPerMillionPerDay**usa.Population + *can.SDDDPerMillionPerDay**can.Population) /
			(*usa.Population + *can.Population)
		checkF(t, "2013 group", Aggregate(GroupWorld, "USA+CAN", 2013, both).SDDDPerMillionPerDay, F(want))
	})
}

// BenchmarkComputeAll computes every country in the shared data for every
// year it has consumption or population figures, then the 2013 aggregates.
// It reports country-years per operation so that throughput can be
// recorded.
func BenchmarkComputeAll(b *testing.B) {
	d := loadShared(b)
	fs := testFactorSet()
	var inputs []CountryInputs
	for _, iso3 := range d.isos() {
		inputs = append(inputs, d.inputs(iso3))
	}
	b.ReportAllocs()
	var countryYears int
	for b.Loop() {
		countryYears = 0
		all := make([]CountryGaps, 0, len(inputs))
		for _, in := range inputs {
			g := ComputeCountry(in, fs, "", 0, 0)
			countryYears += len(g.Years)
			all = append(all, g)
		}
		AggregateAll(2013, all)
	}
	b.ReportMetric(float64(countryYears), "country-years/op")
}

// sharedAll computes every country of the shared data (those with
// consumption or population figures and a row in countries.csv or the
// consumption file) for from..to.
func sharedAll(d *sharedData, fs FactorSet, from, to int) []CountryGaps {
	seen := map[string]bool{}
	var isos []string
	for iso3 := range d.countries {
		seen[iso3] = true
		isos = append(isos, iso3)
	}
	for iso3 := range d.consumption {
		if !seen[iso3] {
			isos = append(isos, iso3)
		}
	}
	slices.Sort(isos)
	out := make([]CountryGaps, 0, len(isos))
	for _, iso3 := range isos {
		out = append(out, ComputeCountry(d.inputs(iso3), fs, "", from, to))
	}
	return out
}

// allZero2013 lists the countries whose every drug reads exactly 0 in 2013
// in the consumption file, and whether each had consumption before.
func (d *sharedData) allZero2013() (zero []string, consumedBefore map[string]bool) {
	consumedBefore = map[string]bool{}
	for iso3, cs := range d.consumption {
		n, pos := 0, 0
		for _, c := range cs {
			if c.Year == 2013 {
				n++
				if *c.Grams > 0 {
					pos++
				}
			} else if c.Year < 2013 && *c.Grams > 0 {
				consumedBefore[iso3] = true
			}
		}
		if n > 0 && pos == 0 {
			zero = append(zero, iso3)
		}
	}
	slices.Sort(zero)
	return zero, consumedBefore
}

// The data README's "whole years of zeros": every all-zero country-year of
// 2013 follows years of real consumption and is marked suspected, Kenya
// 2011–13 and Ethiopia included; with them out, the world median mg ME per
// capita of 2013 is no longer pulled towards 0.
func TestSharedDataSuspectedNotReported(t *testing.T) {
	d := loadShared(t)
	fs := testFactorSet()
	zero, before := d.allZero2013()
	if len(zero) != 44 {
		t.Errorf("all-zero country-years in 2013: %d, want 44 (the data README): %v", len(zero), zero)
	}
	for _, iso3 := range zero {
		if !before[iso3] {
			t.Errorf("%s: all zero in 2013 without earlier consumption", iso3)
		}
		y := yearOf(t, ComputeCountry(d.inputs(iso3), fs, "", 2013, 2013), 2013)
		checkFlags(t, y, []string{FlagSuspectedNotReported, FlagNotReported}, nil)
		checkF(t, iso3+" 2013 me_mg_per_capita", y.MEMgPerCapita, nil)
	}
	for _, want := range []string{"KEN", "ETH", "GRC", "LUX", "MAR"} {
		if !slices.Contains(zero, want) {
			t.Errorf("%s not among the all-zero 2013 countries", want)
		}
	}
	ken := ComputeCountry(d.inputs("KEN"), fs, "", 2011, 2013)
	for _, y := range []int{2011, 2012, 2013} {
		checkFlags(t, yearOf(t, ken, y), []string{FlagSuspectedNotReported}, nil)
	}

	// The world median of 2013 over countries with data. Computed independently
	// from the file: each country-year with consumption, a population and at
	// least one drug above 0, me_mg as in meFromRaw ÷ persons.
	var pcs []float64
	for iso3 := range d.consumption {
		k := func(drug string) float64 { return d.kg[iso3+"/2013/"+drug] * 1e6 }
		persons, ok := d.persons[iso3+"/2013"]
		if !ok || slices.Contains(zero, iso3) {
			continue
		}
		if _, has := d.kg[iso3+"/2013/morphine"]; !has {
			continue
		}
		pcs = append(pcs, (k("morphine")+k("fentanyl")*83.3+k("oxycodone")*1.33+k("pethidine")*0.125)/persons)
	}
	world := Aggregate(GroupWorld, WorldCode, 2013, sharedAll(d, fs, 2011, 2013))
	checkF(t, "world median 2013", world.MedianMEMgPerCapita, median(pcs))
	// The figure: 4.39 mg ME per capita (1.11 with the zeros counted).
	if m := world.MedianMEMgPerCapita; m == nil || math.Round(*m*100) != 439 {
		t.Errorf("world median 2013 = %v, want 4.39 to two decimals", m)
	}
	t.Logf("world 2013: median mg ME per capita %.4f over %d countries with data (%d without)",
		*world.MedianMEMgPerCapita, world.CountriesWithData, world.CountriesWithoutData)

	fs.Rules.SuspectedNotReportedOff = true
	off := Aggregate(GroupWorld, WorldCode, 2013, sharedAll(d, fs, 2011, 2013))
	t.Logf("world 2013 with the rule off: median %.4f over %d countries", *off.MedianMEMgPerCapita, off.CountriesWithData)
	if math.Round(*off.MedianMEMgPerCapita*100) != 111 {
		t.Errorf("median with the rule off %v, on %v: the zeros should pull it down", *off.MedianMEMgPerCapita, *world.MedianMEMgPerCapita)
	}
}

// On the shared data for 2013, the world and every WHO region and income
// group: band populations sum to population_with_data, and with and
// without data sum to population.
func TestSharedDataGroupPopulations(t *testing.T) {
	d := loadShared(t)
	fs := testFactorSet()
	fs.Need = append([]FactorTable{{Name: ModelBenchmark, Version: 1, Kind: KindNeedModel,
		Rows: []FactorRow{{Key: NeedPerInhabitant, Value: 256}}}}, fs.Need...)
	gs := AggregateAll(2013, sharedAll(d, fs, 2011, 2013))
	for _, g := range gs {
		checkBandSums(t, g)
		if g.Population <= 0 || g.PopulationWithData <= 0 {
			t.Errorf("%s %s: population %v, with data %v", g.Kind, g.Code, g.Population, g.PopulationWithData)
		}
		if g.NeedMetPct != nil && *g.NeedMetPct > 100 {
			t.Errorf("%s %s: need_met_pct %v over 100", g.Kind, g.Code, *g.NeedMetPct)
		}
		t.Logf("%-6s %-4s countries %3d (%3d with data)  population %.3f bn, with data %.3f bn  need met %s (benchmark), range %v",
			g.Kind, g.Code, g.Countries, g.CountriesWithData, g.Population/1e9, g.PopulationWithData/1e9, pct(g.NeedMetPct), g.NeedMetPctRange)
	}
}

func pct(p *float64) string {
	if p == nil {
		return "null"
	}
	return strconv.FormatFloat(*p, 'f', 2, 64) + "%"
}
