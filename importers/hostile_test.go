package importers

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
)

// 1e303 kg was accepted and, above 1.8e305 kg, stored as +Inf. Anything
// over 10⁶ kg is an error on its cell; 10⁶ kg itself is accepted.
func TestQuantityOverMillionKgIsAnError(t *testing.T) {
	c := parseCSV(t, "ISO3,Year,Drug,Consumption,Unit\n"+
		"KEN,2012,morphine,1e303,kg\n"+
		"KEN,2013,morphine,1.8e305,kg\n"+
		"KEN,2014,morphine,1000001,kg\n"+
		"KEN,2015,morphine,1000000,kg\n")
	got := c.withCode(CodeImplausible)
	if len(got) != 3 || got[0].Row != 2 || got[1].Row != 3 || got[2].Row != 4 || got[0].Column != "D" {
		t.Fatalf("implausible = %+v", got)
	}
	if len(c.errors()) != 3 {
		t.Fatalf("errors = %+v", c.errors())
	}
	if len(c.b.Consumption) != 1 || *c.b.Consumption[0].Grams != 1e9 {
		t.Fatalf("records = %+v", c.b.Consumption)
	}
}

// zipBomb is a minimal .xlsx whose shared-strings part inflates to n
// bytes of one repeated letter: a few hundred KB on disk for 1 GiB
// inflated. It is built here, never committed.
func zipBomb(t testing.TB, n int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	put("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`)
	put("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	put("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	put("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`)
	put("xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>`)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "xl/sharedStrings.xml", Method: zip.Deflate})
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>`)
	chunk := []byte(strings.Repeat("A", 1<<20))
	for written := int64(0); written < n; written += int64(len(chunk)) {
		w.Write(chunk)
	}
	io.WriteString(w, `</t></si></sst>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// An .xlsx inflating to over 1 GiB is refused before anything is inflated,
// with a message naming the bound.
func TestXLSXZipBombRefused(t *testing.T) {
	data := zipBomb(t, 1<<30+1)
	t.Logf("zip bomb: %d bytes on disk, 1 GiB inflated", len(data))
	_, err := New().Parse(context.Background(), access.ParseInput{Filename: "bomb.xlsx", Data: data, Resolver: smallResolver(), SaltBase: testSaltBase},
		func(access.Batch) error { return nil })
	// Refused by the shared-string bound or by the overall unzip bound,
	// whichever is met first; both name their bound in MiB.
	if access.ErrorCode(err) != access.Invalid || !strings.Contains(access.ErrorMessage(err), "MiB when unzipped") {
		t.Fatalf("Parse = %v", err)
	}
}

// A shared-string table larger than maxSharedStrings is refused from the
// zip directory alone, however small the file; a real table passes.
func TestSharedStringTableBound(t *testing.T) {
	bomb := zipBomb(t, maxSharedStrings+1) // 32 MiB + 1 byte of one string
	if err := checkSharedStrings(bytes.NewReader(bomb), int64(len(bomb))); !errors.Is(err, errSharedStrings) {
		t.Fatalf("a %d-byte file with a 32 MiB + 1 shared string: %v", len(bomb), err)
	}
	small := zipBomb(t, 1<<20)
	if err := checkSharedStrings(bytes.NewReader(small), int64(len(small))); err != nil {
		t.Fatalf("a 1 MiB table: %v", err)
	}
	if err := checkSharedStrings(bytes.NewReader([]byte("not a zip")), 9); err != nil {
		t.Fatalf("not a zip: %v (excelize reports it)", err)
	}
}

func TestUnzipLimit(t *testing.T) {
	for _, tc := range []struct {
		size int64
		want int64
	}{
		{1000, 16 << 20},               // floor: 100 KB < 16 MiB
		{1 << 20, 100 << 20},           // 1 MiB × 100
		{10 << 20, 256 << 20},          // 1000 MiB capped at 256 MiB
		{200 * 1024, 200 * 1024 * 100}, // 20,480,000 bytes
	} {
		if got := unzipLimit(tc.size); got != tc.want {
			t.Errorf("unzipLimit(%d) = %d, want %d", tc.size, got, tc.want)
		}
	}
}
