package importers

import (
	"bytes"
	"fmt"

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
	lists   map[int][]string // column index → allowed values
	help    []string
}

var templates = map[access.ImportKind]templateSpec{
	access.KindEstimates: {
		sheet: "Form B estimates",
		title: "Estimates of annual requirements for narcotic drugs (Form B style)",
		headers: []string{"Country (ISO3)", "Year", "Drug", "Kind", "Status", "Unit",
			"(a) Quantity to be consumed", "(b) Quantity to be utilized for manufacture",
			"(c) Quantity to be held in stock on 31 December", "(d) Quantity to be added to special stocks",
			"Total estimate"},
		widths: []float64{16, 8, 20, 14, 12, 8, 22, 26, 28, 26, 16},
		lists:  map[int][]string{3: {"annual", "supplementary"}, 4: {"submitted", "confirmed"}, 5: {"g", "kg", "mg"}},
		help: []string{
			"One row per country, year, drug and kind (annual or supplementary).",
			"Quantities are of anhydrous base, in the unit of the Unit column (g, kg or mg); name a salt (e.g. morphine sulfate pentahydrate) in the Drug column to have it converted to base.",
			"Total estimate: leave blank to have it computed as a + b + c + d (Single Convention Art. 19; the prior stock is not known here). When given, it is checked against a + b + c + d and a + b + d.",
			"Leave a cell blank when the item does not apply; write 0 for nil.",
		},
	},
	access.KindConsumption: {
		sheet: "Form C statistics",
		title: "Annual statistics of narcotic drugs (Form C style)",
		headers: []string{"Country (ISO3)", "Year", "Drug", "Unit", "Consumption", "Manufacture",
			"Utilization for manufacture", "Stocks on 31 December", "Seizures"},
		widths: []float64{16, 8, 20, 8, 16, 16, 24, 20, 12},
		lists:  map[int][]string{3: {"g", "kg", "mg"}},
		help: []string{
			"One row per country, year and drug.",
			"Quantities are of anhydrous base, in the unit of the Unit column (g, kg or mg); name a salt in the Drug column to have it converted to base.",
			"Consumption: quantities supplied to retail distribution, for medical use or scientific research.",
			"Leave a cell blank when the item is not reported; write 0 for nil.",
		},
	},
}

// Template returns a blank Form B-style (estimates) or Form C-style
// (consumption) workbook: a header row with drop-down lists for drugs,
// units, kinds and statuses, and an Instructions sheet. Filled in, it
// imports with this package.
func Template(kind access.ImportKind) (out []byte, err error) {
	defer access.Wrap(&err, "importers.Template(%q)", kind)
	if kind == access.KindAvailability || kind == access.KindCCS {
		return availabilityTemplate(kind)
	}
	spec, ok := templates[kind]
	if !ok {
		return nil, access.Errorf(access.Invalid, "", "no template for %q: templates exist for estimates and consumption", kind)
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
	lists := map[int][]string{2: templateDrugs}
	for k, v := range spec.lists {
		lists[k] = v
	}
	for c, vals := range lists {
		col := colName(c)
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("%s2:%s5000", col, col)
		if err := dv.SetDropList(vals); err != nil {
			return nil, err
		}
		if c == 2 {
			// Salts and synonyms are welcome too: warn, do not stop.
			dv.SetError(excelize.DataValidationErrorStyleWarning, "Drug", "Not in the list: a salt or synonym is fine; anything else will be refused on import.")
		}
		if err := f.AddDataValidation(spec.sheet, dv); err != nil {
			return nil, err
		}
	}
	const help = "Instructions"
	if _, err := f.NewSheet(help); err != nil {
		return nil, err
	}
	lines := append([]string{spec.title, ""}, spec.help...)
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
