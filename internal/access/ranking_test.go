package access

import (
	"testing"
)

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
