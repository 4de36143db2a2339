package access

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestResolveMedicine(t *testing.T) {
	cases := []struct {
		in, want, method string
	}{
		{"morphine-tab-ir-10mg", "morphine-tab-ir-10mg", "code"},
		{"Morphine tablet 10 mg (immediate-release)", "morphine-tab-ir-10mg", "name"},
		{"Morphine 10mg tab", "morphine-tab-ir-10mg", "parsed"},
		{"MORPHINE SULPHATE 10 MG TABLETS", "morphine-tab-ir-10mg", "parsed"},
		{"Morphine SR 30mg tablet", "morphine-tab-pr-30mg", "parsed"},
		{"Morphine 10mg modified release tab", "morphine-tab-pr-10mg", "parsed"},
		{"Morphine sulfate oral solution 10mg/5ml", "morphine-oral-liquid-10mg-5ml", "parsed"},
		{"morphine 2 mg/ml oral liquid", "morphine-oral-liquid-10mg-5ml", "parsed"}, // 10 mg / 5 ml = 2 mg/ml
		{"Morphine inj 10mg/ml", "morphine-inj-10mg-ml", "code"},                    // normalises to the code
		{"Morphine injection 10 mg in 1ml", "morphine-inj-10mg-ml", "parsed"},
		{"Fentanyl 25mcg/hr patch", "fentanyl-patch-25mcg-h", "parsed"},
		{"fentanyl transdermal 12 micrograms/hour", "fentanyl-patch-12mcg-h", "parsed"},
		{"Codeine phosphate 30 mg tab", "codeine-tab-30mg", "parsed"},
		{"Methadone 5mg/5ml oral liquid", "methadone-oral-liquid-5mg-5ml", "parsed"},
		{"Oxycodone 5 mg tablet", "oxycodone-tab-ir-5mg", "parsed"},
	}
	for _, c := range cases {
		m, method, ok := MedicinesV1.ResolveMedicine(c.in)
		if !ok || m.Code != c.want || method != c.method {
			t.Errorf("ResolveMedicine(%q) = %q, %q, %v; want %q by %s", c.in, m.Code, method, ok, c.want, c.method)
		}
	}
	for _, bad := range []string{"", "Paracetamol 500mg tab", "Morphine 30mg tab" /* only prolonged-release at 30 mg */, "Morphine tablet", "Morfine 10 mg tab"} {
		if m, _, ok := MedicinesV1.ResolveMedicine(bad); ok {
			t.Errorf("ResolveMedicine(%q) = %q; want unknown", bad, m.Code)
		}
	}
}

func TestSuggestMedicines(t *testing.T) {
	got := MedicinesV1.SuggestMedicines("Morphine 5mg tab", 3)
	if len(got) == 0 || !strings.Contains(got[0], "morphine") {
		t.Fatalf("suggestions for an unknown morphine strength = %v; want morphine first", got)
	}
	got = MedicinesV1.SuggestMedicines("Morfine 10 mg tablet", 1)
	if len(got) != 1 || got[0] != "morphine tablet 10 mg (immediate-release) (morphine-tab-ir-10mg)" {
		t.Fatalf("suggestion for a misspelt morphine tablet = %v", got)
	}
}

func TestDaysWages(t *testing.T) {
	ir, _ := MedicinesV1.Medicine("morphine-tab-ir-10mg")
	liquid, _ := MedicinesV1.Medicine("morphine-oral-liquid-10mg-5ml")
	inj, _ := MedicinesV1.Medicine("morphine-inj-10mg-ml")
	cases := []struct {
		name  string
		m     Medicine
		price *float64
		wage  *float64
		want  *float64
	}{
		// 60 mg a day ÷ 10 mg per tablet = 6 tablets; × 30 days = 180
		// tablets; × 0.50 = 90.00; ÷ a daily wage of 5.00 = 18 days' wages.
		{"IR tablet", ir, F(0.5), F(5), F(18)},
		// 60 mg a day ÷ 2 mg per ml = 30 ml; × 30 days = 900 ml; × 0.10 =
		// 90.00; ÷ 4.50 = 20 days' wages.
		{"oral liquid", liquid, F(0.1), F(4.5), F(20)},
		{"injection is not oral morphine", inj, F(1), F(5), nil},
		{"no wage", ir, F(0.5), nil, nil},
		{"zero wage", ir, F(0.5), F(0), nil},
		{"no price", ir, nil, F(5), nil},
	}
	for _, c := range cases {
		got := AffordabilityV1.DaysWages(c.m, AvailabilitySurvey{MedianUnitPrice: c.price, DailyWage: c.wage})
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: DaysWages = %v; want %v", c.name, deref(got), deref(c.want))
		}
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func ip(v int) *int { return &v }

func TestComputeAvailability(t *testing.T) {
	old := AvailabilitySurvey{ISO3: "KEN", Year: 2009, Medicine: "morphine-tab-ir-10mg", Drug: "morphine", Sector: SectorPublic, AvailabilityPct: F(10)}
	pub := AvailabilitySurvey{ISO3: "KEN", Year: 2016, Medicine: "morphine-tab-ir-10mg", Drug: "morphine", Sector: SectorPublic,
		AvailabilityPct: F(20), FacilitiesSurveyed: ip(30), MedianPriceRatio: F(1.8), PriceReference: "MSH", PriceReferenceYear: 2015,
		MedianUnitPrice: F(0.5), DailyWage: F(5), Survey: "Kenya WHO/HAI 2016", Lineage: Lineage{UploadID: 4, Sheet: "Survey", Row: 7}}
	priv := AvailabilitySurvey{ISO3: "KEN", Year: 2016, Medicine: "morphine-tab-ir-10mg", Drug: "morphine", Sector: SectorPrivate,
		AvailabilityPct: F(5), FacilitiesSurveyed: ip(30), Lineage: Lineage{UploadID: 4, Sheet: "Survey", Row: 7}}
	ccs := []CCSRecord{{ISO3: "KEN", Year: 2015, Answer: CCSNo}, {ISO3: "KEN", Year: 2019, Answer: CCSYes}}

	// 2022 − 2016 = 6 years: older than five; the 2019 answer is 3 years old.
	got := ComputeAvailability([]AvailabilitySurvey{priv, old, pub}, ccs, 2022)
	if len(got.Availability) != 2 || got.Availability[0].Sector != SectorPublic || got.Availability[1].Sector != SectorPrivate {
		t.Fatalf("availability = %+v; want the 2016 public then private rows", got.Availability)
	}
	a := got.Availability[0]
	if *a.FacilityAvailabilityPct != 20 || *a.FacilitiesSurveyed != 30 || *a.MedianPriceRatio != 1.8 || *a.PriceReference != "MSH, 2015" ||
		a.SurveyYear != 2016 || a.Source != "Kenya WHO/HAI 2016" || a.Drug != "morphine" || *a.AffordabilityDaysWages != 18 {
		t.Errorf("public row = %+v", a)
	}
	if got.Availability[1].Source != "upload 4" || got.Availability[1].AffordabilityDaysWages != nil || got.Availability[1].PriceReference != nil {
		t.Errorf("private row = %+v", got.Availability[1])
	}
	if *got.CCSOralMorphineAvailable != CCSYes || *got.CCSSurveyYear != 2019 {
		t.Errorf("ccs = %v %v; want yes 2019", *got.CCSOralMorphineAvailable, *got.CCSSurveyYear)
	}
	if !reflect.DeepEqual(got.AvailabilityFlags, []string{FlagSurveyOlderThan5Years}) || got.AffordabilityFormula == "" {
		t.Errorf("flags = %v, formula %q", got.AvailabilityFlags, got.AffordabilityFormula)
	}
	// 2021 − 2016 = 5: not more than five years.
	if got := ComputeAvailability([]AvailabilitySurvey{pub}, ccs, 2021); len(got.AvailabilityFlags) != 0 {
		t.Errorf("a five-year-old survey is flagged: %v", got.AvailabilityFlags)
	}
	// 2025 − 2019 = 6: the answer too is old.
	if got := ComputeAvailability([]AvailabilitySurvey{pub}, ccs, 2025); !reflect.DeepEqual(got.AvailabilityFlags, []string{FlagSurveyOlderThan5Years, FlagCCSOlderThan5Years}) {
		t.Errorf("flags in 2025 = %v", got.AvailabilityFlags)
	}

	none := ComputeAvailability(nil, nil, 2022)
	b, err := json.Marshal(none)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"availability":null,"ccs_oral_morphine_available":null,"ccs_survey_year":null,"availability_flags":["no_availability_survey","no_ccs_answer"]}`
	if string(b) != want {
		t.Errorf("no survey:\n got %s\nwant %s", b, want)
	}
}

func TestCountCCS(t *testing.T) {
	yg := func(y int, pop float64) []YearGaps { return []YearGaps{{Year: y, Population: F(pop)}} }
	countries := []CountryGaps{
		{Country: CountryRef{ISO3: "KEN", WHORegion: "AFR"}, Years: yg(2020, 50e6)},
		{Country: CountryRef{ISO3: "UGA", WHORegion: "AFR"}, Years: yg(2020, 45e6)},
		{Country: CountryRef{ISO3: "TZA", WHORegion: "AFR"}, Years: yg(2020, 60e6)},
		{Country: CountryRef{ISO3: "NGA", WHORegion: "AFR"}, Years: yg(2020, 200e6)},
		{Country: CountryRef{ISO3: "RWA", WHORegion: "AFR"}},
		{Country: CountryRef{ISO3: "FRA", WHORegion: "EUR"}, Years: yg(2020, 65e6)},
	}
	ccs := map[string][]CCSRecord{
		"KEN": {{ISO3: "KEN", Year: 2019, Answer: CCSYes}},
		"UGA": {{ISO3: "UGA", Year: 2017, Answer: CCSYes}, {ISO3: "UGA", Year: 2021, Answer: CCSNo}}, // 2021 is after the year
		"TZA": {{ISO3: "TZA", Year: 2019, Answer: CCSDontKnow}},
		"RWA": {{ISO3: "RWA", Year: 2019, Answer: CCSNo}},
		"FRA": {{ISO3: "FRA", Year: 2019, Answer: CCSYes}},
	}
	got := CountCCS(GroupRegion, "AFR", 2020, countries, ccs)
	// yes: KEN 50 M + UGA 45 M (its 2017 answer) = 95 M; no: RWA, without
	// a population; don't know: TZA 60 M; no answer: NGA 200 M. FRA is not
	// in AFR.
	want := &CCSGroupCounts{Yes: CCSCount{2, F(95e6)}, No: CCSCount{1, nil}, DontKnow: CCSCount{1, F(60e6)}, NoAnswer: CCSCount{1, F(200e6)}}
	if !reflect.DeepEqual(got, want) {
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(want)
		t.Errorf("CountCCS = %s; want %s", gb, wb)
	}
}

func TestParseSectorAndAnswer(t *testing.T) {
	for in, want := range map[string]Sector{"Public sector": SectorPublic, "Private retail pharmacies": SectorPrivate,
		"Other sector (NGO/mission)": SectorOther, "Government": SectorPublic} {
		if got, ok := ParseSector(in); !ok || got != want {
			t.Errorf("ParseSector(%q) = %q", in, got)
		}
	}
	if _, ok := ParseSector("hospital"); ok {
		t.Error("ParseSector(hospital) should fail")
	}
	for in, want := range map[string]CCSAnswer{"Yes": CCSYes, "no": CCSNo, "Don't know": CCSDontKnow, "DK": CCSDontKnow} {
		if got, ok := ParseCCSAnswer(in); !ok || got != want {
			t.Errorf("ParseCCSAnswer(%q) = %q", in, got)
		}
	}
	if _, ok := ParseCCSAnswer("maybe"); ok {
		t.Error("ParseCCSAnswer(maybe) should fail")
	}
}
