package importers

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// leanRows reads the rows of a worksheet straight from its XML part, for
// bulk tables where excelize's row reader is the bottleneck. It returns
// exactly what xlsxRows returns over excelize's Rows with raw cell values:
// its state is excelize's (curRow, seekRow and the row element already
// read), so that rows numbered out of order, repeated or missing come out
// the same way. Whatever it does not reproduce exactly (see xmlScanner) it
// hands to excelize: it opens excelize's reader, replays the calls already
// answered, and lets it answer the rest.
type leanRows struct {
	sc      *xmlScanner
	closer  io.Closer // the spooled workbook, when the part is read from the zip
	f       *excelize.File
	sheet   string // the sheet's name
	part    string // the worksheet's part name
	sstMem  bool   // the shared strings are held in memory by excelize
	sst     []string
	sstDone []bool

	// excelize's Rows state
	curRow, seekRow int
	pending         bool // the start element of the next row has been read
	pendingNum      int
	pendingErr      error
	rowsErr         error

	// xlsxRows state
	row   []string
	n     int
	err   error
	calls int // calls of Next answered

	fb *xlsxRows // excelize, once the lean reader has handed over
}

// errLeanReplay reports that excelize, replaying the rows the lean reader
// returned, did not return as many.
var errLeanReplay = errors.New("the worksheet reads differently on a second pass")

func (l *leanRows) Next() bool {
	if l.fb != nil {
		return l.fb.Next()
	}
	if l.err != nil {
		return false
	}
	ok, err := l.rowsNext()
	if err == nil && ok {
		var row []string
		row, err = l.columns()
		if !errors.Is(err, errLeanUnsupported) {
			l.calls++
			l.n++
			l.row, l.err = row, err
			return err == nil
		}
	}
	if err != nil {
		return l.handOver()
	}
	l.calls++
	return false
}

// handOver replays the calls answered so far on excelize's reader and
// answers this one with it.
func (l *leanRows) handOver() bool {
	if l.closer != nil {
		l.closer.Close()
		l.closer = nil
	}
	rows, err := excelizeRows(l.f, l.sheet, l.part)
	if err != nil {
		l.err = err
		return false
	}
	fb := &xlsxRows{rows: rows}
	for i := 0; i < l.calls; i++ {
		fb.Next()
	}
	l.fb = fb
	if fb.n != l.n {
		fb.err = errLeanReplay
		return false
	}
	return fb.Next()
}

func (l *leanRows) Row() []string {
	if l.fb != nil {
		return l.fb.Row()
	}
	return l.row
}

func (l *leanRows) RowNum() int {
	if l.fb != nil {
		return l.fb.RowNum()
	}
	return l.n
}

func (l *leanRows) Err() error {
	if l.fb != nil {
		return l.fb.Err()
	}
	if l.err != nil {
		return l.err
	}
	return l.rowsErr
}

func (l *leanRows) Close() error {
	if l.closer != nil {
		l.closer.Close()
		l.closer = nil
	}
	if l.fb != nil {
		return l.fb.Close()
	}
	return l.rowsErr
}

// rowsNext is excelize's Rows.Next.
func (l *leanRows) rowsNext() (bool, error) {
	if l.rowsErr != nil {
		return false, nil
	}
	l.seekRow++
	if l.curRow >= l.seekRow {
		return true, nil
	}
	for {
		tok, err := l.sc.next()
		if err != nil {
			return false, err
		}
		switch tok {
		case tokEOF:
			return false, nil
		case tokStart:
			kind, err := elementKind(l.sc.name)
			if err != nil {
				return false, err
			}
			if kind == elRow {
				l.curRow++
				num, numErr := rowNumAttr(l.sc.attrs)
				if num > excelize.TotalRows {
					l.rowsErr = excelize.ErrMaxRows
					return false, nil
				}
				if num != 0 {
					l.curRow = num
				}
				l.pending, l.pendingNum, l.pendingErr = true, num, numErr
				return true, nil
			}
		case tokEnd:
			if kind, _ := elementKind(l.sc.name); kind == elSheetData {
				return false, nil
			}
		}
	}
}

// columns is excelize's Rows.Columns with raw cell values.
func (l *leanRows) columns() ([]string, error) {
	if l.curRow > l.seekRow {
		return nil, nil
	}
	if err := l.loadSST(); err != nil {
		return nil, err
	}
	cells := make([]string, 0, len(l.row))
	cellCol := 0
	for {
		var kind int
		if l.pending {
			kind = elRow
		} else {
			tok, err := l.sc.next()
			if err != nil {
				return nil, err
			}
			if tok == tokEOF {
				break
			}
			if tok == tokEnd {
				if k, _ := elementKind(l.sc.name); k == elSheetData {
					return cells, nil
				}
				continue
			}
			if tok != tokStart {
				continue
			}
			if kind, err = elementKind(l.sc.name); err != nil {
				return nil, err
			}
		}
		switch kind {
		case elRow:
			num, numErr := l.pendingNum, l.pendingErr
			if !l.pending {
				num, numErr = rowNumAttr(l.sc.attrs)
			}
			if num > excelize.TotalRows {
				l.rowsErr, l.pending = excelize.ErrMaxRows, false
				return cells, l.rowsErr
			} else if num != 0 {
				l.curRow = num
			} else if !l.pending {
				l.curRow++
			}
			if l.curRow > l.seekRow || numErr != nil {
				l.pending = false
				return cells, numErr
			}
		case elC:
			cellCol++
			var err error
			if cells, cellCol, err = l.cell(cells, cellCol); err != nil {
				return cells, err
			}
		}
		l.pending = false
	}
	return cells, nil
}

// The elements the row reader looks at.
const (
	elOther = iota
	elRow
	elC
	elV
	elF
	elIs
	elT
	elSheetData
)

var elementKinds = map[string]int{"row": elRow, "c": elC, "v": elV, "f": elF, "is": elIs, "t": elT, "sheetData": elSheetData}

// elementKind classifies an element by its local name, as excelize does;
// a prefixed name that excelize would take for one of these is left to it.
func elementKind(name []byte) (int, error) {
	local := localName(name)
	k := elementKinds[string(local)]
	if k != elOther && len(local) != len(name) {
		return k, errLeanUnsupported
	}
	return k, nil
}

// rowNumAttr is excelize's attrValToInt("r", ...).
func rowNumAttr(attrs []rawAttr) (int, error) {
	val := 0
	for _, a := range attrs {
		if string(localName(a.name)) != "r" {
			continue
		}
		v := a.value
		if !a.plain {
			v, _ = unescapeText(v, false)
		}
		var err error
		if val, err = atoiBytes(v); err != nil {
			return val, err
		}
	}
	return val, nil
}

// atoiBytes is strconv.Atoi, without converting short runs of digits.
func atoiBytes(b []byte) (int, error) {
	if len(b) > 0 && len(b) < 10 {
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return strconv.Atoi(string(b))
			}
			n = n*10 + int(c-'0')
		}
		return n, nil
	}
	return strconv.Atoi(string(b))
}

// cell reads one <c> element (its start just read) as excelize's
// rowXMLHandler and cellXMLHandler do, and appends its value.
func (l *leanRows) cell(cells []string, col int) ([]string, int, error) {
	// r and t are copied: the scanner's slices do not outlive its next call.
	var rBuf, tBuf [16]byte
	r, t := rBuf[:0], tBuf[:0]
	for _, a := range l.sc.attrs {
		v := a.value
		if !a.plain {
			v, _ = unescapeText(v, false)
		}
		switch string(localName(a.name)) {
		case "r":
			r = append(r[:0], v...)
		case "s":
			if _, err := strconv.ParseInt(string(v), 10, 64); err != nil {
				return cells, col, errLeanUnsupported
			}
		case "t":
			t = append(t[:0], v...)
		}
	}
	var (
		val, isT            string
		hasF, hasIS, hasIST bool
		err                 error
	)
	for {
		tok, err := l.sc.next()
		if err != nil {
			return cells, col, err
		}
		if tok == tokEOF {
			return cells, col, errLeanUnsupported
		}
		if tok == tokEnd {
			if string(l.sc.name) == "c" {
				break
			}
			continue
		}
		if tok != tokStart {
			continue
		}
		if isPrefixed(l.sc.name) {
			return cells, col, errLeanUnsupported
		}
		switch string(l.sc.name) {
		case "v":
			if val, err = l.elementText(); err != nil {
				return cells, col, err
			}
		case "f":
			if !formulaAttrsOK(l.sc.attrs) {
				return cells, col, errLeanUnsupported
			}
			hasF = true
			if _, err = l.elementText(); err != nil {
				return cells, col, err
			}
		case "is":
			hasIS = true
			if err = l.inlineString(&isT, &hasIST); err != nil {
				return cells, col, err
			}
		}
	}
	if len(r) > 0 {
		if col, err = cellCol(r); err != nil {
			return cells, col, err
		}
	}
	blank := col - len(cells)
	switch string(t) {
	case "s":
		if val != "" {
			if !l.sstMem {
				return cells, col, errLeanUnsupported
			}
			i, _ := strconv.Atoi(strings.TrimSpace(val))
			val = l.sharedString(i)
		}
	case "inlineStr":
		if hasIS {
			val = ""
			if hasIST && isT != "" {
				val = bstrUnmarshal(isT)
			}
		}
	}
	if val != "" || hasF {
		for i := 1; i < blank; i++ {
			cells = append(cells, "")
		}
		cells = append(cells, val)
	}
	return cells, col, nil
}

// cellCol is the column of excelize's CellNameToCoordinates.
func cellCol(r []byte) (int, error) {
	i := 0
	col := 0
	for i < len(r) && i < 3 && 'A' <= r[i] && r[i] <= 'Z' {
		col = col*26 + int(r[i]-'A'+1)
		i++
	}
	if i > 0 && i < len(r) && len(r)-i <= 7 && col <= excelize.MaxColumns {
		row := 0
		j := i
		for j < len(r) && '0' <= r[j] && r[j] <= '9' {
			row = row*10 + int(r[j]-'0')
			j++
		}
		if j == len(r) && row >= 1 && row <= excelize.TotalRows {
			return col, nil
		}
	}
	c, _, err := excelize.CellNameToCoordinates(string(r))
	return c, err
}

// formulaAttrsOK reports whether encoding/xml decodes the attributes of
// an <f> element into excelize's formula struct without an error.
func formulaAttrsOK(attrs []rawAttr) bool {
	for _, a := range attrs {
		v := a.value
		if !a.plain {
			v, _ = unescapeText(v, false)
		}
		if len(v) == 0 {
			continue
		}
		switch string(localName(a.name)) {
		case "aca", "dt2D", "dtr", "del1", "del2", "ca", "bx":
			if _, err := strconv.ParseBool(strings.TrimSpace(string(v))); err != nil {
				return false
			}
		case "si":
			if _, err := strconv.ParseInt(strings.TrimSpace(string(v)), 10, 64); err != nil {
				return false
			}
		}
	}
	return true
}

// elementText reads the element whose start was just read to its end and
// returns its own character data, as encoding/xml decodes it into a
// string: the text of nested elements is skipped.
func (l *leanRows) elementText() (string, error) {
	// The scanner's slices hold only until its next call: the first text
	// is kept as a string, later ones (rare) are added to it.
	var val string
	var acc []byte
	texts := 0
	depth := 0
	for {
		tok, err := l.sc.next()
		if err != nil {
			return "", err
		}
		switch tok {
		case tokEOF:
			return "", errLeanUnsupported
		case tokStart:
			depth++
		case tokEnd:
			if depth == 0 {
				if texts > 1 {
					return string(acc), nil
				}
				return val, nil
			}
			depth--
		case tokText:
			if depth > 0 {
				continue
			}
			text := l.sc.text
			if !plainText(text) {
				text, _ = unescapeText(text, true)
			}
			switch texts {
			case 0:
				val = string(text)
			case 1:
				acc = append(append(acc, val...), text...)
			default:
				acc = append(acc, text...)
			}
			texts++
		}
	}
}

// inlineString reads an <is> element as encoding/xml decodes it into
// excelize's xlsxSI: the text of its (last) <t>; runs and phonetic parts
// are left to excelize.
func (l *leanRows) inlineString(t *string, hasT *bool) error {
	depth := 0
	for {
		tok, err := l.sc.next()
		if err != nil {
			return err
		}
		switch tok {
		case tokEOF:
			return errLeanUnsupported
		case tokStart:
			if depth > 0 {
				depth++
				continue
			}
			switch string(localName(l.sc.name)) {
			case "r", "rPh", "phoneticPr":
				return errLeanUnsupported
			case "t":
				if isPrefixed(l.sc.name) {
					return errLeanUnsupported
				}
				if *t, err = l.elementText(); err != nil {
					return err
				}
				*hasT = true
			default:
				depth++
			}
		case tokEnd:
			if depth == 0 {
				return nil
			}
			depth--
		}
	}
}

// loadSST makes excelize read the shared-string table, as its Columns
// does before every row it reads, and fails where that read fails.
func (l *leanRows) loadSST() error {
	if l.f.SharedStrings != nil {
		if l.sst == nil {
			l.sst = make([]string, len(l.f.SharedStrings.SI))
			l.sstDone = make([]bool, len(l.sst))
		}
		return nil
	}
	rows, err := excelizeRows(l.f, l.sheet, l.part)
	if err != nil {
		return errLeanUnsupported
	}
	// Rows before the first one a row element holds are answered without
	// reading anything.
	for l.f.SharedStrings == nil && rows.Next() {
		_, _ = rows.Columns()
	}
	rows.Close()
	if l.f.SharedStrings == nil {
		return errLeanUnsupported
	}
	return l.loadSST()
}

func (l *leanRows) sharedString(i int) string {
	if i < 0 || i >= len(l.sst) {
		return ""
	}
	if !l.sstDone[i] {
		l.sst[i], l.sstDone[i] = l.f.SharedStrings.SI[i].String(), true
	}
	return l.sst[i]
}

// bstrExp and bstrUnmarshal are excelize's reading of the _xHHHH_ escapes
// of shared and inline strings.
var bstrExp = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)

func bstrUnmarshal(s string) (result string) {
	if !strings.Contains(s, "_x") {
		return s
	}
	matches, l, cursor := bstrExp.FindAllStringSubmatchIndex(s, -1), len(s), 0
	for _, match := range matches {
		result += s[cursor:match[0]]
		subStr := s[match[0]:match[1]]
		if subStr == "_x005F_" {
			cursor = match[1]
			result += "_"
			continue
		}
		if bstrExp.MatchString(subStr) {
			cursor = match[1]
			v, _ := strconv.Unquote(`"\u` + s[match[0]+2:match[1]-1] + `"`)
			result += v
		}
	}
	if cursor < l {
		result += s[cursor:]
	}
	return result
}

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
// the part can be read as excelize reads it, else with excelize.
func openSheetRows(f *excelize.File, sheet string) (rowSource, error) {
	if l := openLeanRows(f, sheet); l != nil {
		return l, nil
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, err
	}
	return &xlsxRows{rows: rows}, nil
}

func openLeanRows(f *excelize.File, sheet string) *leanRows {
	part, ok := sheetPart(f, sheet)
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
	rc, closer, err := openZipPart(f.Path, part)
	if err != nil {
		return nil
	}
	l.sc, l.closer = newXMLScanner(rc), closer
	return l
}

// openZipPart opens the worksheet part that excelize unzipped to a
// temporary file (it holds only large worksheets in memory that way)
// straight from the workbook on disk. excelize has checked the sizes the
// zip directory declares, and archive/zip refuses a part that inflates
// past its declared size.
func openZipPart(path, part string) (io.Reader, io.Closer, error) {
	if path == "" || !strings.HasPrefix(strings.ToLower(part), "xl/worksheets/sheet") {
		return nil, nil, errLeanUnsupported
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, nil, err
	}
	zr, err := zip.NewReader(file, st.Size())
	if err != nil {
		file.Close()
		return nil, nil, err
	}
	var found *zip.File
	for _, zf := range zr.File {
		if strings.ReplaceAll(zf.Name, "\\", "/") == part {
			if found != nil {
				file.Close()
				return nil, nil, errLeanUnsupported
			}
			found = zf
		}
	}
	if found == nil || found.FileInfo().IsDir() || int64(found.UncompressedSize64) <= xlsxOptions(st.Size()).UnzipXMLSizeLimit {
		file.Close()
		return nil, nil, errLeanUnsupported
	}
	rc, err := found.Open()
	if err != nil {
		file.Close()
		return nil, nil, err
	}
	return rc, multiCloser{rc, file}, nil
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
func sheetPart(f *excelize.File, sheet string) (string, bool) {
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
			if _, ok := f.Pkg.Load(p); ok || tempWorksheet(f, p) {
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

// tempWorksheet reports whether p is a part excelize has not read into
// memory but may have unzipped to a temporary file: a large worksheet.
func tempWorksheet(f *excelize.File, p string) bool {
	return f.Path != "" && strings.HasPrefix(strings.ToLower(p), "xl/worksheets/sheet")
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
