package importers

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// rowSource yields the rows of one sheet with the 1-based row numbers a
// spreadsheet shows (for CSV: the line number where the record starts).
// The slice Row returns may be reused by the next call of Next: a caller
// that keeps a row copies it (the strings in it are never reused).
type rowSource interface {
	Next() bool
	Row() []string
	RowNum() int
	Err() error
	Close() error
}

// numericCells is a rowSource that knows which cells of the current row
// the workbook stores as numbers, not text: such a cell's value is written
// with a decimal point whatever the locale, so it is never ambiguous.
// NumericCells is nil when it does not know; the slice is valid until the
// next call of Next.
type numericCells interface {
	NumericCells() []bool
}

// numericOf is what src says of the current row's cells (nil: nothing).
func numericOf(src rowSource) []bool {
	if n, ok := src.(numericCells); ok {
		return n.NumericCells()
	}
	return nil
}

// sheet is one table-bearing part of a file: the only "sheet" of a CSV file
// (named "") or one worksheet of a workbook.
type sheet struct {
	name   string
	open   func() (rowSource, error)
	merges func() [][4]int // merged ranges as col1,row1,col2,row2 (1-based), read lazily
	// reread: reading the sheet again costs as much as reading it (a
	// worksheet is unzipped and its XML scanned), so the rows read in
	// advance are kept (replay.go); a CSV file's lines are cheap to read.
	reread bool
}

// csvInfo describes how a CSV file was decoded.
type csvInfo struct {
	delim    rune
	encoding string
	locale   Locale
}

// isXLSX reports whether data is a zip archive (an Office Open XML file).
func isXLSX(data []byte) bool { return bytes.HasPrefix(data, []byte("PK\x03\x04")) }

// decodeText returns data as UTF-8: a UTF-8 BOM is dropped, UTF-16 with a
// BOM is decoded, and bytes that are not valid UTF-8 are read as
// Windows-1252.
func decodeText(data []byte) ([]byte, string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
		if !utf8.Valid(data) {
			return nil, "", errors.New("the file starts with a UTF-8 byte order mark but is not valid UTF-8")
		}
		return data, "utf-8-bom", nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		out, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder().Bytes(data)
		if err != nil {
			return nil, "", fmt.Errorf("reading UTF-16: %w", err)
		}
		return out, "utf-16", nil
	case utf8.Valid(data):
		return data, "utf-8", nil
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return nil, "", fmt.Errorf("reading Windows-1252: %w", err)
	}
	return out, "windows-1252", nil
}

// sniffDelimiter picks comma, semicolon or tab: the one that occurs most
// often outside quotes in the first lines, comma on a tie.
func sniffDelimiter(text []byte) rune {
	counts := map[rune]int{}
	lines, inQuote := 0, false
	for i := 0; i < len(text) && lines < 20; i++ {
		switch c := text[i]; c {
		case '"':
			inQuote = !inQuote
		case '\n':
			if !inQuote {
				lines++
			}
		case ',', ';', '\t':
			if !inQuote {
				counts[rune(c)]++
			}
		}
	}
	best := ','
	for _, d := range []rune{';', '\t'} {
		if counts[d] > counts[best] {
			best = d
		}
	}
	return best
}

type csvRows struct {
	r      *csv.Reader
	closer io.Closer // the spooled file, if any
	row    []string
	line   int
	err    error
}

func (c *csvRows) Next() bool {
	if c.err != nil {
		return false
	}
	rec, err := c.r.Read()
	if err == io.EOF {
		return false
	}
	if err != nil {
		c.err = err
		return false
	}
	c.line, _ = c.r.FieldPos(0)
	c.row = rec
	return true
}
func (c *csvRows) Row() []string { return c.row }
func (c *csvRows) RowNum() int   { return c.line }
func (c *csvRows) Err() error    { return c.err }
func (c *csvRows) Close() error {
	if c.closer != nil {
		return c.closer.Close()
	}
	return nil
}

// csvSheets prepares a CSV file: decoded text, sniffed delimiter and the
// locale its numbers are read in (decimal comma for semicolon files).
func csvSheets(data []byte) ([]sheet, csvInfo, error) {
	text, enc, err := decodeText(data)
	if err != nil {
		return nil, csvInfo{}, err
	}
	info := csvInfo{delim: sniffDelimiter(text), encoding: enc}
	if info.delim == ';' {
		info.locale = LocaleComma
	}
	open := func() (rowSource, error) {
		r := csv.NewReader(bytes.NewReader(text))
		r.Comma = info.delim
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		r.ReuseRecord = true // a row's cells are good until the next (rowSource)
		return &csvRows{r: r}, nil
	}
	return []sheet{{name: "", open: open, merges: func() [][4]int { return nil }}}, info, nil
}

type xlsxRows struct {
	rows *excelize.Rows
	row  []string
	n    int
	err  error
}

func (x *xlsxRows) Next() bool {
	if x.err != nil || !x.rows.Next() {
		return false
	}
	x.n++
	x.row, x.err = x.rows.Columns()
	return x.err == nil
}
func (x *xlsxRows) Row() []string { return x.row }
func (x *xlsxRows) RowNum() int   { return x.n }
func (x *xlsxRows) Err() error {
	if x.err != nil {
		return x.err
	}
	return x.rows.Error()
}
func (x *xlsxRows) Close() error { return x.rows.Close() }

// mergeReadLimit is the size of workbook up to which merged header cells
// are read; reading them loads a whole worksheet, which streaming avoids
// for large files.
const mergeReadLimit = 4 << 20

// Decompression bounds for .xlsx files. Real workbooks inflate about
// seven times (the publisher samples: 6.8 to 7.2); a workbook may inflate
// up to maxInflateRatio times its own size, never below minUnzipBytes (so
// that small files with large styles parts open) and never above
// maxUnzipBytes, however large the upload limit. Parts larger than
// xmlPartInMemory are spilled to temporary files by excelize.
const (
	maxInflateRatio = 100
	minUnzipBytes   = 16 << 20
	maxUnzipBytes   = 256 << 20
	xmlPartInMemory = 16 << 20
)

// unzipLimit is the total decompressed size allowed for a workbook of
// size bytes.
func unzipLimit(size int64) int64 {
	return min(max(size*maxInflateRatio, minUnzipBytes), maxUnzipBytes)
}

// isUnzipLimit reports whether excelize refused a workbook for inflating
// past its limit (excelize has no sentinel error for it).
func isUnzipLimit(err error) bool {
	return err != nil && strings.Contains(err.Error(), "unzip size exceeds")
}

// maxSharedStrings bounds the shared-string table of a workbook once
// unzipped. excelize holds the whole table in memory, several times its
// size, so one huge string inside the overall unzip limit could still take
// gigabytes; real tables of this domain's workbooks (country, drug and
// cause names, notes) are far smaller.
const maxSharedStrings = 32 << 20

// errSharedStrings refuses a workbook whose shared-string table is larger
// than maxSharedStrings.
var errSharedStrings = errors.New("the shared-string table is too large")

// checkSharedStrings reads the zip directory (not the parts) and refuses a
// shared-string table declared larger than maxSharedStrings; archive/zip
// refuses a part that inflates beyond what its directory declares, so the
// declaration cannot be used to slip past the check.
func checkSharedStrings(r io.ReaderAt, size int64) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil // not a zip: excelize says what is wrong
	}
	for _, f := range zr.File {
		if strings.EqualFold(f.Name, "xl/sharedStrings.xml") && f.UncompressedSize64 > maxSharedStrings {
			return errSharedStrings
		}
	}
	return nil
}

// openXLSX opens a workbook within the decompression bounds.
func openXLSX(data []byte, lim limits) (*excelize.File, error) {
	if err := checkSharedStrings(bytes.NewReader(data), int64(len(data))); err != nil {
		return nil, err
	}
	return excelize.OpenReader(bytes.NewReader(data), xlsxOptions(int64(len(data))))
}

// xlsxOptions are excelize's options: raw cell values (no number formats
// applied) and the decompression bounds for a workbook of size bytes.
func xlsxOptions(size int64) excelize.Options {
	unzip := unzipLimit(size)
	return excelize.Options{RawCellValue: true, UnzipSizeLimit: unzip, UnzipXMLSizeLimit: min(int64(xmlPartInMemory), unzip)}
}

// xlsxSheets prepares the sheets of a workbook; data is the workbook when
// f was opened from memory.
func xlsxSheets(f *excelize.File, size int, data []byte) []sheet {
	var out []sheet
	for _, name := range f.GetSheetList() {
		name := name
		out = append(out, sheet{
			name:   name,
			reread: true,
			open:   func() (rowSource, error) { return openSheetRows(f, name, data) },
			merges: func() [][4]int {
				if size > mergeReadLimit {
					return nil
				}
				mcs, err := f.GetMergeCells(name)
				if err != nil {
					return nil
				}
				var out [][4]int
				for _, mc := range mcs {
					c1, r1, err1 := excelize.CellNameToCoordinates(mc.GetStartAxis())
					c2, r2, err2 := excelize.CellNameToCoordinates(mc.GetEndAxis())
					if err1 == nil && err2 == nil {
						out = append(out, [4]int{c1, r1, c2, r2})
					}
				}
				return out
			},
		})
	}
	return out
}

// colName is the spreadsheet letter of a 0-based column index.
func colName(i int) string {
	s, err := excelize.ColumnNumberToName(i + 1)
	if err != nil {
		return ""
	}
	return s
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }
