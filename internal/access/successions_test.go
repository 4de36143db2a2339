package access

import (
	"reflect"
	"slices"
	"testing"
)

// yugoslavia is the SFRY's succession as migration 0007 seeds it.
var yugoslavia = []Succession{
	{Predecessor: "YUG", Successor: "BIH", Kind: SuccessionDissolution, Year: 1992},
	{Predecessor: "YUG", Successor: "HRV", Kind: SuccessionDissolution, Year: 1992},
	{Predecessor: "YUG", Successor: "MKD", Kind: SuccessionDissolution, Year: 1992},
	{Predecessor: "YUG", Successor: "SVN", Kind: SuccessionDissolution, Year: 1992},
	{Predecessor: "YUG", Successor: "SCG", Kind: SuccessionDissolution, Year: 1992},
	{Predecessor: "SCG", Successor: "SRB", Kind: SuccessionDissolution, Year: 2006},
	{Predecessor: "SCG", Successor: "MNE", Kind: SuccessionDissolution, Year: 2006},
}

func inputsOf(cs ...Country) map[string]*CountryInputs {
	in := map[string]*CountryInputs{}
	for _, c := range cs {
		in[c.ISO3] = &CountryInputs{Country: c}
	}
	return in
}

func (ci *CountryInputs) withPop(year int, persons float64) *CountryInputs {
	ci.Population = append(ci.Population, Population{ISO3: ci.Country.ISO3, Year: year, Persons: persons})
	return ci
}

func (ci *CountryInputs) withCons(year int, drug string, grams float64) *CountryInputs {
	ci.Consumption = append(ci.Consumption, Consumption{ISO3: ci.Country.ISO3, Year: year, Drug: drug, Grams: F(grams)})
	return ci
}

func rowOf(t *testing.T, g CountryGaps, y int) YearGaps {
	t.Helper()
	for _, yg := range g.Years {
		if yg.Year == y {
			return yg
		}
	}
	t.Fatalf("%s has no row for %d", g.Country.ISO3, y)
	return YearGaps{}
}

func yugoslavInputs() map[string]*CountryInputs {
	in := inputsOf(Country{ISO3: "YUG"}, Country{ISO3: "SCG"},
		Country{ISO3: "SRB", WHORegion: "EUR"}, Country{ISO3: "MNE", WHORegion: "EUR"},
		Country{ISO3: "HRV", WHORegion: "EUR"}, Country{ISO3: "SVN", WHORegion: "EUR"},
		Country{ISO3: "MKD", WHORegion: "EUR"}, Country{ISO3: "BIH", WHORegion: "EUR"})
	// 1990: 23.4 million people in the SFRY's territory.
	in["SRB"].withPop(1990, 9_500_000).withPop(1995, 9_800_000).withPop(2006, 7_400_000)
	in["MNE"].withPop(1990, 620_000).withPop(1995, 610_000).withPop(2006, 615_000)
	in["HRV"].withPop(1990, 4_780_000)
	in["SVN"].withPop(1990, 2_000_000)
	in["MKD"].withPop(1990, 2_000_000)
	in["BIH"].withPop(1990, 4_500_000)
	// The processed INCB file files Yugoslavia (to 1991) and Serbia and
	// Montenegro (1992–2005) under Montenegro, and zeros under the others.
	in["MNE"].withCons(1990, "morphine", 2_726_000).withCons(1995, "morphine", 18_000).withCons(2006, "morphine", 100)
	in["HRV"].withCons(1990, "morphine", 0)
	in["SRB"].withCons(1995, "morphine", 0).withCons(2006, "morphine", 5_000)
	return in
}

func TestPredecessorStateYear(t *testing.T) {
	in := PrepareBorders(yugoslavInputs(), yugoslavia)
	fs := testFactorSet()
	yug := rowOf(t, ComputeCountry(*in["YUG"], fs, "", 1990, 1990), 1990)
	// Population: 9,500,000 + 620,000 + 4,780,000 + 2,000,000 + 2,000,000 +
	// 4,500,000 = 23,400,000 (Serbia and Montenegro's through SCG).
	checkF(t, "YUG 1990 population", yug.Population, F(23_400_000))
	// 2,726,000 g × 1,000 mg/g × 1.0 = 2.726e9 mg ME; ÷ 23.4 M = 116.4957 mg per capita.
	checkF(t, "YUG 1990 me_mg", yug.MEMg, F(2.726e9))
	checkF(t, "YUG 1990 per capita", yug.MEMgPerCapita, F(116.4957264957265))
	// 2.726e9 mg ÷ 100 mg per S-DDD ÷ 365 days ÷ 23.4 million = 3,191.66 S-DDD.
	checkF(t, "YUG 1990 S-DDD", yug.SDDDPerMillionPerDay, F(3191.6637396089454))
	checkFlags(t, yug, []string{FlagFiledUnderSuccessor + "MNE", FlagPopulationOfSuccessors}, []string{FlagStateNotExisting, FlagPopulationPartial})
	if r := in["YUG"].Country.WHORegion; r != "EUR" {
		t.Errorf("YUG region = %q, want its successors' EUR", r)
	}

	// 1992: Yugoslavia no longer existed, even with no row filed for it.
	y92 := rowOf(t, ComputeCountry(*in["YUG"], fs, "", 1992, 1992), 1992)
	if y92.Population != nil || y92.MEMg != nil || !slices.Contains(y92.Flags, FlagStateNotExisting) {
		t.Errorf("YUG 1992 = %+v, want null, state_not_existing", y92)
	}

	// Serbia and Montenegro 1995: 18,000 g ÷ (9,800,000 + 610,000) persons
	// = 18e9 mg ÷ 10.41e6 = 1.72911 mg per capita.
	scg := rowOf(t, ComputeCountry(*in["SCG"], fs, "", 1995, 1995), 1995)
	checkF(t, "SCG 1995 per capita", scg.MEMgPerCapita, F(1.7291066282420748))
}

func TestSuccessorBeforeItExisted(t *testing.T) {
	in := PrepareBorders(yugoslavInputs(), yugoslavia)
	fs := testFactorSet()
	// Montenegro 1990 was 121,204 S-DDD per million per day (Yugoslavia's
	// consumption over 0.62 M people); now it is null, with a note.
	mne := ComputeCountry(*in["MNE"], fs, "", 1990, 2006)
	y := rowOf(t, mne, 1990)
	if y.Population != nil || y.MEMg != nil || y.SDDDPerMillionPerDay != nil || y.MEMgPerCapita != nil || y.Adequacy != nil {
		t.Errorf("MNE 1990 = %+v, want null figures", y)
	}
	if want := []string{FlagReportedUnderPredecessor + "YUG", FlagStateNotExisting}; !reflect.DeepEqual(withoutIncome(y.Flags), want) {
		t.Errorf("MNE 1990 flags = %v, want %v", y.Flags, want)
	}
	y = rowOf(t, mne, 1995)
	checkFlags(t, y, []string{FlagReportedUnderPredecessor + "SCG", FlagStateNotExisting}, nil)
	// 2006: Montenegro's own 100 g ÷ 615,000 = 0.162602 mg per capita.
	y = rowOf(t, mne, 2006)
	checkF(t, "MNE 2006 per capita", y.MEMgPerCapita, F(100_000.0/615_000))
	checkFlags(t, y, []string{FlagBorderChange}, []string{FlagStateNotExisting})

	// Croatia's 0 for 1990 is not a zero: Croatia did not report as itself.
	hrv := rowOf(t, ComputeCountry(*in["HRV"], fs, "", 1990, 1990), 1990)
	if hrv.MEMg != nil || hrv.Population != nil {
		t.Errorf("HRV 1990 = %+v, want null figures", hrv)
	}
	checkFlags(t, hrv, []string{FlagStateNotExisting, FlagReportedUnderPredecessor + "YUG"}, nil)

	// In the world for 1990, the SFRY counts once, with 23.4 M people.
	var all []CountryGaps
	for _, k := range sortedKeysOf(in) {
		all = append(all, ComputeCountry(*in[k], fs, "", 1990, 1990))
	}
	w := Aggregate(GroupWorld, WorldCode, 1990, all)
	if w.Countries != 1 {
		t.Errorf("world 1990 members = %d, want 1 (YUG)", w.Countries)
	}
	checkF(t, "world 1990 population", F(w.Population), F(23_400_000))
}

func withoutIncome(fs []string) []string {
	return slices.DeleteFunc(slices.Clone(fs), func(f string) bool { return f == FlagIncomeGroupCurrent })
}

func TestSeparationKeepsCode(t *testing.T) {
	ss := []Succession{{Predecessor: "ETH", Successor: "ERI", Kind: SuccessionSeparation, Year: 1993}}
	in := inputsOf(Country{ISO3: "ETH", WHORegion: "AFR"}, Country{ISO3: "ERI", WHORegion: "AFR"})
	in["ETH"].withPop(1990, 48_000_000).withPop(1993, 54_000_000).withCons(1990, "morphine", 5_000).withCons(1993, "morphine", 115_000)
	in["ERI"].withPop(1990, 2_000_000).withPop(1993, 2_100_000).withCons(1990, "morphine", 0).withCons(1993, "morphine", 0)
	in["ETH"].Deaths = []Deaths{{ISO3: "ETH", Year: 1990, Cause: CauseNeoplasms, Deaths: 1000}, {ISO3: "ETH", Year: 1990, Cause: CauseHIV, Deaths: 100}}
	in["ERI"].Deaths = []Deaths{{ISO3: "ERI", Year: 1990, Cause: CauseNeoplasms, Deaths: 50}, {ISO3: "ERI", Year: 1990, Cause: CauseHIV, Deaths: 10}}
	PrepareBorders(in, ss)
	fs := testFactorSet()
	eth := ComputeCountry(*in["ETH"], fs, "", 1990, 1993)
	y := rowOf(t, eth, 1990)
	// Before 1993 Ethiopia's territory held Eritrea's people: 48 M + 2 M.
	checkF(t, "ETH 1990 population", y.Population, F(50_000_000))
	// Its own 5,000 g stands: 5e6 mg ÷ 50e6 = 0.1 mg per capita.
	checkF(t, "ETH 1990 per capita", y.MEMgPerCapita, F(0.1))
	// Need over the same territory: (1,000 + 50) × 6,000 + (100 + 10) × 3,375 = 6,671,250 mg.
	checkF(t, "ETH 1990 need", y.NeedMEMg, F(6_671_250))
	// 1993: its own population only.
	checkF(t, "ETH 1993 population", rowOf(t, eth, 1993).Population, F(54_000_000))
	checkFlags(t, rowOf(t, eth, 1993), []string{FlagBorderChange}, []string{FlagPopulationOfSuccessors})

	eri := ComputeCountry(*in["ERI"], fs, "", 1990, 1993)
	y = rowOf(t, eri, 1990)
	if y.MEMg != nil || y.Population != nil {
		t.Errorf("ERI 1990 = %+v, want null (not reported), not zeros", y)
	}
	checkFlags(t, y, []string{FlagStateNotExisting, FlagReportedUnderPredecessor + "ETH"}, nil)
	checkF(t, "ERI 1993 me_mg", rowOf(t, eri, 1993).MEMg, F(0))
}

func TestMerger(t *testing.T) {
	ss := []Succession{{Predecessor: "DDR", Successor: "DEU", Kind: SuccessionMerger, Year: 1990}}
	in := inputsOf(Country{ISO3: "DEU", WHORegion: "EUR"}, Country{ISO3: "DDR"})
	in["DEU"].withPop(1989, 78_700_000).withPop(1990, 79_400_000).withCons(1989, "morphine", 1_000_000).withCons(1990, "morphine", 1_400_000)
	in["DDR"].withCons(1989, "morphine", 500_000)
	PrepareBorders(in, ss)
	fs := testFactorSet()
	deu := ComputeCountry(*in["DEU"], fs, "", 1989, 1990)
	y := rowOf(t, deu, 1989)
	// Both parts filed for 1989: 1,000,000 + 500,000 g = 1.5e9 mg ME, over
	// WPP's population of today's territory: 1.5e9 ÷ 78.7e6 = 19.0597 mg.
	checkF(t, "DEU 1989 me_mg", y.MEMg, F(1.5e9))
	checkF(t, "DEU 1989 per capita", y.MEMgPerCapita, F(1.5e9/78_700_000))
	checkFlags(t, y, []string{FlagMergedTerritory, FlagIncludesMerged + "DDR"}, nil)
	checkFlags(t, rowOf(t, deu, 1990), []string{FlagBorderChange}, []string{FlagMergedTerritory})
	if len(in["DDR"].Consumption) != 0 {
		t.Errorf("DDR keeps %d rows, want them under DEU", len(in["DDR"].Consumption))
	}
	if r := in["DDR"].Country.WHORegion; r != "EUR" {
		t.Errorf("DDR region = %q, want EUR", r)
	}
}

func TestDissolvedWithPartialSuccessors(t *testing.T) {
	ss := []Succession{
		{Predecessor: "ANT", Successor: "CUW", Kind: SuccessionDissolution, Year: 2010},
		{Predecessor: "ANT", Successor: "SXM", Kind: SuccessionDissolution, Year: 2010},
	}
	in := inputsOf(Country{ISO3: "ANT"}, Country{ISO3: "CUW"}, Country{ISO3: "SXM"})
	in["ANT"].withCons(2009, "morphine", 6_000).withCons(2010, "morphine", 0)
	in["CUW"].withPop(2009, 150_000).withPop(2010, 151_000)
	PrepareBorders(in, ss)
	ant := ComputeCountry(*in["ANT"], testFactorSet(), "", 2009, 2010)
	// 2009: Curaçao's 150,000 people (Sint Maarten has no population figure).
	y := rowOf(t, ant, 2009)
	checkF(t, "ANT 2009 population", y.Population, F(150_000))
	checkF(t, "ANT 2009 per capita", y.MEMgPerCapita, F(6e6/150_000))
	checkFlags(t, y, []string{FlagPopulationOfSuccessors, FlagPopulationPartial}, nil)
	// 2010: the Antilles no longer existed; their 0 is not a figure.
	y = rowOf(t, ant, 2010)
	if y.MEMg != nil || y.Population != nil {
		t.Errorf("ANT 2010 = %+v, want null", y)
	}
	checkFlags(t, y, []string{FlagStateNotExisting}, nil)
	// Without a population the Antilles are no member of the world.
	w := Aggregate(GroupWorld, WorldCode, 2010, []CountryGaps{ant})
	if w.Countries != 0 || w.MEMg != nil {
		t.Errorf("world 2010 = %d members, me %v; want none", w.Countries, w.MEMg)
	}
}

func TestExplainedBySuccession(t *testing.T) {
	for _, c := range []struct {
		iso3 string
		year int
		want bool
	}{
		{"MNE", 2006, true}, {"SCG", 1992, true}, {"YUG", 1992, true}, {"MNE", 2007, false}, {"FRA", 1992, false},
	} {
		if got := ExplainedBySuccession(yugoslavia, c.iso3, c.year); got != c.want {
			t.Errorf("ExplainedBySuccession(%s, %d) = %v", c.iso3, c.year, got)
		}
	}
	if got := SuccessionFamily(yugoslavia, "MNE"); !reflect.DeepEqual(got, []string{"BIH", "HRV", "MKD", "MNE", "SCG", "SRB", "SVN", "YUG"}) {
		t.Errorf("family = %v", got)
	}
	in := PrepareBorders(yugoslavInputs(), yugoslavia)
	x := &indexed{in: in["MNE"]}
	if !x.explainedBySuccession(2006) || x.explainedBySuccession(2007) {
		t.Errorf("MNE flags: 2006 %v, 2007 %v", in["MNE"].YearFlags[2006], in["MNE"].YearFlags[2007])
	}
}
