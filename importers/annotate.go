package importers

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/xuri/excelize/v2"
)

// csvSheetName is the sheet a CSV file's cells are written to by Annotate.
const csvSheetName = "Data"

// problemsSheet lists the problems in an annotated workbook.
const problemsSheet = "Problems"

// Annotate returns the user's workbook with each problem cell filled (red
// for errors, yellow for warnings) and commented, and a "Problems" sheet
// listing every problem. For a CSV file the workbook is new, holding the
// file's cells on a sheet named "Data". Text the package writes never
// starts with = + - or @, so no cell can turn into a formula.
func Annotate(filename string, data []byte, problems []access.Problem) (out []byte, err error) {
	defer access.Wrap(&err, "importers.Annotate(%q)", filename)
	f, err := openAnnotated(data)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sheets := map[string]bool{}
	for _, s := range f.GetSheetList() {
		sheets[s] = true
	}
	if err := markProblemCells(f, data, sheets, problems); err != nil {
		return nil, err
	}
	if err := writeProblemsSheet(f, sheets, problems); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// openAnnotated opens the user's file as a workbook: an .xls or .xlsx
// workbook as it is, a CSV file as a new workbook.
func openAnnotated(data []byte) (f *excelize.File, err error) {
	switch {
	case isXLS(data):
		sheets, err := xlsSheets(data, withDefaults(access.Limits{}))
		if err != nil {
			return nil, &access.Error{Code: access.Invalid, Msg: "the file is not a readable .xls workbook", Err: err}
		}
		if f, err = workbookFromSheets(sheets); err != nil {
			return nil, err
		}
	case isXLSX(data):
		f, err = openXLSX(data, withDefaults(access.Limits{}))
		if err != nil {
			return nil, &access.Error{Code: access.Invalid, Msg: "the file is not a readable .xlsx workbook", Err: err}
		}
	default:
		f, err = workbookFromCSV(data)
		if err != nil {
			return nil, err
		}
	}
	return f, nil
}

// annotatedCell is a cell of an annotated workbook.
type annotatedCell struct{ sheet, cell string }

// markProblemCells fills and comments each cell that has problems.
func markProblemCells(f *excelize.File, data []byte, sheets map[string]bool, problems []access.Problem) error {
	red, err := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}})
	if err != nil {
		return err
	}
	yellow, err := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFEB9C"}}})
	if err != nil {
		return err
	}
	keys, notes := problemCells(data, sheets, problems)
	for _, k := range keys {
		ps := notes[k]
		style := yellow
		var lines []string
		for _, p := range ps {
			if p.Severity == access.SeverityError {
				style = red
			}
			lines = append(lines, fmt.Sprintf("%s (%s): %s", p.Severity, p.Code, p.Message))
		}
		if err := f.SetCellStyle(k.sheet, k.cell, k.cell, style); err != nil {
			return err
		}
		text := safeText(strings.Join(lines, "\n"))
		if len(text) > 2000 {
			text = text[:2000]
		}
		if err := f.AddComment(k.sheet, excelize.Comment{Cell: k.cell, Author: "reliefgap", Text: text}); err != nil {
			return err
		}
	}
	return nil
}

// problemCells groups the problems by cell, in order of first mention.
// One comment per cell: the problems of a cell are joined.
func problemCells(data []byte, sheets map[string]bool, problems []access.Problem) ([]annotatedCell, map[annotatedCell][]access.Problem) {
	notes := map[annotatedCell][]access.Problem{}
	var keys []annotatedCell
	for _, p := range problems {
		if p.Row <= 0 {
			continue
		}
		sh := p.Sheet
		if sh == "" && !isXLSX(data) && !isXLS(data) {
			sh = csvSheetName
		}
		if !sheets[sh] {
			continue
		}
		col := p.Column
		if col == "" {
			col = "A"
		}
		cell := col + strconv.Itoa(p.Row)
		if _, _, err := excelize.CellNameToCoordinates(cell); err != nil {
			continue
		}
		k := annotatedCell{sh, cell}
		if _, ok := notes[k]; !ok {
			keys = append(keys, k)
		}
		notes[k] = append(notes[k], p)
	}
	return keys, notes
}

// writeProblemsSheet replaces any "Problems" sheet with one listing every
// problem, errors first.
func writeProblemsSheet(f *excelize.File, sheets map[string]bool, problems []access.Problem) error {
	if sheets[problemsSheet] {
		if err := f.DeleteSheet(problemsSheet); err != nil {
			return err
		}
	}
	if _, err := f.NewSheet(problemsSheet); err != nil {
		return err
	}
	sorted := append([]access.Problem(nil), problems...)
	sort.SliceStable(sorted, func(i, j int) bool {
		return sorted[i].Severity == access.SeverityError && sorted[j].Severity != access.SeverityError
	})
	for c, h := range []string{"Severity", "Code", "Sheet", "Row", "Column", "Value", "Message"} {
		cell, _ := excelize.CoordinatesToCellName(c+1, 1)
		if err := f.SetCellStr(problemsSheet, cell, h); err != nil {
			return err
		}
	}
	for i, p := range sorted {
		r := i + 2
		vals := []string{string(p.Severity), p.Code, p.Sheet, "", p.Column, p.Value, p.Message}
		for c, v := range vals {
			cell, _ := excelize.CoordinatesToCellName(c+1, r)
			if c == 3 {
				if p.Row > 0 {
					if err := f.SetCellInt(problemsSheet, cell, int64(p.Row)); err != nil {
						return err
					}
				}
				continue
			}
			if err := f.SetCellStr(problemsSheet, cell, safeText(v)); err != nil {
				return err
			}
		}
	}
	return nil
}

// safeText keeps a generated text cell from being read as a formula by
// spreadsheet programs (and by CSV exports of the workbook).
// A dash ("-", INCB's nil) or a number ("-5", "+3") is shown as typed:
// neither can become a formula, and a user should see the cell as typed,
// not behind an apostrophe.
func safeText(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) || isDash(s) {
		return s
	}
	if _, err := readPublished(s, LocaleUnknown, true); err == nil || err == ErrAmbiguousNumber {
		return s
	}
	return "'" + s
}

// workbookFromCSV writes a CSV file's cells to a new workbook: numbers as
// numbers, everything else as text made safe.
func workbookFromCSV(data []byte) (*excelize.File, error) {
	sheets, _, err := csvSheets(data)
	if err != nil {
		return nil, &access.Error{Code: access.Invalid, Msg: "the text file could not be decoded", Err: err}
	}
	return workbookFromSheets(sheets)
}

// workbookFromSheets writes sheets read from a CSV or .xls file to a new
// workbook, keeping their names (a CSV file's only sheet is "Data") and
// row numbers.
func workbookFromSheets(sheets []sheet) (*excelize.File, error) {
	f := excelize.NewFile()
	for i, sh := range sheets {
		name := sh.name
		if name == "" {
			name = csvSheetName
		}
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return nil, err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return nil, err
		}
		src, err := sh.open()
		if err != nil {
			return nil, err
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return nil, err
		}
		for src.Next() {
			n, cells := src.RowNum(), src.Row()
			row := make([]any, len(cells))
			for i, c := range cells {
				if x, err := strconv.ParseFloat(c, 64); err == nil && isPlainNumber(c) {
					row[i] = x
				} else {
					row[i] = safeText(c)
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, n)
			if err := sw.SetRow(cell, row); err != nil {
				return nil, err
			}
		}
		if err := sw.Flush(); err != nil {
			return nil, err
		}
	}
	// A streamed sheet takes no further edits: write it out and read it
	// back as an ordinary workbook.
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	f.Close()
	return excelize.OpenReader(&buf)
}

func isPlainNumber(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == 'e' || c == 'E' || c == '+') {
			return false
		}
	}
	return true
}
