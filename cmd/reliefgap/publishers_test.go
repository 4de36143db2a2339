package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/importers/importerstest"
	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// TestImportPublisherFixtures imports one fixture per publisher layout
// through the command, each into a fresh SQLite database, and checks the
// rows read, the records stored, the aggregate rows skipped and spot values
// read back from the store.
func TestImportPublisherFixtures(t *testing.T) {
	for _, tc := range importerstest.Cases {
		t.Run(tc.Fixture, func(t *testing.T) {
			dir := t.TempDir()
			name, data, err := importerstest.Fixture("../../importers/testdata", tc.Fixture)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			dsn := "sqlite:" + filepath.Join(dir, "rg.db")
			out, errs, code := runCmd(t, map[string]string{"RELIEFGAP_DB": dsn}, "import", "--format", "json", path)
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out, errs)
			}
			var sums []importSummary
			if err := json.Unmarshal([]byte(out), &sums); err != nil || len(sums) != 1 {
				t.Fatalf("summary %s (%v)", out, err)
			}
			s := sums[0]
			if s.Kind != tc.Kind || s.Layout != tc.Layout || s.Status != "published" {
				t.Errorf("kind %q layout %q status %q", s.Kind, s.Layout, s.Status)
			}
			if s.Rows != tc.Rows || s.Diff.Added != tc.Records {
				t.Errorf("rows %d added %d, want %d and %d", s.Rows, s.Diff.Added, tc.Rows, tc.Records)
			}
			skipped := 0
			for _, p := range s.Problems {
				var n int
				if p.Code == "aggregates_skipped" {
					fmt.Sscanf(p.Message, "skipped %d", &n)
					skipped += n
				}
			}
			if skipped != tc.Skipped {
				t.Errorf("%d aggregate rows skipped, want %d", skipped, tc.Skipped)
			}
			if len(tc.Spot) > 0 {
				checkSpots(t, dsn, tc.Spot)
			}
			if len(tc.States) > 0 {
				checkStates(t, dsn, tc.States)
			}
			// The text summary groups and names the skipped aggregates.
			if tc.Skipped > 0 {
				out, _, _ := runCmd(t, map[string]string{"RELIEFGAP_DB": dsn}, "import", "--dry-run", path)
				if !strings.Contains(out, "aggregate row") || strings.Contains(out, "unmatched country") {
					t.Errorf("text summary:\n%s", out)
				}
			}
		})
	}
}

func checkSpots(t *testing.T, dsn string, spot map[string]float64) {
	t.Helper()
	s, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	in, err := s.Inputs(context.Background(), access.InputFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for iso3, ci := range in {
		for _, c := range ci.Consumption {
			if c.Grams != nil {
				got[fmt.Sprint(iso3, " ", c.Year, " ", c.Drug)] = *c.Grams
			}
		}
		for _, p := range ci.Population {
			got[fmt.Sprint(iso3, " ", p.Year, " population")] = p.Persons
		}
		for _, d := range ci.Deaths {
			got[fmt.Sprint(iso3, " ", d.Year, " ", d.Cause)] = d.Deaths
		}
	}
	for k, want := range spot {
		v, ok := got[k]
		if want < 0 {
			if ok {
				t.Errorf("%s = %v, want no record", k, v)
			}
			continue
		}
		if !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", k, v, ok, want)
		}
	}
}

// TestImportINCBSample imports the INCB-style workbook of the shared data
// (one sheet per drug, years across, footnote markers, "-") through the
// command; it skips when the shared data is absent.
func TestImportINCBSample(t *testing.T) {
	path := "../../../shared/data/samples/incb_style_consumption_wide_2009_2013.xlsx"
	if _, err := os.Stat(path); err != nil {
		t.Skipf("shared sample not present (it lives beside the repository): %v", err)
	}
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "rg.db")
	out, errs, code := runCmd(t, map[string]string{"RELIEFGAP_DB": dsn}, "import", "--format", "json", path)
	if code != 0 {
		t.Fatalf("exit %d\n%.3000s\n%s", code, out, errs)
	}
	var sums []importSummary
	if err := json.Unmarshal([]byte(out), &sums); err != nil || len(sums) != 1 {
		t.Fatalf("summary (%v)", err)
	}
	// Six drug sheets of 174 country rows each.
	if s := sums[0]; s.Layout != "incb-wide-years" || s.Rows != 6*174 || s.Errors != 0 {
		t.Errorf("layout %q rows %d errors %d", s.Layout, s.Rows, s.Errors)
	}
	// Spot values from the shared data's README: USA morphine 2013 =
	// 25,571 kg, Nigeria morphine 2013 = 5 kg, India codeine 2013 = 46,498 kg.
	checkSpots(t, dsn, map[string]float64{"USA 2013 morphine": 25571e3, "NGA 2013 morphine": 5e3, "IND 2013 codeine": 46498e3})
}

// checkStates reads the published consumption back and checks the value
// state of each "ISO3 year drug": a blank stays not reported, "-" nil.
func checkStates(t *testing.T, dsn string, want map[string]string) {
	t.Helper()
	s, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	in, err := s.Inputs(context.Background(), access.InputFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for iso3, ci := range in {
		for _, c := range ci.Consumption {
			got[fmt.Sprint(iso3, " ", c.Year, " ", c.Drug)] = string(c.GramsState())
		}
	}
	for k, w := range want {
		g := got[k]
		if g == "" {
			g = string(access.ValueNotReported)
		}
		if g != w {
			t.Errorf("stored state of %s = %s, want %s", k, g, w)
		}
	}
}
