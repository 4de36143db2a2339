package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// "import --replace" makes a multi-country table withdraw the published rows
// of the countries and years it covers that it leaves out; without the flag
// it withdraws nothing.
func TestImportReplace(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"RELIEFGAP_DB": "sqlite:" + filepath.Join(dir, "rg.db"), "RELIEFGAP_LOG_LEVEL": "warn"}
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("iso3,year,drug,consumption,unit\n"+text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	first := write("a.csv", "KEN,2020,morphine,12,kg\nKEN,2020,fentanyl,0.05,kg\nUGA,2020,morphine,3,kg\n")
	if out, errs, code := runCmd(t, env, "import", first); code != 0 {
		t.Fatalf("first import: %d\n%s%s", code, out, errs)
	}
	second := write("b.csv", "KEN,2020,morphine,13,kg\nUGA,2020,morphine,3,kg\n")
	out, _, code := runCmd(t, env, "import", "--dry-run", second)
	if code != 0 || !strings.Contains(out, "removed 0") {
		t.Fatalf("without --replace: %d\n%s", code, out)
	}
	out, _, code = runCmd(t, env, "import", "--replace", second)
	if code != 0 || !strings.Contains(out, "changed 1") || !strings.Contains(out, "removed 1") {
		t.Fatalf("with --replace: %d\n%s", code, out)
	}
}
