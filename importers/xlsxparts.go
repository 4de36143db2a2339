package importers

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/xuri/excelize/v2"
)

// excelizeRows opens excelize's row reader on the worksheet as the
// workbook holds it. A worksheet that excelize has since loaded whole (to
// read its merged cells) would otherwise be written back and read from
// that copy.
func excelizeRows(f *excelize.File, sheet, part string) (*excelize.Rows, error) {
	if part != "" {
		if ws, ok := f.Sheet.Load(part); ok && ws != nil {
			f.Sheet.Delete(part)
			defer f.Sheet.Store(part, ws)
		}
	}
	return f.Rows(sheet)
}

// openSheetRows opens the rows of a worksheet: with the lean reader where
// the part can be read as excelize reads it, else with excelize. data is
// the workbook when f was opened from memory.
func openSheetRows(f *excelize.File, sheet string, data []byte) (rowSource, error) {
	// excelize's reader is opened first all the same: it refuses what
	// excelize refuses (sheet names it does not allow, say) the same way.
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, err
	}
	if l := openLeanRows(f, sheet, data); l != nil {
		rows.Close()
		return l, nil
	}
	return &xlsxRows{rows: rows}, nil
}

func openLeanRows(f *excelize.File, sheet string, data []byte) *leanRows {
	part, ok := sheetPart(f, sheet, f.Path != "" || data != nil)
	if !ok || !contentTypesRead(f) {
		return nil
	}
	if ws, ok := f.Sheet.Load(part); ok && ws != nil {
		return nil
	}
	l := &leanRows{f: f, sheet: sheet, part: part}
	_, l.sstMem = f.Pkg.Load("xl/sharedStrings.xml")
	if b, ok := f.Pkg.Load(part); ok {
		data, _ := b.([]byte)
		if len(data) == 0 {
			return nil
		}
		l.sc = newXMLScannerBytes(data)
		return l
	}
	rc, closer, err := openZipPart(f.Path, data, part)
	if err != nil {
		return nil
	}
	l.sc, l.closer = newXMLScanner(rc), closer
	return l
}

// openZipPart opens the worksheet part that excelize unzipped to a
// temporary file (it holds only large worksheets in memory that way)
// straight from the workbook: the spooled file at path, else data.
// excelize has checked the sizes the zip directory declares, and
// archive/zip refuses a part that inflates past its declared size.
func openZipPart(path string, data []byte, part string) (io.Reader, io.Closer, error) {
	if !strings.HasPrefix(strings.ToLower(part), "xl/worksheets/sheet") {
		return nil, nil, errLeanUnsupported
	}
	var (
		ra     io.ReaderAt
		size   int64
		closer io.Closer = io.NopCloser(nil)
	)
	switch {
	case path != "":
		file, err := os.Open(path)
		if err != nil {
			return nil, nil, err
		}
		st, err := file.Stat()
		if err != nil {
			file.Close()
			return nil, nil, err
		}
		ra, size, closer = file, st.Size(), file
	case data != nil:
		ra, size = bytes.NewReader(data), int64(len(data))
	default:
		return nil, nil, errLeanUnsupported
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		closer.Close()
		return nil, nil, err
	}
	var found *zip.File
	for _, zf := range zr.File {
		if strings.ReplaceAll(zf.Name, "\\", "/") == part {
			if found != nil {
				closer.Close()
				return nil, nil, errLeanUnsupported
			}
			found = zf
		}
	}
	if found == nil || found.FileInfo().IsDir() || int64(found.UncompressedSize64) <= xlsxOptions(size).UnzipXMLSizeLimit {
		closer.Close()
		return nil, nil, errLeanUnsupported
	}
	rc, err := found.Open()
	if err != nil {
		closer.Close()
		return nil, nil, err
	}
	return rc, multiCloser{rc, closer}, nil
}

type multiCloser []io.Closer

func (m multiCloser) Close() error {
	var first error
	for _, c := range m {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// sheetPart is the part name excelize reads a sheet from: the workbook's
// relationship target of the sheet, as excelize's getSheetMap resolves it.
// It is false where excelize would not find the sheet, or where two sheets
// share a name but for case.
func sheetPart(f *excelize.File, sheet string, zipped bool) (string, bool) {
	if f.WorkBook == nil {
		return "", false
	}
	wbPath := ""
	for _, rel := range relationships(f, "_rels/.rels") {
		if rel.typ == excelize.SourceRelationshipOfficeDocument {
			wbPath = strings.TrimPrefix(rel.target, "/")
			break
		}
	}
	relsPath := "_rels/" + filepath.Base(wbPath) + ".rels"
	if dir := filepath.Dir(wbPath); dir != "." {
		relsPath = strings.TrimPrefix(dir+"/_rels/"+filepath.Base(wbPath)+".rels", "/")
	}
	rels := relationships(f, relsPath)
	parts := map[string]string{}
	for _, sh := range f.WorkBook.Sheets.Sheet {
		for _, rel := range rels {
			if rel.id != sh.ID {
				continue
			}
			p := worksheetPath(wbPath, rel.target)
			if _, ok := f.Pkg.Load(p); ok || zipped && tempWorksheet(p) {
				parts[sh.Name] = p
			}
		}
	}
	part, found := "", 0
	for name, p := range parts {
		if strings.EqualFold(name, sheet) {
			part = p
			found++
		}
	}
	return part, found == 1
}

// tempWorksheet reports whether p is a part excelize may have unzipped to
// a temporary file rather than read into memory: a large worksheet.
func tempWorksheet(p string) bool {
	return strings.HasPrefix(strings.ToLower(p), "xl/worksheets/sheet")
}

// worksheetPath is excelize's getWorksheetPath.
func worksheetPath(wbPath, target string) string {
	path := filepath.ToSlash(strings.TrimPrefix(
		strings.ReplaceAll(filepath.Clean(fmt.Sprintf("%s/%s", filepath.Dir(wbPath), target)), "\\", "/"), "/"))
	if strings.HasPrefix(target, "/") {
		path = filepath.ToSlash(strings.TrimPrefix(strings.ReplaceAll(filepath.Clean(target), "\\", "/"), "/"))
	}
	return path
}

type relationship struct{ id, target, typ string }

// relationships reads the relationships excelize has parsed from the
// part at path (its types are unexported; their fields are not).
func relationships(f *excelize.File, path string) []relationship {
	v, ok := f.Relationships.Load(path)
	if !ok || v == nil {
		return nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return nil
	}
	list := rv.Elem().FieldByName("Relationships")
	if !list.IsValid() || list.Kind() != reflect.Slice {
		return nil
	}
	out := make([]relationship, 0, list.Len())
	for i := 0; i < list.Len(); i++ {
		e := list.Index(i)
		out = append(out, relationship{
			id:     e.FieldByName("ID").String(),
			target: e.FieldByName("Target").String(),
			typ:    e.FieldByName("Type").String(),
		})
	}
	return out
}

// contentTypesRead reports whether excelize reads the workbook's content
// types without an error when it first reads the shared strings. It reads
// them once, and a first read that fails makes only that first row read
// fail, which the lean reader does not reproduce.
func contentTypesRead(f *excelize.File) bool {
	if f.SharedStrings != nil || f.ContentTypes != nil {
		return true
	}
	var types struct {
		XMLName  xml.Name `xml:"http://schemas.openxmlformats.org/package/2006/content-types Types"`
		Defaults []struct {
			Extension   string `xml:",attr"`
			ContentType string `xml:",attr"`
		} `xml:"Default"`
		Overrides []struct {
			PartName    string `xml:",attr"`
			ContentType string `xml:",attr"`
		} `xml:"Override"`
	}
	var data []byte
	if b, ok := f.Pkg.Load("[Content_Types].xml"); ok {
		data, _ = b.([]byte)
	}
	err := xml.NewDecoder(bytes.NewReader(data)).Decode(&types)
	return err == nil || err == io.EOF
}
