package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"RELIEFGAP_DB": "sqlite:" + filepath.Join(dir, "rg.db")}
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(good, []byte("iso3,year,drug,consumption,unit\nKEN,2020,morphine,12,kg\n"), 0o644)
	pop := filepath.Join(dir, "pop.csv")
	os.WriteFile(pop, []byte("iso3,year,population\nKEN,2020,50000000\n"), 0o644)
	if out, errs, code := runCmd(t, env, "import", good, pop); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	country := filepath.Join(dir, "ken.xlsx")
	if out, errs, code := runCmd(t, env, "report", "--country", "ken", "--from", "2020", "--to", "2020", "-o", country); code != 0 || !strings.Contains(out, "wrote") {
		t.Fatalf("report --country: %d %s %s", code, out, errs)
	}
	f, err := excelize.OpenFile(country)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// KEN 2020: 12,000 g × 1,000 mg/g ÷ 50,000,000 = 0.24 mg ME per person.
	if v, _ := f.GetCellValue("Trend", "C5", excelize.Options{RawCellValue: true}); v != "0.24" {
		t.Errorf("Trend!C5 = %q, want 0.24", v)
	}
	world := filepath.Join(dir, "world.xlsx")
	if out, errs, code := runCmd(t, env, "report", "--world", "--year", "2020", "-o", world); code != 0 {
		t.Fatalf("report --world: %d %s %s", code, out, errs)
	}
	w, err := excelize.OpenFile(world)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if got := w.GetSheetList(); !slices.Equal(got, []string{"Ranking", "Aggregates", "Methodology", "Sources"}) {
		t.Errorf("world sheets = %q", got)
	}
	for _, args := range [][]string{
		{"report", "--world", "-o", world},                            // no year
		{"report", "--country", "KEN"},                                // no file
		{"report", "--country", "KEN", "--world", "-o", world},        // two scopes
		{"report", "--country", "KEN", "--year", "2020", "-o", world}, // year for a country
	} {
		if _, _, code := runCmd(t, env, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}
