package reports

import (
	"reflect"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
)

func TestAvailabilityXLSX(t *testing.T) {
	n := 30
	ref := "MSH, 2015"
	yes, y := access.CCSYes, 2019
	a := access.CountryAvailability{ISO3: "KEN", ReferenceYear: 2023,
		AvailabilityFields: access.AvailabilityFields{CCSOralMorphineAvailable: &yes, CCSSurveyYear: &y,
			AvailabilityFlags: []string{access.FlagSurveyOlderThan5Years}, AffordabilityFormula: access.AffordabilityV1.Formula()},
		Surveys: []access.AvailabilityFigure{
			{Medicine: "morphine-tab-ir-10mg", MedicineName: "morphine tablet 10 mg (immediate-release)", Drug: "morphine",
				Sector: access.SectorPublic, FacilityAvailabilityPct: access.F(20), FacilitiesSurveyed: &n, MedianPriceRatio: access.F(1.8),
				PriceReference: &ref, MedianUnitPrice: access.F(5), Currency: "KES", DailyWage: access.F(250),
				AffordabilityDaysWages: access.F(3.6), SurveyYear: 2016, Source: maliciousName,
				Lineage: access.Lineage{UploadID: 7, Sheet: "Survey", Row: 12}},
			{Medicine: "morphine-tab-ir-10mg", Drug: "morphine", Sector: access.SectorPrivate, SurveyYear: 2016, Source: "upload 7"},
		}}
	b, err := AvailabilityXLSX(a)
	if err != nil {
		t.Fatal(err)
	}
	f, sheets := readBack(t, b)
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{SheetAvailability}) {
		t.Fatalf("sheets = %v", got)
	}
	rows := sheets[SheetAvailability]
	if !reflect.DeepEqual(rows[0], []string{"ccs_oral_morphine_available", "yes", "ccs_survey_year", "2019"}) ||
		!reflect.DeepEqual(rows[1], []string{"availability_flags", "survey_older_than_5_years"}) {
		t.Errorf("head rows = %q", rows[:2])
	}
	// Header, units, two rows, a blank row, then the flag explained.
	if rows[4][0] != "medicine" || rows[4][12] != "affordability_days_wages" || len(rows) != 11 ||
		rows[9][0] != "flag" || rows[10][0] != "survey_older_than_5_years" || rows[10][1] != "caution" || rows[10][2] == "" {
		t.Errorf("table = %q", rows[4:])
	}
	want := []string{"morphine-tab-ir-10mg", "morphine tablet 10 mg (immediate-release)", "morphine", "public", "2016", "20", "30",
		"1.8", "MSH, 2015", "5", "KES", "250", "3.6", maliciousName, "7", "Survey", "12"}
	if !reflect.DeepEqual(rows[6], want) {
		t.Errorf("public row = %q\nwant %q", rows[6], want)
	}
	// Missing figures stay empty cells, never zeros.
	if r := rows[7]; r[5] != "" || r[6] != "" || r[7] != "" || r[12] != "" {
		t.Errorf("private row = %q", r)
	}
	assertText(t, f, SheetAvailability, "N7", maliciousName)
	assertNumber(t, f, SheetAvailability, "M7", "3.6")
	assertNumber(t, f, SheetAvailability, "G7", "30")

	// Without any survey: the flags, and an empty table.
	b, err = AvailabilityXLSX(access.CountryAvailability{ISO3: "NGA", AvailabilityFields: access.ComputeAvailability(nil, nil, 2023)})
	if err != nil {
		t.Fatal(err)
	}
	_, sheets = readBack(t, b)
	if rows := sheets[SheetAvailability]; rows[1][1] != "no_availability_survey; no_ccs_answer" || rows[0][1] != "" {
		t.Errorf("no survey: %q", rows)
	}
}

// The country report gains the sheet when the figures carry availability.
func TestCountryXLSXAvailabilitySheet(t *testing.T) {
	g := testCountry()
	b, err := CountryXLSX(g)
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := readBack(t, b); slicesContains(f.GetSheetList(), SheetAvailability) {
		t.Errorf("a sheet without availability figures: %v", f.GetSheetList())
	}
	g.AvailabilityFields = access.ComputeAvailability([]access.AvailabilitySurvey{{ISO3: "XKX", Year: 2020, Medicine: "morphine-inj-10mg-ml",
		Drug: "morphine", Sector: access.SectorOther, AvailabilityPct: access.F(12.5)}}, nil, 2021)
	if b, err = CountryXLSX(g); err != nil {
		t.Fatal(err)
	}
	f, sheets := readBack(t, b)
	if !slicesContains(f.GetSheetList(), SheetAvailability) {
		t.Fatalf("no %s sheet: %v", SheetAvailability, f.GetSheetList())
	}
	if r := sheets[SheetAvailability][6]; r[0] != "morphine-inj-10mg-ml" || r[3] != "other" || r[5] != "12.5" {
		t.Errorf("row = %q", r)
	}
}

func slicesContains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
