package access

import (
	"slices"
	"testing"
)

// Countries without the figure (C: no consumption, so not reported) come
// last whichever way the ranking runs, and the filters use IsMember.
func TestRankCountries(t *testing.T) {
	all := aggregateFixture()
	order := func(q RankQuery) []string {
		t.Helper()
		rows, err := RankCountries(all, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, r.Country.ISO3)
		}
		return out
	}
	// Per capita 2013: AAA 0.2833, BBB 256, CCC null, DDD 0.5.
	if got := order(RankQuery{Year: 2013, Region: "AFR", Sort: "-me_mg_per_capita"}); !slices.Equal(got, []string{"BBB", "AAA", "CCC"}) {
		t.Errorf("AFR descending = %v", got)
	}
	if got := order(RankQuery{Year: 2013, Sort: "me_mg_per_capita"}); !slices.Equal(got, []string{"AAA", "DDD", "BBB", "CCC"}) {
		t.Errorf("world ascending = %v", got)
	}
	if got := order(RankQuery{Year: 2013, Income: "LIC", Sort: "population"}); !slices.Equal(got, []string{"BBB", "AAA"}) {
		t.Errorf("LIC by population = %v", got)
	}
	for _, q := range []RankQuery{{Year: 2013, Sort: "name"}, {Year: 2013, Sort: "-me_mg", Region: "XXX"}, {Year: 2013, Sort: "me_mg", Income: "RICH"}} {
		if _, err := RankCountries(all, q); ErrorCode(err) != Invalid {
			t.Errorf("%+v: %v, want invalid", q, err)
		}
	}
}
