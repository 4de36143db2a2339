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
func TestRank(t *testing.T) {
	cg := func(iso, region string, perCapita *float64) CountryGaps {
		return CountryGaps{Country: CountryRef{ISO3: iso, WHORegion: region, IncomeGroup: "LIC"},
			Years: []YearGaps{{Year: 2021, MEMgPerCapita: perCapita}}}
	}
	all := []CountryGaps{
		cg("DDD", "AFR", F(2)),
		cg("AAA", "AFR", nil), // no figure: last, not ranked
		cg("CCC", "AFR", F(5)),
		cg("BBB", "AFR", F(5)),                               // ties CCC: both rank 1, BBB first by ISO3
		cg("EEE", "EUR", F(9)),                               // another region
		{Country: CountryRef{ISO3: "FFF", WHORegion: "AFR"}}, // no row for the year
	}
	rows, m, err := Rank(all, RankQuery{Year: 2021, Region: "afr"})
	if err != nil || m == nil {
		t.Fatal(err, m)
	}
	want := []struct {
		iso       string
		pos, rank int
	}{{"BBB", 1, 1}, {"CCC", 2, 1}, {"DDD", 3, 3}, {"AAA", 4, 0}, {"FFF", 5, 0}}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i, w := range want {
		if r := rows[i]; r.Country.ISO3 != w.iso || r.Position != w.pos || r.Rank != w.rank || r.Year.Year != 2021 {
			t.Errorf("row %d = %s position %d rank %d year %d, want %s %d %d", i, r.Country.ISO3, r.Position, r.Rank, r.Year.Year, w.iso, w.pos, w.rank)
		}
	}
	asc, _, _ := Rank(all, RankQuery{Year: 2021, Sort: "me_mg_per_capita"})
	if asc[0].Country.ISO3 != "DDD" || asc[len(asc)-1].Country.ISO3 != "FFF" {
		t.Errorf("ascending: first %s last %s, want DDD and FFF", asc[0].Country.ISO3, asc[len(asc)-1].Country.ISO3)
	}
	for _, q := range []RankQuery{{Sort: "name"}, {Region: "XXX"}, {Income: "RICH"}} {
		if _, _, err := Rank(all, q); ErrorCode(err) != Invalid {
			t.Errorf("Rank(%+v) = %v, want Invalid", q, err)
		}
	}
}
