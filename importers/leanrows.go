package importers

import (
	"errors"
	"io"
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
	closer  io.Closer // the part's reader and the spooled file, when the part is read from the zip
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
	num   []bool // which cells of row the sheet stores as numbers
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

// NumericCells says which cells of the current row are numbers (a cell
// without a type, or of type n); nil once excelize has taken over.
func (l *leanRows) NumericCells() []bool {
	if l.fb != nil {
		return nil
	}
	return l.num
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
	l.num = l.num[:0]
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

// elementKind classifies an element by its local name, as excelize does;
// a prefixed name that excelize would take for one of these is left to it.
func elementKind(name []byte) (int, error) {
	local := localName(name)
	k := elOther
	switch string(local) {
	case "row":
		k = elRow
	case "c":
		k = elC
	case "v":
		k = elV
	case "f":
		k = elF
	case "is":
		k = elIs
	case "t":
		k = elT
	case "sheetData":
		k = elSheetData
	}
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
			l.num = append(l.num, false)
		}
		cells = append(cells, val)
		l.num = append(l.num, val != "" && (len(t) == 0 || string(t) == "n"))
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
