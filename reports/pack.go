package reports

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/reliefgap/reliefgap/internal/access"
)

// Meta is what a report pack says about itself: the data it was built from
// and how to cite it. Every field may be empty; the sheets say so.
type Meta struct {
	// DataVersion is the data version the figures were computed at.
	DataVersion int64
	// DataAsOf is when that data version was made; zero if unknown.
	DataAsOf time.Time
	// Generated is when the report was made (document properties and the
	// Summary); zero leaves it out, which keeps golden files stable.
	Generated time.Time
	// Publisher names who publishes the report ("reliefgap" when empty).
	Publisher string
	// Licence is the licence the report itself is released under.
	Licence string
	// Citation says how to cite the report; empty for the default wording.
	Citation string
	// Permalink is an address that answers these figures again, if any.
	Permalink string
}

// Source is one upload behind the figures, with its terms.
type Source struct {
	UploadID   int64
	Kind       string // consumption, estimates, population, deaths, countries
	Filename   string
	SHA256     string
	ReceivedAt time.Time
	Role       string // the role of who sent it: admin, ministry, advocate, operator
	Country    string // the country a ministry upload is for; "" for many
	// Source, Licence and Citation are the publisher's name, the terms the
	// data is under and how to cite it, as the upload recorded them (given
	// on upload or defaulted for a recognised publisher); empty ones read
	// "not recorded".
	Source   string
	Licence  string
	Citation string
}

// GlossaryEntry explains one flag or band in plain words.
type GlossaryEntry struct {
	Term    string // the flag (a prefix ending in ':' takes a drug or cause) or band label
	Kind    string // "flag", "band: <table>"
	Meaning string
}

// Styles of a pack.
type styles struct {
	title, subtitle, header, text, wrap, integer, dec1, dec2, dec4, pct, note, bold int
}

// book is a workbook being written, keeping the first error.
type book struct {
	f   *excelize.File
	st  styles
	err error
	n   int // sheets added
}

func newBook() (*book, error) {
	b := &book{f: excelize.NewFile()}
	// The first sheet is the active one. Set while it is the only sheet:
	// SetActiveSheet reads every worksheet, and reading a streamed one
	// back would parse all its rows into memory again.
	b.f.SetActiveSheet(0)
	mk := func(s *excelize.Style) int {
		if b.err != nil {
			return 0
		}
		id, err := b.f.NewStyle(s)
		b.err = err
		return id
	}
	num := func(code string) *excelize.Style { c := code; return &excelize.Style{CustomNumFmt: &c} }
	b.st = styles{
		title:    mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}),
		subtitle: mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 11}}),
		header: mk(&excelize.Style{
			Font:      &excelize.Font{Bold: true},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
			Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"},
			Border:    []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}},
		}),
		text:    mk(&excelize.Style{NumFmt: 49}), // "@": text, so a spreadsheet never reads it as a formula
		wrap:    mk(&excelize.Style{NumFmt: 49, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}),
		integer: mk(num("#,##0")),
		dec1:    mk(num("#,##0.0")),
		dec2:    mk(num("#,##0.00")),
		dec4:    mk(num("#,##0.0000")),
		pct:     mk(num("0.0")),
		note:    mk(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "595959"}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}),
		bold:    mk(&excelize.Style{Font: &excelize.Font{Bold: true}}),
	}
	if b.err != nil {
		b.f.Close()
		return nil, b.err
	}
	return b, nil
}

// sheet adds a worksheet (the first renames the default one) and returns
// a writer for it.
func (b *book) sheet(name string) *ws {
	if b.err == nil {
		if b.n == 0 {
			b.err = b.f.SetSheetName(b.f.GetSheetName(0), name)
		} else {
			_, b.err = b.f.NewSheet(name)
		}
	}
	b.n++
	return &ws{b: b, name: name}
}

// ws writes cells of one worksheet.
type ws struct {
	b    *book
	name string
	row  int // the last row written
}

// cell is a value with a style; style 0 picks one by the value's type.
type cell struct {
	v     any
	style int
}

// put writes v at column col (1-based) of row r. Values may be string,
// *string, int, int64, float64, *float64 or cell; nil, a nil pointer, NaN
// or ±Inf leave the cell empty. Text goes through SetCellStr: it is stored
// as a string and never read as a formula.
func (w *ws) put(col, r int, v any, style int) {
	b := w.b
	if b.err != nil {
		return
	}
	if c, ok := v.(cell); ok {
		v, style = c.v, c.style
	}
	name, err := excelize.CoordinatesToCellName(col, r)
	if err != nil {
		b.err = err
		return
	}
	written := true
	switch v := v.(type) {
	case nil:
		written = false
	case string:
		if v == "" {
			written = false
		} else {
			err = b.f.SetCellStr(w.name, name, v)
		}
	case *string:
		if v == nil {
			written = false
		} else {
			err = b.f.SetCellStr(w.name, name, *v)
		}
	case int:
		err = b.f.SetCellInt(w.name, name, int64(v))
	case int64:
		err = b.f.SetCellInt(w.name, name, v)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			written = false
		} else {
			err = b.f.SetCellFloat(w.name, name, v, -1, 64)
		}
	case *float64:
		if v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
			written = false
		} else {
			err = b.f.SetCellFloat(w.name, name, *v, -1, 64)
		}
	default:
		err = fmt.Errorf("sheet %s cell %s: unsupported value %T", w.name, name, v)
	}
	if err == nil && style != 0 && (written || style == b.st.header) {
		err = b.f.SetCellStyle(w.name, name, name, style)
	}
	if err != nil {
		b.err = err
	}
}

// line writes the next row from column A, each value with the style at
// the same index of styles (or none).
func (w *ws) line(vals []any, styles ...int) {
	w.row++
	for i, v := range vals {
		st := 0
		if i < len(styles) {
			st = styles[i]
		}
		w.put(i+1, w.row, v, st)
	}
}

// text writes one text row: a label and values, the label in bold.
func (w *ws) pair(label string, v any, style int) {
	w.row++
	w.put(1, w.row, label, w.b.st.bold)
	w.put(2, w.row, v, style)
}

// title writes the sheet's title and an optional subtitle line.
func (w *ws) title(t, sub string) {
	w.row++
	w.put(1, w.row, t, w.b.st.title)
	if sub != "" {
		w.row++
		w.put(1, w.row, sub, w.b.st.note)
	}
	w.row++ // a blank row
}

// header writes a header row; headers carry their units.
func (w *ws) header(cols ...string) {
	w.row++
	for i, c := range cols {
		w.put(i+1, w.row, c, w.b.st.header)
	}
}

// widths sets the widths of columns A, B, ... in order.
func (w *ws) widths(ws ...float64) {
	for i, x := range ws {
		if w.b.err != nil {
			return
		}
		c, _ := excelize.ColumnNumberToName(i + 1)
		w.b.err = w.b.f.SetColWidth(w.name, c, c, x)
	}
}

// freeze keeps rows 1..rows and columns A..cols in view.
func (w *ws) freeze(rows, cols int) {
	if w.b.err != nil {
		return
	}
	tl, _ := excelize.CoordinatesToCellName(cols+1, rows+1)
	w.b.err = w.b.f.SetPanes(w.name, &excelize.Panes{Freeze: true, XSplit: cols, YSplit: rows, TopLeftCell: tl, ActivePane: "bottomRight"})
}

// printSetup sets landscape A4 fitted to the page width and repeats rows
// 1..titleRows on every printed page.
func (b *book) printSetup(sheet string, titleRows int) {
	if b.err != nil {
		return
	}
	orient, w, h, size := "landscape", 1, 0, 9
	fit := true
	if b.err = b.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &orient, FitToWidth: &w, FitToHeight: &h, Size: &size}); b.err != nil {
		return
	}
	if b.err = b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); b.err != nil {
		return
	}
	if titleRows > 0 {
		b.err = b.f.SetDefinedName(&excelize.DefinedName{
			Name:     "_xlnm.Print_Titles",
			RefersTo: fmt.Sprintf("%s!$1:$%d", quoteSheet(sheet), titleRows),
			Scope:    sheet,
		})
	}
}

// quoteSheet quotes a sheet name for a reference.
func quoteSheet(name string) string {
	return "'" + strings.ReplaceAll(name, "'", "''") + "'"
}

// ref is an absolute reference to a range of sheet.
func ref(sheet string, col1, row1, col2, row2 int) string {
	a, _ := excelize.CoordinatesToCellName(col1, row1, true)
	z, _ := excelize.CoordinatesToCellName(col2, row2, true)
	return quoteSheet(sheet) + "!" + a + ":" + z
}

// cellRef is an absolute reference to one cell of sheet.
func cellRef(sheet string, col, row int) string {
	a, _ := excelize.CoordinatesToCellName(col, row, true)
	return quoteSheet(sheet) + "!" + a
}

// finish sets the document properties and returns the bytes.
func (b *book) finish(title, subject, keywords string, m Meta) ([]byte, error) {
	defer b.f.Close()
	if b.err != nil {
		return nil, b.err
	}
	props := &excelize.DocProperties{
		Title:       title,
		Subject:     subject,
		Creator:     or(m.Publisher, "reliefgap"),
		Keywords:    keywords,
		Category:    "controlled medicines; palliative care",
		Description: fmt.Sprintf("Data version %d. %s", m.DataVersion, citation(title, m)),
		Language:    "en",
		Identifier:  m.Permalink,
	}
	if !m.Generated.IsZero() {
		props.Created = m.Generated.UTC().Format(time.RFC3339)
		props.Modified = props.Created
	}
	if err := b.f.SetDocProps(props); err != nil {
		return nil, err
	}
	buf, err := b.f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// citation is how to cite a report titled title.
func citation(title string, m Meta) string {
	if m.Citation != "" {
		return m.Citation
	}
	c := fmt.Sprintf("%s. %s. Data version %d", or(m.Publisher, "reliefgap"), title, m.DataVersion)
	if !m.DataAsOf.IsZero() {
		c += " of " + m.DataAsOf.UTC().Format("2 January 2006")
	}
	if m.Permalink != "" {
		c += ". " + m.Permalink
	}
	return c + "."
}

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// usedTables returns the tables of all named by m, in the order of m.
func usedTables(m access.Methods, all []access.FactorTable) []access.FactorTable {
	refs := []access.Ref{m.ME, m.SDDD, m.Basket, m.INCBBands, m.BenchmarkBands, m.BenchmarkReference, m.ACMBands}
	if m.NeedModel != nil {
		refs = append(refs, *m.NeedModel)
	}
	for _, r := range m.NeedModels {
		if m.NeedModel == nil || r != *m.NeedModel {
			refs = append(refs, r)
		}
	}
	var out []access.FactorTable
	for _, r := range refs {
		for _, t := range all {
			if t.Name == r.Name && t.Version == r.Version {
				out = append(out, t)
				break
			}
		}
	}
	return out
}

func table(all []access.FactorTable, r access.Ref) (access.FactorTable, bool) {
	for _, t := range all {
		if t.Name == r.Name && t.Version == r.Version {
			return t, true
		}
	}
	return access.FactorTable{}, false
}
