package importers

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/reliefgap/reliefgap/internal/access"
)

// A spooled file (ParseInput.Path, read as a stream) parses exactly as the
// same bytes in memory, whatever its encoding or format.
func TestSpooledFileParsesAlike(t *testing.T) {
	text := "Country;Year;Drug;Consumption (kg)\nKenya;2019;morphine;12,5\nCôte d'Ivoire;2019;morphine;3,25\nKEN;2020;morphine;x\n"
	w1252, err := charmap.Windows1252.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"utf8.csv":   []byte(text),
		"bom.csv":    append([]byte{0xEF, 0xBB, 0xBF}, text...),
		"cp1252.csv": w1252,
		"book.xlsx": xlsxOf(t, sheetSpec{name: "2019", rows: [][]string{
			{"Country", "Year", "Drug", "Consumption (kg)"}, {"Kenya", "2019", "morphine", "12.5"}, {"Uganda", "2019", "fentanyl", "0.25"}}}),
	}
	dir := t.TempDir()
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		mem := parse(t, access.ParseInput{Filename: name, Data: data})
		spooled := parse(t, access.ParseInput{Filename: name, Path: path})
		if len(mem.b.Consumption) == 0 {
			t.Fatalf("%s: nothing read: %+v", name, mem.Problems)
		}
		if !reflect.DeepEqual(mem.b, spooled.b) || !reflect.DeepEqual(mem.Problems, spooled.Problems) || mem.Rows != spooled.Rows {
			t.Fatalf("%s: in memory %+v %+v\nspooled %+v %+v", name, mem.b, mem.Problems, spooled.b, spooled.Problems)
		}
	}
}
