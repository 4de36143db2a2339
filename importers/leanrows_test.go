package importers

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reliefgap/reliefgap/importers/importerstest"
	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/xuri/excelize/v2"
)

// The lean worksheet reader must return exactly what excelize's row
// reader returns (xlsxRows over Rows, raw cell values), call for call:
// these tests run both over every workbook at hand and compare.

// maxTranscriptCalls bounds the calls of Next per sheet: a sheet may
// number a row 1,048,576, and both readers then answer a million empty rows.
const maxTranscriptCalls = 20000

// transcript records what a reader answers to each call of Next, going on
// past the first false (the importers call Next again after it), and its
// error and Close.
func transcript(src rowSource, handOverAt int) string {
	var b strings.Builder
	falses := 0
	for i := 0; i < maxTranscriptCalls && falses < 3; i++ {
		var ok bool
		if l, isLean := src.(*leanRows); isLean && i == handOverAt && l.fb == nil && l.err == nil {
			// Reading merged cells loads the worksheet into excelize,
			// which must not change what the hand-over reads.
			_, _ = l.f.GetMergeCells(l.sheet)
			ok = l.handOver()
		} else {
			ok = src.Next()
		}
		if !ok {
			falses++
		}
		fmt.Fprintf(&b, "%v %d %q\n", ok, src.RowNum(), src.Row())
	}
	fmt.Fprintf(&b, "err=%v close=%v", src.Err(), src.Close())
	return b.String()
}

// openBoth opens data twice (excelize's state is per file), from memory
// or from a spooled file.
func openBoth(t testing.TB, data []byte, spool bool) (ref, lean *excelize.File, ok bool) {
	t.Helper()
	open := func() (*excelize.File, error) { return openXLSX(data, withDefaults(access.Limits{})) }
	if spool {
		path := filepath.Join(t.TempDir(), "w.xlsx")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		open = func() (*excelize.File, error) { return openXLSXFile(path, withDefaults(access.Limits{})) }
	}
	ref, err := open()
	if err != nil {
		return nil, nil, false
	}
	lean, err = open()
	if err != nil {
		ref.Close()
		t.Fatalf("second open failed: %v", err)
	}
	return ref, lean, true
}

// compareReaders reads every sheet of data with both readers and fails on
// any difference; it returns how many sheets the lean reader read itself.
func compareReaders(t testing.TB, name string, data []byte, spool bool, handOverAt int) (leanSheets int) {
	t.Helper()
	ref, lean, ok := openBoth(t, data, spool)
	if !ok {
		return 0
	}
	defer ref.Close()
	defer lean.Close()
	for _, sh := range ref.GetSheetList() {
		var want string
		if rows, err := ref.Rows(sh); err != nil {
			want = "open: " + err.Error()
		} else {
			want = transcript(&xlsxRows{rows: rows}, -1)
		}
		var got string
		src, err := openSheetRows(lean, sh, data)
		if err != nil {
			got = "open: " + err.Error()
		} else {
			l, isLean := src.(*leanRows)
			got = transcript(src, handOverAt)
			if isLean && l.fb == nil {
				leanSheets++
			}
		}
		if got != want {
			t.Errorf("%s (spool %v, hand over at %d) sheet %q:\nlean:\n%s\nexcelize:\n%s", name, spool, handOverAt, sh, clip(got), clip(want))
		}
	}
	return leanSheets
}

func clip(s string) string {
	if len(s) > 4000 {
		return s[:4000] + "…"
	}
	return s
}

// compareAll runs compareReaders from memory and from a spooled file, and
// with the lean reader handing over to excelize after a few rows.
func compareAll(t testing.TB, name string, data []byte) int {
	n := compareReaders(t, name, data, false, -1)
	compareReaders(t, name, data, true, -1)
	for _, at := range []int{0, 1, 3} {
		compareReaders(t, name, data, false, at)
	}
	return n
}

// generatedWorkbooks are workbooks written by excelize with what the
// importers meet in real files.
func generatedWorkbooks(t testing.TB) map[string][]byte {
	out := map[string][]byte{}
	save := func(name string, f *excelize.File) {
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		out[name] = buf.Bytes()
		f.Close()
	}

	f := excelize.NewFile()
	date, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	pct, _ := f.NewStyle(&excelize.Style{NumFmt: 10})
	custom := "#,##0.00 \"kg\""
	cust, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &custom})
	_ = f.SetSheetRow("Sheet1", "A1", &[]any{"Country", "Date", "Share", "Amount", "Flag", "Formula"})
	for r := 2; r < 40; r++ {
		_ = f.SetCellValue("Sheet1", "A"+strconv.Itoa(r), fmt.Sprintf("Country & <%d> \"q\" 'a'", r))
		_ = f.SetCellValue("Sheet1", "B"+strconv.Itoa(r), time.Date(2000+r, 1, r%28+1, 0, 0, 0, 0, time.UTC))
		_ = f.SetCellStyle("Sheet1", "B"+strconv.Itoa(r), "B"+strconv.Itoa(r), date)
		_ = f.SetCellValue("Sheet1", "C"+strconv.Itoa(r), float64(r)/37)
		_ = f.SetCellStyle("Sheet1", "C"+strconv.Itoa(r), "C"+strconv.Itoa(r), pct)
		_ = f.SetCellValue("Sheet1", "D"+strconv.Itoa(r), float64(r)*1234.5678)
		_ = f.SetCellStyle("Sheet1", "D"+strconv.Itoa(r), "D"+strconv.Itoa(r), cust)
		_ = f.SetCellBool("Sheet1", "E"+strconv.Itoa(r), r%2 == 0)
		_ = f.SetCellFormula("Sheet1", "F"+strconv.Itoa(r), "D"+strconv.Itoa(r)+"*2")
	}
	_ = f.SetCellValue("Sheet1", "A41", "line\r\nbreak\ttab  _x000D_ _x005F_x0041_ Côte d'Ivoire 日本")
	_ = f.SetCellValue("Sheet1", "A42", "  leading and trailing  ")
	_ = f.SetCellValue("Sheet1", "A43", 1e-7)
	_ = f.SetCellValue("Sheet1", "B43", 12345678901234567890.0)
	_ = f.SetCellValue("Sheet1", "C43", -0.0)
	_ = f.SetCellRichText("Sheet1", "A44", []excelize.RichTextRun{{Text: "rich "}, {Text: "text", Font: &excelize.Font{Bold: true}}, {Text: " _x0042_"}})
	_, _ = f.NewSheet("Empty")
	_, _ = f.NewSheet("Sparse")
	for _, c := range []string{"A1", "D7", "Z9", "AA9", "AZ9", "BA9", "ZZ12", "AAA12", "XFD13", "C1000", "B20000"} {
		_ = f.SetCellValue("Sparse", c, c)
	}
	_ = f.SetCellValue("Sparse", "E7", "")
	_ = f.SetCellFormula("Sparse", "F7", "")
	save("excelize.xlsx", f)

	f = excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	_ = sw.SetRow("A1", []any{"ISO3", "Year", "Drug", "Consumption", "Unit"})
	for r := 2; r < 300; r++ {
		_ = sw.SetRow("A"+strconv.Itoa(r), []any{"KEN", 2000 + r%20, "morphine & co", float64(r) / 8, "kg", nil, nil, ""})
	}
	_ = sw.SetRow("C305", []any{"  spaced", excelize.Cell{Value: 3, Formula: "1+2"}, true, time.Date(2020, 2, 29, 12, 0, 0, 0, time.UTC)})
	_ = sw.Flush()
	save("stream.xlsx", f)
	return out
}

// sheetXMLCases are worksheet parts written by hand: what excelize writes
// and what other producers do, and malformed parts.
var sheetXMLCases = []string{
	`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c><c r="D1" t="s"><v> 2 </v></c><c r="E1" t="s"><v>99</v></c><c r="F1" t="s"><v>x</v></c><c r="G1" t="s"><v></v></c><c r="H1" t="s"/><c r="I1" t="s"><v>3</v></c></row></sheetData></worksheet>`,
	`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\r\n" + `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="r" xmlns:x14ac="x"><dimension ref="A1:C3"/><sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetData><row r="1" spans="1:3" x14ac:dyDescent="0.25"><c r="A1" s="1"><v>1.5</v></c><c r="B1" t="str"><f>A1*2</f><v>3</v></c><c r="C1" t="b"><v>1</v></c></row><row r="3"><c r="B3" t="e"><v>#DIV/0!</v></c><c r="C3" t="inlineStr"><is><t xml:space="preserve"> a&amp;b &lt;&gt; &#65;&#x42; &quot;</t></is></c></row></sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>`,
	// rows and cells without r, out of order, repeated
	`<worksheet><sheetData><row><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row><row r="5"><c r="B5"><v>5</v></c></row><row r="4"><c r="A4"><v>4</v></c></row><row r="5"><c r="A5"><v>55</v></c></row><row r="9"/><row r="10"><c r="A10"><v></v></c><c r="B10"><f/></c></row></sheetData></worksheet>`,
	`<worksheet><sheetData><row r="2"><c r="B2"><v>1</v></c><c r="A2"><v>2</v></c><c><v>3</v></c><c r="a2"><v>4</v></c><c r="$D$2"><v>5</v></c></row></sheetData></worksheet>`,
	// text layout: entities, CR LF, escapes, CDATA and comments (left to excelize)
	"<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>a\r\nb\rc</t></is></c><c t=\"str\"><v>x&#13;y</v></c><c t=\"inlineStr\"><is><t>_x0041__x005f__x005F_x0041_</t></is></c></row></sheetData></worksheet>",
	`<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t><![CDATA[a<b]]></t></is></c></row></sheetData></worksheet>`,
	`<worksheet><sheetData><row r="1"><c><v>1</v></c></row><!-- note --><row r="2"><c><v>2</v></c></row></sheetData></worksheet>`,
	// nested and unknown elements
	`<worksheet><sheetData><row r="1"><c><foo><v>7</v></foo></c><c><v>1<b>2</b>3</v></c><c t="inlineStr"><is><x/><t>a</t><t>b</t></is></c><c t="inlineStr"><is><r><t>run</t></r></is></c></row></sheetData></worksheet>`,
	`<worksheet><sheetData><row r="1"><c><c><v>1</v></c><v>2</v></c><c t="inlineStr"><v>plain</v></c><c t="inlineStr"><is/></c><c t="d"><v>2020-01-01T00:00:00Z</v></c></row></sheetData></worksheet>`,
	// prefixed names
	`<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>`,
	`<worksheet xmlns="m" xmlns:x="m"><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData><extLst><x:ext><x:row r="7"><x:c><x:v>9</x:v></x:c></x:row></x:ext></extLst></worksheet>`,
	// content after sheetData: a second sheetData, rows outside it
	`<worksheet><sheetData><row r="1"><c><v>1</v></c></row></sheetData><foo><row r="3"><c><v>3</v></c></row></foo><sheetData><row r="4"><c><v>4</v></c></row></sheetData></worksheet>`,
	`<worksheet><sheetPr><row r="2"><c><v>0</v></c></row></sheetPr><sheetData/></worksheet>`,
	// malformed: bad r values, bad cell names, huge numbers, truncation
	`<worksheet><sheetData><row r="1"><c><v>1</v></c></row><row r="x"><c><v>2</v></c></row></sheetData></worksheet>`,
	`<worksheet><sheetData><row r="x"><c><v>2</v></c></row></sheetData></worksheet>`,
	`<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c><c r="1A"><v>2</v></c></row></sheetData></worksheet>`,
	`<worksheet><sheetData><row r="1"><c r="XFE1"><v>1</v></c></row></sheetData></worksheet>`,
	`<worksheet><sheetData><row r="1048577"><c><v>1</v></c></row></sheetData></worksheet>`,
	`<worksheet><sheetData><row r="1"><c><v>1</v></c></row><row r="99999999999999999999"><c><v>1</v></c></row></sheetData></worksheet>`,
	`<worksheet><sheetData><row r="-3"><c><v>1</v></c></row><row r="0"><c><v>2</v></c></row><row r="+2"><c><v>3</v></c></row></sheetData></worksheet>`,
	`<worksheet><sheetData><row r="1"><c r="A1" s="x"><v>1</v></c><c r="B1" s="99999999999999999999"><v>2</v></c></row></sheetData></worksheet>`,
	`<worksheet><sheetData><row r="1"><c><f si="x"/><v>1</v></c><c><f ca="yes"/><v>2</v></c><c><f ca="1" si=" 3 "/><v>3</v></c></row></sheetData></worksheet>`,
	`<worksheet><sheetData><row r="1"><c><v>1</v></c></row><row r="2"><c><v>2`,
	`<worksheet><sheetData><row r="1"><c><v>1</v></c></row><row r="2"><c><v>2</c></row></sheetData></worksheet>`,
	`<worksheet><sheetData><row r="1"><c><v>a&bogus;b</v></c></row></sheetData></worksheet>`,
	"<worksheet><sheetData><row r=\"1\"><c><v>a\x01b</v></c></row></sheetData></worksheet>",
	"<worksheet><sheetData><row r=\"1\"><c><v>a\xffb</v></c></row></sheetData></worksheet>",
	`<worksheet><sheetData><row r="1"><c><v>a]]>b</v></c></row></sheetData></worksheet>`,
	`<worksheet><sheetData><row r="1" r="2"><c r="A1" r="C1"><v>1</v></c></row></sheetData></worksheet>`,
	`<worksheet><sheetData><row r='1'><c r = "B1" ><v >1</v ></c ></row ></sheetData ></worksheet >`,
	`<?xml version="1.0" encoding="ISO-8859-1"?><worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>caf` + "\xe9" + `</t></is></c></row></sheetData></worksheet>`,
	"\xef\xbb\xbf<?xml version=\"1.0\"?><worksheet><sheetData><row r=\"1\"><c><v>1</v></c></row></sheetData></worksheet>",
	`<worksheet><sheetData><row r="1"><c><v>1</v></c></row></sheetData></worksheet><?pi x?>trailing`,
	`<worksheet><sheetData><row r="3"><c r="A3"><v>1</v></c></row><row r="1"><c r="B1"><v>2</v></c></row></sheetData></worksheet>`,
	``,
	`<worksheet/>`,
	`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>` + strings.Repeat("long text ", 40000) + `</t></is></c></row></sheetData></worksheet>`,
}

// sharedStringsXML is the shared-string table of the hand-written cases.
const sharedStringsXML = `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4">` +
	`<si><t>plain</t></si><si><r><rPr><b/></rPr><t>rich </t></r><r><t xml:space="preserve">runs</t></r></si>` +
	`<si><t>esc _x000D_ _x0041_</t><rPh sb="0" eb="1"><t>ふ</t></rPh></si><si><t/></si></sst>`

// workbookWith builds a workbook around one worksheet part.
func workbookWith(sheetXML, sst string) []byte {
	return workbookAt(sheetXML, sst, "worksheets/sheet1.xml")
}

// workbookAt builds a workbook whose sheet is the relationship target
// given, part xl/worksheets/sheet1.xml.
func workbookAt(sheetXML, sst, target string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name, body string) {
		w, _ := zw.Create(name)
		w.Write([]byte(body))
	}
	ct := `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`
	put("[Content_Types].xml", ct)
	put("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	put("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	put("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="`+target+`"/></Relationships>`)
	put("xl/worksheets/sheet1.xml", sheetXML)
	if sst != "" {
		put("xl/sharedStrings.xml", sst)
	}
	zw.Close()
	return buf.Bytes()
}

// TestLeanRowsSheetNames: names excelize refuses are refused alike.
func TestLeanRowsSheetNames(t *testing.T) {
	for _, name := range []string{"A name longer than thirty-one characters", "a[b]", "'quoted'", "S"} {
		compareAll(t, name, rezip(t, workbookWith(sheetXMLCases[1], sharedStringsXML), "xl/workbook.xml", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`name="S"`), []byte(`name="`+name+`"`), 1)
		}))
	}
}

// rezip rewrites one part of a workbook.
func rezip(t testing.TB, data []byte, part string, edit func([]byte) []byte) []byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, zf := range zr.File {
		rc, _ := zf.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if zf.Name == part {
			b = edit(b)
		}
		w, _ := zw.Create(zf.Name)
		w.Write(b)
	}
	zw.Close()
	return buf.Bytes()
}

// TestLeanRowsSharedStrings: malformed shared strings and content types,
// which excelize reads when it reads the first row.
func TestLeanRowsSharedStrings(t *testing.T) {
	x := sheetXMLCases[0]
	for i, sst := range []string{
		`<sst><si><t>a</sst>`,
		`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>a</t></si></sst>`,
		`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>a</t><r><rPr><sz val="x"/></rPr><t>b</t></r></si></sst>`,
		`<other xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>a</t></si></other>`,
		`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>_x0000_ _xD800_ _x00e9_</t></si><si><t>a&amp;b</t></si></sst>`,
	} {
		compareAll(t, fmt.Sprintf("sst %d", i), workbookWith(x, sst))
	}
	for i, ct := range []string{`<Types><Default/>`, `<Other xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`, ``} {
		data := rezip(t, workbookWith(x, sharedStringsXML), "[Content_Types].xml", func([]byte) []byte { return []byte(ct) })
		compareAll(t, fmt.Sprintf("content types %d", i), data)
		// A second sheet read after the first: excelize reads the content
		// types once.
		ref, lean, ok := openBoth(t, data, false)
		if !ok {
			continue
		}
		if rows, err := ref.Rows("S"); err == nil {
			transcript(&xlsxRows{rows: rows}, -1)
		}
		if src, err := openSheetRows(lean, "S", data); err == nil {
			transcript(src, -1)
		}
		rows, err := ref.Rows("S")
		want := fmt.Sprint(err)
		if err == nil {
			want = transcript(&xlsxRows{rows: rows}, -1)
		}
		src, err := openSheetRows(lean, "S", data)
		got := fmt.Sprint(err)
		if err == nil {
			got = transcript(src, -1)
		}
		if got != want {
			t.Errorf("content types %d, second read:\nlean:\n%s\nexcelize:\n%s", i, got, want)
		}
		ref.Close()
		lean.Close()
	}
}

func TestLeanRowsTargets(t *testing.T) {
	x := sheetXMLCases[1]
	for _, target := range []string{"/xl/worksheets/sheet1.xml", "../xl/worksheets/sheet1.xml", "./worksheets/../worksheets/sheet1.xml", "worksheets\\sheet1.xml", "Worksheets/sheet1.xml"} {
		compareAll(t, target, workbookAt(x, sharedStringsXML, target))
	}
}

func TestLeanRowsGenerated(t *testing.T) {
	for name, data := range generatedWorkbooks(t) {
		if compareAll(t, name, data) == 0 {
			t.Errorf("%s: no sheet read by the lean reader", name)
		}
	}
}

func TestLeanRowsHandWritten(t *testing.T) {
	lean := 0
	for i, x := range sheetXMLCases {
		lean += compareAll(t, fmt.Sprintf("case %d", i), workbookWith(x, sharedStringsXML))
		compareAll(t, fmt.Sprintf("case %d without shared strings", i), workbookWith(x, ""))
	}
	if lean < len(sheetXMLCases)/2 {
		t.Errorf("only %d of %d cases read by the lean reader", lean, len(sheetXMLCases))
	}
}

// TestLeanRowsFixtures: the publisher fixtures, the fuzz seeds, the shared
// data samples and any fuzz corpus in the Go cache.
func TestLeanRowsFixtures(t *testing.T) {
	inputs := map[string][]byte{}
	for _, tc := range importerstest.Cases {
		if strings.HasSuffix(tc.Fixture, ".grid") {
			_, inputs[tc.Fixture] = publisherFixture(t, tc.Fixture)
		}
	}
	inputs["seed1"] = xlsxOf(t, sheetSpec{name: "Morphine", rows: grid("(kg)", "Country|2012|2013", "Kenya|-|3", "Uganda|1,5|x")})
	inputs["seed2"] = xlsxOf(t, sheetSpec{name: "S", rows: grid("Country|Year|Drug|Unit|To be consumed|Total estimate", "KEN|2013|morphine|kg|10|12")})
	inputs["merged"] = xlsxOf(t, sheetSpec{name: "M", rows: grid("Country|Consumption||", "|2012|2013|2014", "Kenya|1|2|3"), merges: [][2]string{{"B1", "D1"}}})
	for _, dir := range []string{"testdata", filepath.Join(sharedData, "samples")} {
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(strings.ToLower(path), ".xlsx") {
				if b, err := os.ReadFile(path); err == nil {
					inputs[path] = b
				}
			}
			return nil
		})
	}
	for name, data := range fuzzCorpus(t, "FuzzParseXLSX") {
		inputs[name] = data
	}
	for name, x := range fuzzCorpus(t, "FuzzLeanSheetXML") {
		inputs[name] = workbookWith(string(x), sharedStringsXML)
	}
	for _, name := range slices.Sorted(maps.Keys(inputs)) {
		compareAll(t, name, inputs[name])
	}
}

// fuzzCorpus reads the inputs the fuzzer keeps for target: in testdata and
// in the Go build cache.
func fuzzCorpus(t testing.TB, target string) map[string][]byte {
	out := map[string][]byte{}
	dirs := []string{filepath.Join("testdata", "fuzz", target)}
	if c := os.Getenv("GOCACHE"); c != "" {
		dirs = append(dirs, filepath.Join(c, "fuzz", "github.com/reliefgap/reliefgap/importers", target))
	} else if c, err := os.UserCacheDir(); err == nil {
		dirs = append(dirs, filepath.Join(c, "go-build", "fuzz", "github.com/reliefgap/reliefgap/importers", target))
	}
	for _, dir := range dirs {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				continue
			}
			lines := strings.SplitN(string(b), "\n", 3)
			if len(lines) < 2 || !strings.HasPrefix(lines[1], "[]byte(") {
				continue
			}
			s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(lines[1]), "[]byte("), ")"))
			if err == nil {
				out[filepath.Join(dir, e.Name())] = []byte(s)
			}
		}
	}
	return out
}

// TestLeanRowsLargePart: a worksheet larger than excelize keeps in memory
// is read by the lean reader from the zip on disk.
func TestLeanRowsLargePart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 17 MB worksheet")
	}
	var b strings.Builder
	b.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for r := 1; b.Len() < xmlPartInMemory+(1<<20); r++ {
		fmt.Fprintf(&b, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>KEN</t></is></c><c r="B%d"><v>%d</v></c><c r="C%d" t="s"><v>%d</v></c><c r="D%d"><v>%g</v></c></row>`,
			r, r, r, 2000+r%20, r, r%5, r, float64(r)/7)
	}
	b.WriteString(`</sheetData></worksheet>`)
	data := workbookWith(b.String(), sharedStringsXML)
	ref, lean, ok := openBoth(t, data, true)
	if !ok {
		t.Fatal("the workbook does not open")
	}
	defer ref.Close()
	defer lean.Close()
	rows, err := ref.Rows("S")
	if err != nil {
		t.Fatal(err)
	}
	src, err := openSheetRows(lean, "S", nil)
	if err != nil {
		t.Fatal(err)
	}
	l, isLean := src.(*leanRows)
	if !isLean || l.closer == nil {
		t.Fatalf("not read from the zip by the lean reader: %T", src)
	}
	want := &xlsxRows{rows: rows}
	for i := 0; ; i++ {
		okW, okG := want.Next(), src.Next()
		if okW != okG || want.RowNum() != src.RowNum() || fmt.Sprint(want.Row()) != fmt.Sprint(src.Row()) {
			t.Fatalf("call %d: lean %v %d %q, excelize %v %d %q", i, okG, src.RowNum(), src.Row(), okW, want.RowNum(), want.Row())
		}
		if !okW {
			break
		}
	}
	if l.fb != nil {
		t.Error("the lean reader handed over")
	}
	if err := src.Close(); err != nil {
		t.Error(err)
	}
	want.Close()
}

// TestLeanRowsLongText: one text longer than the scanner's buffer, in a
// part read from the zip.
func TestLeanRowsLongText(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 17 MB worksheet")
	}
	// Random letters, so that the workbook does not inflate past its limit.
	rng := rand.New(rand.NewPCG(3, 4))
	b := make([]byte, xmlPartInMemory+(1<<20))
	for i := range b {
		b[i] = 'a' + byte(rng.IntN(26))
	}
	long := string(b)
	x := `<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>` + long + `</t></is></c><c r="C1" t="str"><v>after</v></c></row><row r="2" spans="` + long[:1<<20] + `"><c><v>2</v></c></row></sheetData></worksheet>`
	data := workbookWith(x, "")
	ref, lean, ok := openBoth(t, data, true)
	if !ok {
		t.Fatal("the workbook does not open")
	}
	defer ref.Close()
	defer lean.Close()
	rows, err := ref.Rows("S")
	if err != nil {
		t.Fatal(err)
	}
	want := transcript(&xlsxRows{rows: rows}, -1)
	src, err := openSheetRows(lean, "S", nil)
	if err != nil {
		t.Fatal(err)
	}
	if l, isLean := src.(*leanRows); !isLean || l.closer == nil {
		t.Fatalf("not read from the zip by the lean reader: %T", src)
	}
	if got := transcript(src, -1); got != want {
		t.Errorf("lean:\n%s\nexcelize:\n%s", clip(got), clip(want))
	}
}

// FuzzLeanSheetXML: whatever a worksheet part holds, the lean reader
// answers as excelize does.
func FuzzLeanSheetXML(f *testing.F) {
	for _, x := range sheetXMLCases {
		if len(x) < 10000 {
			f.Add([]byte(x))
		}
	}
	f.Fuzz(func(t *testing.T, x []byte) {
		data := workbookWith(string(x), sharedStringsXML)
		compareReaders(t, "fuzz", data, false, -1)
		compareReaders(t, "fuzz", data, false, 1)
	})
}

// BenchmarkSheetRows reads the rows of BenchmarkParseXLSX100k's workbook
// with each reader.
func BenchmarkSheetRows(b *testing.B) {
	data := benchWorkbook(b)
	read := func(b *testing.B, open func(*excelize.File) (rowSource, error)) {
		for b.Loop() {
			wb, err := openXLSX(data, withDefaults(access.Limits{}))
			if err != nil {
				b.Fatal(err)
			}
			src, err := open(wb)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for src.Next() {
				n += len(src.Row())
			}
			if n != 600006 {
				b.Fatalf("%d cells", n)
			}
			src.Close()
			wb.Close()
		}
	}
	b.Run("lean", func(b *testing.B) {
		read(b, func(wb *excelize.File) (rowSource, error) { return openSheetRows(wb, "Sheet1", data) })
	})
	b.Run("excelize", func(b *testing.B) {
		read(b, func(wb *excelize.File) (rowSource, error) {
			rows, err := wb.Rows("Sheet1")
			return &xlsxRows{rows: rows}, err
		})
	})
}
