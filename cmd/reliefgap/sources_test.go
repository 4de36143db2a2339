package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/reliefgap/reliefgap/internal/access"
)

// import --source names a population series; a second series changes no
// figure until "sources default" chooses it; gaps --as-of answers the
// figures of an earlier data version.
func TestSourcesAndAsOf(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"RELIEFGAP_DB": "sqlite:" + filepath.Join(dir, "rg.db")}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cons := write("cons.csv", "iso3,year,drug,consumption,unit\nKEN,2020,morphine,12,kg\n")
	wpp := write("wpp.csv", "iso3,year,population\nKEN,2020,50000000\n")
	wdi := write("wdi.csv", "iso3,year,population\nKEN,2020,60000000\n")
	if out, errs, code := runCmd(t, env, "import", "--source", "UN WPP 2019", "--licence", "CC BY 3.0 IGO", wpp); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	if out, errs, code := runCmd(t, env, "import", cons); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	gaps := func(extra ...string) access.CountryGaps {
		t.Helper()
		var g access.CountryGaps
		out, errs, code := runCmd(t, env, append([]string{"gaps", "--country", "KEN", "--year", "2020", "--format", "json"}, extra...)...)
		if err := json.Unmarshal([]byte(out), &g); err != nil || code != 0 {
			t.Fatalf("gaps %v: %d %v %s", extra, code, err, errs)
		}
		return g
	}
	first := gaps()
	// 12 kg morphine = 12,000,000 mg ME over 50,000,000 people = 0.24 mg per capita.
	if first.PopulationSource != "UN WPP 2019" || *first.Years[0].MEMgPerCapita != 0.24 {
		t.Fatalf("first: %s %v", first.PopulationSource, *first.Years[0].MEMgPerCapita)
	}
	if out, errs, code := runCmd(t, env, "import", "--source", "World Bank WDI 2024", wdi); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	if g := gaps(); g.PopulationSource != "UN WPP 2019" || *g.Years[0].MEMgPerCapita != 0.24 {
		t.Fatalf("a second source changed the figures: %s %v", g.PopulationSource, *g.Years[0].MEMgPerCapita)
	}
	out, _, _ := runCmd(t, env, "sources")
	if !strings.Contains(out, "World Bank WDI 2024") || !strings.Contains(out, "CC BY 3.0 IGO") {
		t.Errorf("sources:\n%s", out)
	}
	if _, errs, code := runCmd(t, env, "sources", "default", "population", "GBD 2019"); code == 0 {
		t.Errorf("an unknown series was accepted: %s", errs)
	}
	if out, errs, code := runCmd(t, env, "sources", "default", "population", "World Bank WDI 2024"); code != 0 {
		t.Fatalf("sources default: %d %s %s", code, out, errs)
	}
	// 12,000,000 mg ME over 60,000,000 people = 0.2 mg per capita.
	if g := gaps(); g.PopulationSource != "World Bank WDI 2024" || *g.Years[0].MEMgPerCapita != 0.2 {
		t.Fatalf("switched: %s %v", g.PopulationSource, *g.Years[0].MEMgPerCapita)
	}
	then := gaps("--as-of", fmt.Sprint(first.DataVersion))
	a, _ := json.Marshal(then)
	b, _ := json.Marshal(first)
	if string(a) != string(b) {
		t.Errorf("--as-of %d is not the first answer:\n%s\n%s", first.DataVersion, a, b)
	}
	if _, errs, code := runCmd(t, env, "gaps", "--country", "KEN", "--year", "2020", "--as-of", "999999"); code == 0 || !strings.Contains(errs, "as_of") {
		t.Errorf("--as-of in the future: exit %d %s", code, errs)
	}

	// estimate and report take --as-of too.
	if out, errs, code := runCmd(t, env, "estimate", "--country", "KEN", "--year", "2021", "--format", "json", "--as-of", fmt.Sprint(first.DataVersion)); code != 0 || !strings.Contains(out, fmt.Sprintf(`"data_version": %d`, first.DataVersion)) {
		t.Errorf("estimate --as-of: %d %s %s", code, out, errs)
	}
	if _, _, code := runCmd(t, env, "report", "--country", "KEN", "-o", filepath.Join(dir, "x.xlsx"), "--as-of", "999999"); code == 0 {
		t.Errorf("report --as-of in the future succeeded")
	}

	// The report pack's Sources sheet carries each upload's terms.
	xlsx := filepath.Join(dir, "ken.xlsx")
	if out, errs, code := runCmd(t, env, "report", "--country", "KEN", "--from", "2020", "--to", "2020", "-o", xlsx); code != 0 {
		t.Fatalf("report: %d %s %s", code, out, errs)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Sources")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		found = found || strings.Contains(strings.Join(r, "|"), "World Bank WDI 2024")
	}
	if !found {
		t.Errorf("Sources sheet lacks the series the figures used: %q", rows)
	}
}

// validate writes the comparison to the file named, from whatever the
// database holds (here, one country: most rows are "—").
func TestValidateCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"RELIEFGAP_DB": "sqlite:" + filepath.Join(dir, "rg.db")}
	cons := filepath.Join(dir, "cons.csv")
	os.WriteFile(cons, []byte("iso3,year,drug,consumption,unit\nUSA,2011,morphine,36.5,kg\nUSA,2012,morphine,36.5,kg\nUSA,2013,morphine,36.5,kg\n"), 0o644)
	pop := filepath.Join(dir, "pop.csv")
	os.WriteFile(pop, []byte("iso3,year,population\nUSA,2011,1000000\nUSA,2012,1000000\nUSA,2013,1000000\n"), 0o644)
	if out, errs, code := runCmd(t, env, "import", "--source", "test series", cons, pop); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	out := filepath.Join(dir, "VALIDATION.md")
	if o, errs, code := runCmd(t, env, "validate", "-o", out); code != 0 {
		t.Fatalf("validate: %d %s %s", code, o, errs)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// USA alone: 36,500,000 mg ÷ 100 mg ÷ 365 ÷ 1 (million) = 1,000 S-DDD per million per day.
	if md := string(b); !strings.Contains(md, "| 31453 S-DDD per million per day | 1000 | 0.03 | 1 |") || !strings.Contains(md, `population series "test series"`) {
		t.Errorf("VALIDATION.md:\n%s", md)
	}
}
