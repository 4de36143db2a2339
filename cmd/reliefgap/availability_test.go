package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Import a survey and a country-capacity export through the command line,
// then read them back with "reliefgap availability".
func TestAvailabilityCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"RELIEFGAP_DB": "sqlite:" + filepath.Join(dir, "rg.db")}
	survey := filepath.Join(dir, "survey.csv")
	os.WriteFile(survey, []byte("Country:,KEN\nSurvey year:,2014\nMedicine,Public % availability,Public facilities surveyed,Private % availability\n"+
		"Morphine 10 mg tablet,20,30,5\n"), 0o644)
	ccs := filepath.Join(dir, "ccs.csv")
	os.WriteFile(ccs, []byte("General availability of oral morphine in public primary care\nCountry,2019,2015\nKenya,Yes,No\n"), 0o644)
	if out, errs, code := runCmd(t, env, "import", survey, ccs); code != 0 {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errs)
	}
	// The same survey saved again (other bytes, same figures) changes nothing.
	again := filepath.Join(dir, "survey-again.csv")
	os.WriteFile(again, []byte("Country:,Kenya\nSurvey year:,2014\nMedicine,Public % availability,Public facilities surveyed,Private % availability\n"+
		"Morphine 10mg tab,20,30,5\n\n"), 0o644)
	if out, errs, code := runCmd(t, env, "import", again); code != 0 || !strings.Contains(out, "stored 0") || !strings.Contains(out, "unchanged 2") {
		t.Fatalf("re-import: exit %d\n%s\n%s", code, out, errs)
	}
	// A survey with an unknown medicine: exit 1, the cell named, nothing stored.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("Country:,KEN\nSurvey year:,2021\nMedicine,Public % availability\nMorphine 10 mg tablet,50\nTramadol 50 mg capsule,80\n"), 0o644)
	if out, _, code := runCmd(t, env, "import", bad); code != 1 || !strings.Contains(out, "line 5, column A") || !strings.Contains(out, "unknown medicine") {
		t.Fatalf("bad survey: exit %d\n%s", code, out)
	}
	out, errs, code := runCmd(t, env, "availability", "--country", "ken", "--year", "2022")
	if code != 0 {
		t.Fatalf("availability: exit %d\n%s", code, errs)
	}
	// 2022 − 2014 = 8 years: the survey is flagged; the 2019 answer is not.
	for _, want := range []string{"yes (2019)", "survey_older_than_5_years", "morphine-tab-ir-10mg", "public", "private", "20.0"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "2021") {
		t.Errorf("the refused survey was stored:\n%s", out)
	}
	if strings.Contains(out, "ccs_older") {
		t.Errorf("a three-year-old answer is flagged:\n%s", out)
	}
	if _, _, code := runCmd(t, env, "availability"); code != 2 {
		t.Errorf("without --country: exit %d, want 2", code)
	}
	if _, _, code := runCmd(t, env, "availability", "--country", "XXX"); code == 0 {
		t.Errorf("unknown country: exit 0")
	}
	xlsx := filepath.Join(dir, "a.xlsx")
	if _, errs, code := runCmd(t, env, "availability", "--country", "KEN", "--format", "xlsx", "-o", xlsx); code != 0 {
		t.Fatalf("xlsx: exit %d %s", code, errs)
	}
	if _, err := os.Stat(xlsx); err != nil {
		t.Fatal(err)
	}
	tpl := filepath.Join(dir, "t.xlsx")
	if _, errs, code := runCmd(t, env, "template", "--kind", "availability", "-o", tpl); code != 0 {
		t.Fatalf("template: exit %d %s", code, errs)
	}
}
