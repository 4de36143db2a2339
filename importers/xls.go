package importers

import (
	"bytes"
	"fmt"

	"github.com/shakinm/xlsReader/xls"
)

// .xls (Excel 97–2003, BIFF8 in an OLE2 compound file) is read with
// github.com/shakinm/xlsReader, the Go BIFF8 reader with tagged releases
// (v0.9.12, 2022); github.com/extrame/xls, the other one, has had no
// release since 2017. The reader loads a whole workbook, which the size
// limit bounds (an .xls holds at most 65,536 rows a sheet).

// isXLS reports an OLE2 compound file, the container of .xls workbooks.
func isXLS(data []byte) bool {
	return bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
}

// isODS reports an OpenDocument spreadsheet: a zip whose first entry is
// the stored mimetype.
func isODS(data []byte) bool {
	return isXLSX(data) && bytes.Contains(data[:min(len(data), 200)], []byte("application/vnd.oasis.opendocument.spreadsheet"))
}

// odsMessage says how to send an .ods file instead: no Go reader of
// OpenDocument spreadsheets is maintained.
const odsMessage = "OpenDocument spreadsheets (.ods) are not read: open the file in LibreOffice Calc " +
	"(or Excel), choose File › Save As…, pick \"Excel 2007-365 (.xlsx)\" and upload that file"

// xlsSheets reads an .xls workbook into sheets. A reader panic on damaged
// bytes is an error here, not a crash.
func xlsSheets(data []byte, lim limits) (out []sheet, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("damaged .xls workbook (%v)", r)
		}
	}()
	wb, err := xls.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	for i := 0; i < wb.GetNumberSheets(); i++ {
		sh, err := wb.GetSheet(i)
		if err != nil {
			return nil, err
		}
		var rows [][]string
		for _, row := range sh.GetRows() {
			cols := row.GetCols()
			if len(cols) > lim.MaxColumns+1 {
				cols = cols[:lim.MaxColumns+1] // the reader notes the excess
			}
			cells := make([]string, len(cols))
			for j, c := range cols {
				cells[j] = c.GetString()
			}
			rows = append(rows, cells)
		}
		out = append(out, sheet{name: sh.GetName(), open: func() (rowSource, error) { return &gridRows{rows: rows}, nil },
			merges: func() [][4]int { return nil }})
	}
	return out, nil
}

// gridRows serves rows held in memory, numbered from 1.
type gridRows struct {
	rows [][]string
	i    int
}

func (g *gridRows) Next() bool {
	if g.i >= len(g.rows) {
		return false
	}
	g.i++
	return true
}
func (g *gridRows) Row() []string { return g.rows[g.i-1] }
func (g *gridRows) RowNum() int   { return g.i }
func (g *gridRows) Err() error    { return nil }
func (g *gridRows) Close() error  { return nil }
