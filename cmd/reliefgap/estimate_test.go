package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
)

func TestEstimateCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"RELIEFGAP_DB": "sqlite:" + filepath.Join(dir, "rg.db")}
	stats := filepath.Join(dir, "stats.csv")
	os.WriteFile(stats, []byte("iso3,year,drug,consumption,unit,stocks on 31 december,days out of stock\n"+
		"KEN,2011,morphine,10,kg,,\nKEN,2012,morphine,12,kg,,73\nKEN,2013,morphine,14,kg,3,\n"), 0o644)
	deaths := filepath.Join(dir, "deaths.csv")
	os.WriteFile(deaths, []byte("iso3,year,cause,deaths\nKEN,2014,neoplasms,20000\nKEN,2014,hiv-aids,0\n"), 0o644)
	if out, errs, code := runCmd(t, env, "import", stats, deaths); code != 0 {
		t.Fatalf("import: %d\n%s\n%s", code, out, errs)
	}
	out, errs, code := runCmd(t, env, "estimate", "--country", "ken", "--year", "2014", "--projection", "mean", "--format", "json", "--model", "cancer-hiv")
	if code != 0 {
		t.Fatalf("estimate: %d\n%s\n%s", code, out, errs)
	}
	var e access.SupplyEstimate
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatal(err)
	}
	l, ok := e.Line("morphine")
	// Mean of 10,000, 12,000 × 365 ÷ 292 = 15,000 and 14,000 g = 13,000 g.
	// Need: 20,000 × 6000 mg = 120 kg of morphine; phased 13 + (120 − 13) ÷ 3
	// = 48.667 kg; (c) 24.333 kg; stock 3 kg → total 48.667 + 21.333 = 70 kg.
	if !ok || *l.ConsumptionProjectionG != 13000 || *l.NeedBasedG != 120000 || !approx(l.TotalG, 70000) {
		t.Fatalf("estimate = %s", out)
	}
	if out, _, code = runCmd(t, env, "estimate", "--country", "KEN", "--year", "2014", "--phase", "1", "--stock-months", "0", "--model", "cancer-hiv"); code != 0 ||
		!strings.Contains(out, "120000.0") || !strings.Contains(out, "Art. 19(2)") {
		t.Fatalf("table: %d\n%s", code, out)
	}
	// With the ministry's expected stock of 30 kg, (c) 24.333 kg needs no top-up:
	// total = 48.667 kg + 2 kg of (b).
	out, _, code = runCmd(t, env, "estimate", "--country", "KEN", "--year", "2014", "--projection", "mean", "--format", "json",
		"--expected-stock", "morphine=30000", "--manufacture", "morphine=2000", "--model", "cancer-hiv")
	if err := json.Unmarshal([]byte(out), &e); code != 0 || err != nil {
		t.Fatalf("given figures: %d %s", code, out)
	}
	if l, _ := e.Line("morphine"); !approx(l.TotalG, 13000+(120000-13000)/3.0+2000) {
		t.Fatalf("given figures: %+v", l)
	}
	if _, _, code = runCmd(t, env, "estimate", "--country", "KEN", "--year", "2014", "--expected-stock", "morphine"); code != 2 {
		t.Fatalf("bad --expected-stock: exit %d", code)
	}
	// The default need model, benchmark: 256 mg ME × 50,000,000 people =
	// 12,800 kg ME; 13 kg of morphine is under 1% of it, so all of it is
	// oral morphine: 12,800,000 g.
	pop := filepath.Join(dir, "pop.csv")
	os.WriteFile(pop, []byte("iso3,year,population\nKEN,2014,50000000\n"), 0o644)
	if out, errs, code := runCmd(t, env, "import", pop); code != 0 {
		t.Fatalf("import population: %d\n%s\n%s", code, out, errs)
	}
	out, _, _ = runCmd(t, env, "estimate", "--country", "KEN", "--year", "2014", "--format", "json")
	e = access.SupplyEstimate{}
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatal(err)
	}
	if l, ok := e.Line("morphine"); !ok || l.NeedBasedG == nil || *l.NeedBasedG != 12_800_000 || e.Methods.NeedModel.Name != "benchmark" {
		t.Fatalf("benchmark estimate = %s", out)
	}
	xlsx := filepath.Join(dir, "e.xlsx")
	if out, _, code = runCmd(t, env, "estimate", "--country", "KEN", "--year", "2014", "--format", "xlsx", "-o", xlsx); code != 0 {
		t.Fatalf("xlsx: %d %s", code, out)
	}
	// The exported workbook imports as the ministry's estimate (dry run).
	if out, errs, code = runCmd(t, env, "import", "--dry-run", "--kind", "estimates", xlsx); code != 0 || !strings.Contains(out, "dry-run") {
		t.Fatalf("import export: %d\n%s\n%s", code, out, errs)
	}
	for _, args := range [][]string{
		{"estimate", "--year", "2014"},
		{"estimate", "--country", "KEN", "--year", "2014", "--format", "pdf"},
		{"estimate", "--country", "KEN", "--year", "2014", "--format", "xlsx"},
	} {
		if _, _, code := runCmd(t, env, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if _, errs, code := runCmd(t, env, "estimate", "--country", "KEN", "--year", "2014", "--phase", "2"); code == 0 || !strings.Contains(errs, "phase") {
		t.Errorf("phase 2: exit %d %s", code, errs)
	}
}

func approx(a, b float64) bool { return a-b < 1e-6 && b-a < 1e-6 }
