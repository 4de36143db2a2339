package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
)

// --model on every gaps form puts that model in the headline fields; the
// default is benchmark; an unknown model is refused, naming the known ones.
func TestGapsModelFlag(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"RELIEFGAP_DB": "sqlite:" + filepath.Join(dir, "rg.db")}
	cons := filepath.Join(dir, "cons.csv")
	os.WriteFile(cons, []byte("iso3,year,drug,consumption,unit\nKEN,2020,morphine,12,kg\n"), 0o644)
	pop := filepath.Join(dir, "pop.csv")
	os.WriteFile(pop, []byte("iso3,year,population\nKEN,2020,50000000\n"), 0o644)
	if out, errs, code := runCmd(t, env, "import", cons, pop); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	// Default (benchmark): need 256 mg × 50,000,000 = 12,800,000,000 mg; consumed 12,000,000 mg;
	// 100 × 12,000,000 ÷ 12,800,000,000 = 0.09375% of need met.
	var g access.CountryGaps
	out, _, code := runCmd(t, env, "gaps", "--country", "KEN", "--year", "2020", "--format", "json")
	if err := json.Unmarshal([]byte(out), &g); err != nil || code != 0 {
		t.Fatalf("gaps: %d %v %s", code, err, out)
	}
	if y := g.Years[0]; g.Methods.NeedModel.Name != access.ModelBenchmark || *y.NeedMEMg != 12.8e9 || *y.NeedMetPct != 0.09375 {
		t.Fatalf("default model: %+v %v %v", g.Methods.NeedModel, *y.NeedMEMg, y.NeedMetPct)
	}
	out, _, code = runCmd(t, env, "gaps", "--country", "KEN", "--year", "2020", "--format", "json", "--model", "cancer-hiv")
	if err := json.Unmarshal([]byte(out), &g); err != nil || code != 0 || g.Methods.NeedModel.Name != access.ModelCancerHIV {
		t.Fatalf("--model cancer-hiv: %d %v %+v", code, err, g.Methods.NeedModel)
	}
	for _, scope := range [][]string{{"--world"}, {"--region", "AFR"}, {"--income", "LMC"}} {
		args := append(append([]string{"gaps"}, scope...), "--year", "2020", "--format", "json", "--model", "cancer-hiv")
		var grp access.GroupGaps
		out, _, code = runCmd(t, env, args...)
		if err := json.Unmarshal([]byte(out), &grp); err != nil || code != 0 || grp.Methods == nil || grp.Methods.NeedModel.Name != access.ModelCancerHIV {
			t.Errorf("%v: %d %v %s", scope, code, err, out)
		}
		args[len(args)-1] = "nope"
		if _, errs, code := runCmd(t, env, args...); code == 0 || !strings.Contains(errs, "benchmark, cancer-hiv") {
			t.Errorf("%v --model nope: exit %d, %s", scope, code, errs)
		}
	}
}
