package importers

import (
	"bytes"
	"fmt"
	"regexp"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/xuri/excelize/v2"
)

// templateDrugs are the drugs offered in the templates' drop-down lists
// (the INNs of the reference data; salts may be typed instead).
var templateDrugs = []string{"morphine", "codeine", "dihydrocodeine", "fentanyl", "hydromorphone", "oxycodone",
	"pethidine", "ketobemidone", "tilidine", "dextropropoxyphene", "trimeperidine", "methadone", "hydrocodone",
	"sufentanil", "remifentanil", "alfentanil", "buprenorphine"}

type templateSpec struct {
	sheet   string
	title   string
	headers []string
	widths  []float64
	lists   map[int][]string  // column index → allowed values
	amounts []int             // columns of non-negative quantities
	days    int               // a column of days in the year (0–366), or 0
	notes   map[int][2]string // column index → input message (title, text)
	help    []string
}

// statusNote explains the Status column where a clerk types in it.
var statusNote = [2]string{"Status", "submitted: the estimate your ministry sends to INCB. confirmed: the estimate as INCB confirmed it (published by the Board). Leave submitted unless INCB has confirmed the figure."}

var templates = map[access.ImportKind]templateSpec{
	access.KindEstimates: {
		sheet: "Form B estimates",
		title: "Estimates of annual requirements for narcotic drugs (Form B style)",
		headers: []string{"Country (ISO3)", "Year", "Drug", "Kind", "Status", "Unit",
			"(a) Quantity to be consumed", "(b) Quantity to be utilized for manufacture",
			"(c) Quantity to be held in stock on 31 December", "(d) Quantity to be added to special stocks",
			"Total estimate", "Justification"},
		widths:  []float64{16, 8, 20, 14, 12, 8, 22, 26, 28, 26, 16, 80},
		lists:   map[int][]string{3: {"annual", "supplementary"}, 4: {"submitted", "confirmed"}, 5: {"g", "kg", "mg"}},
		amounts: []int{6, 7, 8, 9, 10},
		notes: map[int][2]string{4: statusNote,
			11: {"Justification", "Why this quantity: the method and the figures it rests on, as INCB asks. Not imported; keep it for your submission."}},
		help: []string{
			"One row per country, year, drug and kind (annual or supplementary).",
			"Quantities are of anhydrous base, in the unit of the Unit column (g, kg or mg); name a salt (e.g. morphine sulfate pentahydrate) in the Drug column to have it converted to base.",
			"Status: submitted is the estimate your ministry sends to INCB; confirmed is the estimate as INCB confirmed it. Leave submitted unless INCB has confirmed the figure.",
			"Total estimate: leave blank to have it computed as a + b + c + d (Single Convention Art. 19; the prior stock is not known here). When given, it is checked against a + b + c + d and a + b + d.",
			"Justification: the reasons for the quantity, in words (not imported). A supply estimate exported by reliefgap fills it with its method and inputs.",
			"Leave a cell blank when the item does not apply; write 0 for nil.",
		},
	},
	access.KindConsumption: {
		sheet: "Form C statistics",
		title: "Annual statistics of narcotic drugs (Form C style)",
		headers: []string{"Country (ISO3)", "Year", "Drug", "Unit", "Consumption", "Manufacture",
			"Utilization for manufacture", "Stocks on 31 December", "Seizures", "Days out of stock"},
		widths:  []float64{16, 8, 20, 8, 16, 16, 24, 20, 12, 16},
		lists:   map[int][]string{3: {"g", "kg", "mg"}},
		amounts: []int{4, 5, 6, 7, 8},
		days:    9,
		notes:   map[int][2]string{9: {"Days out of stock", "Days in the year the drug was out of stock (0 to 366); consumption is corrected for them when requirements are estimated. Leave blank if not known."}},
		help: []string{
			"One row per country, year and drug.",
			"Quantities are of anhydrous base, in the unit of the Unit column (g, kg or mg); name a salt in the Drug column to have it converted to base.",
			"Consumption: quantities supplied to retail distribution, for medical use or scientific research.",
			"Days out of stock: days in the year the drug was not available (0 to 366), where known; leave blank if not known.",
			"Leave a cell blank when the item is not reported; write 0 for nil.",
		},
	},
}

// templateRows is how many rows of a template carry the drop-down lists,
// the validation and, for one country, the country code.
const templateRows = 500

// TemplateOptions fill a template in: Country (an ISO3 code) in the country
// column with that code as the only choice, and rows of estimates with
// their justification (the estimates template only).
type TemplateOptions struct {
	Country   string
	Estimates []TemplateEstimate
}

// TemplateEstimate is one filled row of the estimates template.
type TemplateEstimate struct {
	access.Estimate
	Justification string
}

// Template returns a blank Form B-style (estimates) or Form C-style
// (consumption) workbook: a header row with drop-down lists for drugs,
// units, kinds and statuses, validation of years and quantities, and an
// Instructions sheet. Filled in, it imports with this package.
func Template(kind access.ImportKind) ([]byte, error) {
	return TemplateFor(kind, TemplateOptions{})
}

// CountryTemplate is Template with the country column filled in for iso3.
func CountryTemplate(kind access.ImportKind, iso3 string) ([]byte, error) {
	return TemplateFor(kind, TemplateOptions{Country: iso3})
}

// SupplyWorkbook is the estimates template filled with a supply estimate:
// one annual, submitted row per drug, in grams, items (a)–(d), the total
// and the line's explanation as justification. It imports back to the same
// numbers.
func SupplyWorkbook(e access.SupplyEstimate) ([]byte, error) {
	opt := TemplateOptions{Country: e.Country}
	for _, l := range e.Drugs {
		opt.Estimates = append(opt.Estimates, TemplateEstimate{Estimate: access.Estimate{ISO3: e.Country, Year: e.Year,
			Drug: l.Drug, Kind: access.EstimateAnnual, Status: access.EstimateSubmitted,
			ToBeConsumed: access.F(l.AConsumptionG), UtilizedForManufacture: access.F(l.BManufactureG),
			StockTarget: access.F(l.CStockTargetG), SpecialStocks: access.F(l.DSpecialStockG), Total: access.F(l.TotalG)},
			Justification: l.Explanation})
	}
	return TemplateFor(access.KindEstimates, opt)
}

// TemplateFor returns a template for kind filled in as opt says.
func TemplateFor(kind access.ImportKind, opt TemplateOptions) (out []byte, err error) {
	defer access.Wrap(&err, "importers.Template(%q)", kind)
	if kind == access.KindAvailability || kind == access.KindCCS {
		return availabilityTemplate(kind)
	}
	spec, ok := templates[kind]
	if !ok {
		return nil, access.Errorf(access.Invalid, "", "no template for %q: templates exist for estimates and consumption", kind)
	}
	if opt.Country != "" && !iso3Code.MatchString(opt.Country) {
		return nil, access.Errorf(access.Invalid, "", "country %q is not an ISO3 code", opt.Country)
	}
	if len(opt.Estimates) > 0 && kind != access.KindEstimates {
		return nil, access.Errorf(access.Invalid, "", "only the estimates template takes estimate rows")
	}
	if len(opt.Estimates) >= templateRows {
		return nil, access.Errorf(access.TooLarge, "", "at most %d rows", templateRows-1)
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", spec.sheet); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true}})
	if err != nil {
		return nil, err
	}
	for i, h := range spec.headers {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellStr(spec.sheet, cell, h); err != nil {
			return nil, err
		}
		col := colName(i)
		if err := f.SetColWidth(spec.sheet, col, col, spec.widths[i]); err != nil {
			return nil, err
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(spec.headers), 1)
	if err := f.SetCellStyle(spec.sheet, "A1", last, bold); err != nil {
		return nil, err
	}
	if err := f.SetPanes(spec.sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	if err := templateValidation(f, spec, opt.Country); err != nil {
		return nil, err
	}
	if err := fillTemplate(f, spec, opt); err != nil {
		return nil, err
	}
	const help = "Instructions"
	if _, err := f.NewSheet(help); err != nil {
		return nil, err
	}
	lines := append([]string{spec.title, ""}, spec.help...)
	if opt.Country != "" {
		lines = append(lines, "This workbook is for "+opt.Country+" only: the country column is filled in.")
	}
	lines = append(lines, "", "Units line: quantities in grams (g), kilograms (kg) or milligrams (mg) of anhydrous base, as the Unit column says.")
	for i, l := range lines {
		if err := f.SetCellStr(help, fmt.Sprintf("A%d", i+1), safeText(l)); err != nil {
			return nil, err
		}
	}
	if err := f.SetColWidth(help, "A", "A", 120); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var iso3Code = regexp.MustCompile(`^[A-Z]{3}$`)

// templateValidation adds the drop-down lists, the year and quantity
// checks and the input messages.
func templateValidation(f *excelize.File, spec templateSpec, country string) error {
	add := func(c int, set func(dv *excelize.DataValidation) error) error {
		col := colName(c)
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("%s2:%s%d", col, col, templateRows)
		if err := set(dv); err != nil {
			return err
		}
		if n, ok := spec.notes[c]; ok {
			dv.SetInput(n[0], n[1])
		}
		return f.AddDataValidation(spec.sheet, dv)
	}
	lists := map[int][]string{2: templateDrugs}
	for k, v := range spec.lists {
		lists[k] = v
	}
	if country != "" {
		lists[0] = []string{country}
	}
	for c, vals := range lists {
		if err := add(c, func(dv *excelize.DataValidation) error {
			if err := dv.SetDropList(vals); err != nil {
				return err
			}
			if c == 2 {
				// Salts and synonyms are welcome too: warn, do not stop.
				dv.SetError(excelize.DataValidationErrorStyleWarning, "Drug", "Not in the list: a salt or synonym is fine; anything else will be refused on import.")
			}
			return nil
		}); err != nil {
			return err
		}
	}
	if err := add(1, func(dv *excelize.DataValidation) error {
		dv.SetError(excelize.DataValidationErrorStyleStop, "Year", "A year between 1900 and 2100.")
		return dv.SetRange(1900, 2100, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween)
	}); err != nil {
		return err
	}
	for _, c := range spec.amounts {
		if err := add(c, func(dv *excelize.DataValidation) error {
			dv.SetError(excelize.DataValidationErrorStyleStop, "Quantity", "A number of 0 or more, in the unit of the Unit column. Leave blank if not given.")
			return dv.SetRange(0, 0, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorGreaterThanOrEqual)
		}); err != nil {
			return err
		}
	}
	if spec.days > 0 {
		if err := add(spec.days, func(dv *excelize.DataValidation) error {
			dv.SetError(excelize.DataValidationErrorStyleStop, "Days out of stock", "A number of days from 0 to 366.")
			return dv.SetRange(0, 366, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween)
		}); err != nil {
			return err
		}
	}
	// Input messages on columns without other validation.
	for c, n := range spec.notes {
		if _, listed := lists[c]; listed || c == spec.days {
			continue
		}
		col := colName(c)
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("%s2:%s%d", col, col, templateRows)
		dv.SetInput(n[0], n[1])
		if err := f.AddDataValidation(spec.sheet, dv); err != nil {
			return err
		}
	}
	return nil
}

// fillTemplate writes the country code down the country column and the
// estimate rows, if any.
func fillTemplate(f *excelize.File, spec templateSpec, opt TemplateOptions) error {
	sh := spec.sheet
	rows := 100
	if n := len(opt.Estimates) + 50; n > rows {
		rows = n
	}
	if opt.Country != "" {
		for r := 2; r <= rows && r <= templateRows; r++ {
			if err := f.SetCellStr(sh, fmt.Sprintf("A%d", r), opt.Country); err != nil {
				return err
			}
		}
	}
	num := func(cell string, v *float64) error {
		if v == nil {
			return nil
		}
		return f.SetCellFloat(sh, cell, *v, -1, 64)
	}
	for i, e := range opt.Estimates {
		r := i + 2
		iso := e.ISO3
		if iso == "" {
			iso = opt.Country
		}
		if opt.Country != "" && iso != opt.Country {
			return access.Errorf(access.Invalid, "", "row for %s in a template for %s", iso, opt.Country)
		}
		for c, v := range []string{safeText(iso), "", safeText(e.Drug), string(e.Kind), string(e.Status), "g"} {
			if c == 1 {
				if err := f.SetCellInt(sh, fmt.Sprintf("B%d", r), int64(e.Year)); err != nil {
					return err
				}
				continue
			}
			if err := f.SetCellStr(sh, fmt.Sprintf("%s%d", colName(c), r), v); err != nil {
				return err
			}
		}
		for c, v := range []*float64{e.ToBeConsumed, e.UtilizedForManufacture, e.StockTarget, e.SpecialStocks, e.Total} {
			if err := num(fmt.Sprintf("%s%d", colName(6+c), r), v); err != nil {
				return err
			}
		}
		if e.Justification != "" {
			if err := f.SetCellStr(sh, fmt.Sprintf("L%d", r), safeText(e.Justification)); err != nil {
				return err
			}
		}
	}
	return nil
}
