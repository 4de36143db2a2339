package importers

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/reliefgap/reliefgap/internal/access"
)

// availabilityTemplate returns a workbook for a ministry to enter its own
// survey: for KindAvailability, the WHO/HAI summary layout (metadata
// block, medicines of the vocabulary down, per sector % availability,
// median price ratio, facilities surveyed and median unit price); for
// KindCCS, a country-capacity answer per survey year. Filled in, each
// imports with this package.
func availabilityTemplate(kind access.ImportKind) (out []byte, err error) {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true}})
	if err != nil {
		return nil, err
	}
	var help []string
	switch kind {
	case access.KindAvailability:
		help, err = surveySheet(f, bold)
	case access.KindCCS:
		help, err = ccsSheet(f, bold)
	default:
		return nil, access.Errorf(access.Invalid, "", "no availability template for %q", kind)
	}
	if err != nil {
		return nil, err
	}
	const sheet = "Instructions"
	if _, err := f.NewSheet(sheet); err != nil {
		return nil, err
	}
	for i, l := range help {
		if err := f.SetCellStr(sheet, fmt.Sprintf("A%d", i+1), safeText(l)); err != nil {
			return nil, err
		}
	}
	if err := f.SetColWidth(sheet, "A", "A", 120); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func surveySheet(f *excelize.File, bold int) ([]string, error) {
	const sh = "Survey"
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		return nil, err
	}
	meta := []string{"Country:", "Survey year:", "Survey title:", "Reference price:", "Reference price year:", "Currency:",
		"Lowest-paid government worker's daily wage:"}
	set := func(col, row int, v string) error {
		c, _ := excelize.CoordinatesToCellName(col, row)
		return f.SetCellStr(sh, c, safeText(v))
	}
	if err := set(1, 1, "Availability and prices of controlled medicines: WHO/HAI-style facility survey"); err != nil {
		return nil, err
	}
	for i, m := range meta {
		if err := set(1, i+3, m); err != nil {
			return nil, err
		}
	}
	const head = 11
	if err := set(1, head, "Medicine"); err != nil {
		return nil, err
	}
	measures := []string{"% availability", "Median price ratio", "Facilities surveyed", "Median unit price"}
	for si, sec := range []string{"Public sector", "Private sector", "Other sector (NGO, mission)"} {
		first := 2 + si*len(measures)
		if err := set(first, head, sec); err != nil {
			return nil, err
		}
		a, _ := excelize.CoordinatesToCellName(first, head)
		b, _ := excelize.CoordinatesToCellName(first+len(measures)-1, head)
		if err := f.MergeCell(sh, a, b); err != nil {
			return nil, err
		}
		for mi, m := range measures {
			if err := set(first+mi, head+1, m); err != nil {
				return nil, err
			}
		}
	}
	for i, m := range access.MedicinesV1.Medicines {
		if err := set(1, head+2+i, m.Name); err != nil {
			return nil, err
		}
	}
	last, _ := excelize.CoordinatesToCellName(1+3*len(measures), head+1)
	if err := f.SetCellStyle(sh, fmt.Sprintf("A%d", head), last, bold); err != nil {
		return nil, err
	}
	if err := f.SetColWidth(sh, "A", "A", 48); err != nil {
		return nil, err
	}
	if err := f.SetColWidth(sh, "B", "M", 14); err != nil {
		return nil, err
	}
	return []string{
		"WHO/HAI-style facility survey of controlled medicines",
		"",
		"Above the table: the country (name or ISO3 code), the survey year (the year of data collection), the survey's title, the international reference price used for the median price ratio (e.g. MSH International Drug Price Indicator Guide) and its year, the currency of local prices, and the daily wage of the lowest-paid unskilled government worker in that currency.",
		"One row per medicine, named as in the WHO Model List (the rows given), or as drug, strength and dosage form, e.g. \"Morphine 10 mg tablet\"; unknown names are refused with suggestions.",
		"Per sector: % availability = the share of surveyed facilities with the medicine in stock on the day of the visit (0 to 100); median price ratio = median local unit price ÷ international reference unit price; facilities surveyed = the number of facilities of that sector visited; median unit price = the median patient price of one tablet, ml, ampoule or patch in local currency.",
		"Leave a cell blank when it was not measured; leave a whole sector blank if it was not surveyed. Rows with no figure are ignored.",
		fmt.Sprintf("Affordability (days' wages for a month of oral morphine) is computed from the median unit price and the daily wage: %s.", access.AffordabilityV1.Formula()),
	}, nil
}

func ccsSheet(f *excelize.File, bold int) ([]string, error) {
	const sh = "Country capacity"
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		return nil, err
	}
	for c, v := range map[string]string{
		"A1": "Is oral morphine generally available in public primary care facilities? (WHO NCD country capacity survey)",
		"A3": "Country (ISO3)", "B3": "Survey year", "C3": "Answer",
	} {
		if err := f.SetCellStr(sh, c, v); err != nil {
			return nil, err
		}
	}
	if err := f.SetCellStyle(sh, "A3", "C3", bold); err != nil {
		return nil, err
	}
	dv := excelize.NewDataValidation(true)
	dv.Sqref = "C4:C1000"
	if err := dv.SetDropList([]string{"yes", "no", "don't know"}); err != nil {
		return nil, err
	}
	if err := f.AddDataValidation(sh, dv); err != nil {
		return nil, err
	}
	if err := f.SetColWidth(sh, "A", "C", 18); err != nil {
		return nil, err
	}
	return []string{
		"WHO NCD country capacity survey: general availability of oral morphine in public primary care facilities",
		"",
		"One row per country and survey year; the answer is yes, no or don't know, as the survey's respondent gave it.",
		"GHO exports of this indicator (long: one row per country and year; wide: countries down, survey years across) import as they are.",
	}, nil
}
