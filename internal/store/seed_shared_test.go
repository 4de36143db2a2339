package store_test

import (
	"context"
	"encoding/csv"
	"os"
	"testing"
)

// TestSeedAgreesWithWHOCountryList checks the seeded countries against the
// WHO/World Bank country metadata in ../shared/data: every WHO member is
// seeded under the same ISO3 code with the same WHO region, and names in
// that file resolve. The seed is written independently of the file.
func TestSeedAgreesWithWHOCountryList(t *testing.T) {
	f, err := os.Open("../../../shared/data/countries.csv")
	if err != nil {
		t.Skip("../shared/data/countries.csv is not available: skipping the cross-check against published country metadata")
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	s := openSQLite(t)
	cs, err := s.Countries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	byISO3 := map[string]string{}
	for _, c := range cs {
		byISO3[c.ISO3] = c.WHORegion
	}
	members := 0
	for _, r := range rows[1:] {
		iso3 := r[col["iso3"]]
		region, ok := byISO3[iso3]
		if !ok {
			t.Errorf("%s (%s) is not seeded", iso3, r[col["un_name_en"]])
			continue
		}
		if r[col["who_member"]] == "TRUE" {
			members++
			if region != r[col["who_region"]] {
				t.Errorf("%s: seeded WHO region %q, the WHO list says %q", iso3, region, r[col["who_region"]])
			}
		}
	}
	if members != 194 {
		t.Errorf("%d WHO members in the file, want 194", members)
	}
}
