package access

import (
	"slices"
	"testing"
)

func TestIncomeGroupAt(t *testing.T) {
	hist := []IncomeYear{
		{Year: 2005, Group: "LIC", Vintage: "FY2007"},
		{Year: 2013, Group: "LMC", Vintage: "FY2015"},
		{Year: 2024, Group: "LMC", Vintage: "FY2026"},
		{Year: 2020, Group: "", Vintage: "FY2022"}, // not classified that year
	}
	for _, c := range []struct {
		year                 int
		group, vintage, flag string
	}{
		{2005, "LIC", "FY2007", ""},
		{2013, "LMC", "FY2015", ""},
		{2020, "", "FY2022", ""},
		{2026, "LMC", "FY2026", FlagIncomeGroupCarried}, // after the latest: carried, flagged
		{2010, "", "", ""},                              // no row: not classified
	} {
		g, v, f := IncomeGroupAt("HIC", hist, c.year)
		if g != c.group || v != c.vintage || f != c.flag {
			t.Errorf("%d: %q %q %q, want %q %q %q", c.year, g, v, f, c.group, c.vintage, c.flag)
		}
	}
	if g, _, f := IncomeGroupAt("HIC", nil, 2005); g != "HIC" || f != FlagIncomeGroupCurrent {
		t.Errorf("no history: %q %q, want today's HIC, flagged", g, f)
	}
}

// TestIncomeGroupOfTheDataYear: India is lower-middle income today but
// was low income in 2005 (FY2007, from 2005 data); its 2005 figures count
// in the low-income group, its 2013 figures in the lower-middle.
func TestIncomeGroupOfTheDataYear(t *testing.T) {
	ind := CountryInputs{
		Country:     Country{ISO3: "IND", WHORegion: "SEAR", IncomeGroup: "LMC"},
		Population:  []Population{{ISO3: "IND", Year: 2005, Persons: 1_000_000}, {ISO3: "IND", Year: 2013, Persons: 2_000_000}},
		Consumption: []Consumption{{ISO3: "IND", Year: 2005, Drug: "morphine", Grams: F(10)}, {ISO3: "IND", Year: 2013, Drug: "morphine", Grams: F(40)}},
		Income: []IncomeYear{
			{ISO3: "IND", Year: 2005, Group: "LIC", Vintage: "FY2007"},
			{ISO3: "IND", Year: 2013, Group: "LMC", Vintage: "FY2015"},
		},
	}
	g := ComputeCountry(ind, testFactorSet(), "", 2005, 2014)
	checkS(t, "IND 2005", rowOf(t, g, 2005).IncomeGroup, "LIC")
	checkS(t, "IND 2013", rowOf(t, g, 2013).IncomeGroup, "LMC")
	// 2014 is after the latest classification: 2013's, flagged.
	y := rowOf(t, g, 2014)
	checkS(t, "IND 2014", y.IncomeGroup, "LMC")
	if !slices.Contains(y.Flags, FlagIncomeGroupCarried) {
		t.Errorf("IND 2014 flags %v", y.Flags)
	}
	if y := rowOf(t, g, 2009); y.IncomeGroup != nil {
		t.Errorf("IND 2009 income group = %q, want null (no classification loaded)", *y.IncomeGroup)
	}
	// The low-income group of 2005 holds India: 10 g × 1,000 = 10,000 mg ME
	// over 1,000,000 people = 0.01 mg per capita; in 2013 it holds no one.
	lic := Aggregate(GroupIncome, "LIC", 2005, []CountryGaps{g})
	if lic.Countries != 1 {
		t.Fatalf("LIC 2005 members = %d, want 1", lic.Countries)
	}
	checkF(t, "LIC 2005 per capita", lic.MEMgPerCapita, F(0.01))
	if n := Aggregate(GroupIncome, "LIC", 2013, []CountryGaps{g}).Countries; n != 0 {
		t.Errorf("LIC 2013 members = %d, want 0", n)
	}
	// 40 g × 1,000 ÷ 2,000,000 = 0.02 mg per capita in LMC 2013.
	checkF(t, "LMC 2013 per capita", Aggregate(GroupIncome, "LMC", 2013, []CountryGaps{g}).MEMgPerCapita, F(0.02))
}

func TestIncomeGroupOfYear(t *testing.T) {
	lic, none := "LIC", (*string)(nil)
	c := CountryGaps{Country: CountryRef{ISO3: "IND", IncomeGroup: "LMC"},
		Years: []YearGaps{{Year: 2005, IncomeGroup: &lic}, {Year: 2009, IncomeGroup: none}}}
	for year, want := range map[int]string{2005: "LIC", 2009: "", 2013: "LMC"} {
		if got := incomeGroupOfYear(c, year); got != want {
			t.Errorf("%d: %q, want %q", year, got, want)
		}
	}
}
