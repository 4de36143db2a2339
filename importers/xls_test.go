package importers

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
)

// xlsSample is a BIFF8 workbook from the reader's own module (no binary
// file is kept in this repository); the test skips when the module cache
// does not have it.
func xlsSample(t testing.TB) []byte {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/shakinm/xlsReader").Output()
	if err != nil {
		t.Skipf("the xlsReader module is not at hand: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "testfie", "small_1_sheet.xls"))
	if err != nil {
		t.Skipf("no sample .xls: %v", err)
	}
	return b
}

// TestXLSIsRead: a BIFF8 workbook is read as a workbook (its sheets and
// cells reach the table finder), and damaged .xls bytes are an Invalid
// error, never a panic.
func TestXLSIsRead(t *testing.T) {
	data := xlsSample(t)
	sheets, err := xlsSheets(data, withDefaults(access.Limits{}))
	if err != nil || len(sheets) != 1 {
		t.Fatalf("sheets %d, %v", len(sheets), err)
	}
	src, _ := sheets[0].open()
	cells := 0
	for src.Next() {
		for _, c := range src.Row() {
			if c != "" {
				cells++
			}
		}
	}
	if cells == 0 {
		t.Fatal("no cells read")
	}
	// The sample holds no country table: a readable file with no table.
	c := parse(t, access.ParseInput{Filename: "s.xls", Data: data})
	if len(c.withCode(CodeNoTable)) != 1 {
		t.Errorf("problems %+v", c.Problems)
	}
	for _, bad := range [][]byte{data[:600], append(append([]byte(nil), data[:512]...), bytes.Repeat([]byte{0xff}, 4096)...)} {
		_, err := New().Parse(context.Background(), access.ParseInput{Filename: "d.xls", Data: bad, Resolver: smallResolver()}, func(access.Batch) error { return nil })
		if access.ErrorCode(err) != access.Invalid {
			t.Errorf("damaged .xls: %v", err)
		}
	}
}

func TestODSRefusedWithAWayOut(t *testing.T) {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	w, _ := z.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
	w.Write([]byte("application/vnd.oasis.opendocument.spreadsheet"))
	z.Close()
	_, err := New().Parse(context.Background(), access.ParseInput{Filename: "stats.ods", Data: buf.Bytes(), Resolver: smallResolver()}, func(access.Batch) error { return nil })
	if access.ErrorCode(err) != access.Invalid || !strings.Contains(access.ErrorMessage(err), "Save As") {
		t.Errorf("ods: %v", err)
	}
}
