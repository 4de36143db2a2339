package importers

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/reliefgap/reliefgap/internal/access"
)

// parseWith parses in with p, collecting what it emits.
func parseWith(t *testing.T, p *Parser, in access.ParseInput) collected {
	t.Helper()
	in.Resolver, in.SaltBase = smallResolver(), testSaltBase
	var c collected
	res, err := p.Parse(context.Background(), in, func(b access.Batch) error {
		c.batches++
		c.b.Consumption = append(c.b.Consumption, b.Consumption...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c.ParseResult = res
	return c
}

// A text file read ahead while it is received (Prepare) parses exactly as
// it does without: the same records, problems (the decimal separator's
// included) and rows, whatever its encoding. A workbook is left to the
// parse, and so is a file changed since it was read ahead.
func TestPreparedFileParsesAlike(t *testing.T) {
	// Column D settles the comma as the decimal mark ("12,5", "0,25"), so
	// "1.250" reads as 1,250 kg; a row of "x" is an error.
	text := "Country;Year;Drug;Consumption (kg)\nKenya;2019;morphine;12,5\nCôte d'Ivoire;2019;morphine;0,25\nUganda;2019;morphine;1.250\nKEN;2020;morphine;x\n"
	w1252, err := charmap.Windows1252.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"utf8.csv":   []byte(text),
		"cp1252.csv": w1252,
		"book.xlsx": xlsxOf(t, sheetSpec{name: "2019", rows: [][]string{
			{"Country", "Year", "Drug", "Consumption (kg)"}, {"Kenya", "2019", "morphine", "12.5"}}}),
	}
	dir := t.TempDir()
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		in := access.ParseInput{Filename: name, Path: path}
		plain := parseWith(t, New(), in)
		p := New()
		release := p.Prepare(path, access.Limits{})
		if pr := p.preparedFor(path, access.Limits{}); (pr != nil) != (name != "book.xlsx") {
			t.Fatalf("%s: read ahead: %v", name, pr != nil)
		}
		ahead := parseWith(t, p, in)
		release()
		if len(plain.b.Consumption) == 0 {
			t.Fatalf("%s: nothing read: %+v", name, plain.Problems)
		}
		if !reflect.DeepEqual(plain.b, ahead.b) || !reflect.DeepEqual(plain.Problems, ahead.Problems) || plain.Rows != ahead.Rows {
			t.Fatalf("%s: as usual %+v %+v\nread ahead %+v %+v", name, plain.b, plain.Problems, ahead.b, ahead.Problems)
		}
		if p.preparedFor(path, access.Limits{}) != nil {
			t.Fatalf("%s: still held after release", name)
		}
	}
	if got := parseWith(t, New(), access.ParseInput{Filename: "utf8.csv", Path: filepath.Join(dir, "utf8.csv")}); got.b.Consumption[2].Grams == nil || *got.b.Consumption[2].Grams != 1250e3 {
		t.Fatalf("1.250 kg read as %+v", got.b.Consumption[2])
	}

	// Larger than the upload limit: refused before any parse, not read.
	big := New()
	small := access.Limits{MaxBytes: 10}
	defer big.Prepare(filepath.Join(dir, "utf8.csv"), small)()
	if big.preparedFor(filepath.Join(dir, "utf8.csv"), small) != nil {
		t.Fatal("a file over the upload limit was read ahead")
	}

	// Changed after it was read ahead: not the file prepared.
	path := filepath.Join(dir, "changed.csv")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	p := New()
	release := p.Prepare(path, access.Limits{})
	defer release()
	if p.preparedFor(path, access.Limits{}) == nil {
		t.Fatal("not read ahead")
	}
	later := time.Now().Add(time.Second)
	if err := os.WriteFile(path, []byte(text+"Uganda;2020;morphine;3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	if p.preparedFor(path, access.Limits{}) != nil {
		t.Fatal("a changed file was taken as read ahead")
	}
	if got := parseWith(t, p, access.ParseInput{Filename: "changed.csv", Path: path}); len(got.b.Consumption) != 4 {
		t.Fatalf("changed file: %d records", len(got.b.Consumption))
	}
}
