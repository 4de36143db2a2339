package reports

import (
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/reliefgap/reliefgap/internal/access"
)

// SheetAvailability is the sheet of WHO/HAI facility surveys and the
// country-capacity answer.
const SheetAvailability = "Availability"

// availabilityColumns are the columns of the Availability sheet's table.
var availabilityColumns = []struct {
	key, unit string
	value     func(a access.AvailabilityFigure) any
}{
	{"medicine", "vocabulary code", func(a access.AvailabilityFigure) any { return a.Medicine }},
	{"medicine_name", "WHO Model List", func(a access.AvailabilityFigure) any { return a.MedicineName }},
	{"drug", "", func(a access.AvailabilityFigure) any { return a.Drug }},
	{"sector", "", func(a access.AvailabilityFigure) any { return string(a.Sector) }},
	{"survey_year", "", func(a access.AvailabilityFigure) any { return a.SurveyYear }},
	{"facility_availability_pct", "% of facilities", func(a access.AvailabilityFigure) any { return a.FacilityAvailabilityPct }},
	{"facilities_surveyed", "facilities", func(a access.AvailabilityFigure) any {
		if a.FacilitiesSurveyed == nil {
			return (*float64)(nil)
		}
		return *a.FacilitiesSurveyed
	}},
	{"median_price_ratio", "local ÷ reference price", func(a access.AvailabilityFigure) any { return a.MedianPriceRatio }},
	{"price_reference", "name, year", func(a access.AvailabilityFigure) any { return a.PriceReference }},
	{"median_unit_price", "local currency", func(a access.AvailabilityFigure) any { return a.MedianUnitPrice }},
	{"currency", "", func(a access.AvailabilityFigure) any { return a.Currency }},
	{"lowest_paid_daily_wage", "local currency", func(a access.AvailabilityFigure) any { return a.DailyWage }},
	{"affordability_days_wages", "days' wages a month", func(a access.AvailabilityFigure) any { return a.AffordabilityDaysWages }},
	{"source", "", func(a access.AvailabilityFigure) any { return a.Source }},
	{"upload_id", "", func(a access.AvailabilityFigure) any { return a.Lineage.UploadID }},
	{"sheet", "", func(a access.AvailabilityFigure) any { return a.Lineage.Sheet }},
	{"row", "", func(a access.AvailabilityFigure) any { return a.Lineage.Row }},
}

// AddAvailabilitySheet adds the Availability sheet to a workbook: the
// country-capacity answer and its survey year, the flags and the
// affordability formula, then one row per medicine and sector of the
// latest survey (or of every survey, when surveys is given). Text is
// written as text, never as a formula.
func AddAvailabilitySheet(f *excelize.File, a access.AvailabilityFields, surveys []access.AvailabilityFigure) error {
	s, err := newSheet(f, SheetAvailability, false)
	if err != nil {
		return err
	}
	ccs, year := "", any("")
	if a.CCSOralMorphineAvailable != nil {
		ccs = string(*a.CCSOralMorphineAvailable)
	}
	if a.CCSSurveyYear != nil {
		year = *a.CCSSurveyYear
	}
	s.row("ccs_oral_morphine_available", ccs, "ccs_survey_year", year)
	s.row("availability_flags", strings.Join(a.AvailabilityFlags, FlagSeparator))
	s.row("affordability_formula", a.AffordabilityFormula)
	s.row()
	head, units := make([]any, len(availabilityColumns)), make([]any, len(availabilityColumns))
	for i, c := range availabilityColumns {
		head[i], units[i] = c.key, c.unit
	}
	s.row(head...)
	s.row(units...)
	rows := a.Availability
	if surveys != nil {
		rows = surveys
	}
	for _, fig := range rows {
		vals := make([]any, len(availabilityColumns))
		for i, c := range availabilityColumns {
			vals[i] = c.value(fig)
		}
		s.row(vals...)
	}
	// The flags explained from the glossary, below the table.
	if len(a.AvailabilityFlags) > 0 {
		s.row()
		s.row("flag", "severity", "meaning")
		for _, fl := range a.AvailabilityFlags {
			e, _ := access.ExplainFlag(fl)
			s.row(fl, string(e.Severity), e.Meaning)
		}
	}
	return s.err
}

// AvailabilityXLSX renders a country's availability surveys as a workbook
// of one sheet, Availability, with every survey row.
func AvailabilityXLSX(a access.CountryAvailability) (_ []byte, err error) {
	defer wrap(&err, "reports.AvailabilityXLSX(%q)", a.ISO3)
	f := excelize.NewFile()
	defer f.Close()
	first := f.GetSheetName(0)
	if err := AddAvailabilitySheet(f, a.AvailabilityFields, a.Surveys); err != nil {
		return nil, err
	}
	if err := f.DeleteSheet(first); err != nil {
		return nil, err
	}
	return bytesOf(f)
}

// addCountryAvailability adds the Availability sheet to a country's report
// when its figures carry availability (the gap service always sets the
// flags; a hand-built CountryGaps without them gets no sheet).
func addCountryAvailability(f *excelize.File, g access.CountryGaps) error {
	if g.Availability == nil && g.AvailabilityFlags == nil {
		return nil
	}
	return AddAvailabilitySheet(f, g.AvailabilityFields, nil)
}
