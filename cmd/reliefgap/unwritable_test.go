package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// report -o and backup -o to a place that cannot be written (a path under
// a regular file, which even root cannot write; or a directory that does
// not exist) fail with exit 1 and an error naming the path, and leave no
// file behind.
func TestUnwritableOutput(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"RELIEFGAP_DB": "sqlite:" + filepath.Join(dir, "rg.db")}
	if _, errs, code := runCmd(t, env, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", errs)
	}
	if err := os.WriteFile(filepath.Join(dir, "afile"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args func(out string) []string
	}{
		{"report", func(out string) []string {
			return []string{"report", "--country", "USA", "--from", "2018", "--to", "2020", "-o", out}
		}},
		{"world report", func(out string) []string { return []string{"report", "--world", "--year", "2020", "-o", out} }},
		{"backup", func(out string) []string { return []string{"backup", "-o", out} }},
	} {
		for _, out := range []string{filepath.Join(dir, "afile", "x.out"), filepath.Join(dir, "missing", "x.out")} {
			_, errs, code := runCmd(t, env, tc.args(out)...)
			if code != 1 {
				t.Errorf("%s -o %s: exit %d, want 1 (%s)", tc.name, out, code, errs)
			}
			if !strings.Contains(errs, out) {
				t.Errorf("%s -o %s: the error does not name the file: %q", tc.name, out, errs)
			}
			t.Logf("%s -o %s: %s", tc.name, out, strings.TrimSpace(errs))
		}
	}
	// Nothing partial: the only entries are the database and the file.
	var left []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if p != dir {
			left = append(left, strings.TrimPrefix(p, dir+"/"))
		}
		return nil
	})
	for _, p := range left {
		if p != "afile" && !strings.HasPrefix(p, "rg.db") {
			t.Errorf("left behind: %s", p)
		}
	}
}
