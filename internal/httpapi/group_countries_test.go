package httpapi_test

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// countries= on the region, income-group and world endpoints limits the
// ranking, not the group's figures: each listed country keeps its rank in
// the whole group, the others are left out, and the answer names the list.
func TestGroupRankingLimitedToCountries(t *testing.T) {
	e := newEnv(t)
	e.publish("pop.csv", "iso3,year,persons\nKEN,2020,1000000\nUGA,2020,2000000\nNGA,2020,4000000\n")
	// mg ME per capita = grams × 1,000 (morphine's ME factor is 1) ÷ persons:
	// NGA 8,000,000 ÷ 4,000,000 = 2; KEN 1,000,000 ÷ 1,000,000 = 1;
	// UGA 1,000,000 ÷ 2,000,000 = 0.5. Ranked: NGA 1, KEN 2, UGA 3.
	e.publish("c.csv", consumptionCSV("KEN,2020,morphine,1000", "UGA,2020,morphine,1000", "NGA,2020,morphine,8000"))

	type ranked struct {
		Rank          int     `json:"rank"`
		MEMgPerCapita float64 `json:"me_mg_per_capita"`
		Country       struct {
			ISO3 string `json:"iso3"`
		} `json:"country"`
	}
	type group struct {
		MEMgPerCapita    *float64 `json:"me_mg_per_capita"`
		Ranking          []ranked `json:"ranking"`
		RankingCountries []string `json:"ranking_countries"`
	}
	places := func(g group) string {
		var out []string
		for _, r := range g.Ranking {
			out = append(out, fmt.Sprintf("%d %s %g", r.Rank, r.Country.ISO3, r.MEMgPerCapita))
		}
		return strings.Join(out, "; ")
	}
	for _, base := range []string{"/api/v1/regions/AFR/gaps?year=2020", "/api/v1/world/gaps?year=2020"} {
		var whole, some group
		e.get("public", base).json(t, &whole)
		if got := places(whole); got != "1 NGA 2; 2 KEN 1; 3 UGA 0.5" || whole.RankingCountries != nil {
			t.Fatalf("%s: ranking %s, ranking_countries %v", base, got, whole.RankingCountries)
		}
		r := e.get("public", base+"&countries=uga,KEN")
		if r.Code != http.StatusOK {
			t.Fatalf("%s&countries=: %d %s", base, r.Code, r.Body.String())
		}
		r.json(t, &some)
		if got := places(some); got != "2 KEN 1; 3 UGA 0.5" {
			t.Errorf("%s&countries=uga,KEN: ranking %s", base, got)
		}
		if !reflect.DeepEqual(some.RankingCountries, []string{"UGA", "KEN"}) {
			t.Errorf("%s: ranking_countries %v", base, some.RankingCountries)
		}
		// The group's own figures do not change: 10,000,000 mg ÷ 7,000,000 persons.
		if some.MEMgPerCapita == nil || *some.MEMgPerCapita != 10e6/7e6 || *whole.MEMgPerCapita != *some.MEMgPerCapita {
			t.Errorf("%s: me_mg_per_capita %v with countries=, %v without", base, some.MEMgPerCapita, whole.MEMgPerCapita)
		}
		// The CSV is the ranking: the header and the listed countries' rows.
		csv := e.get("public", base+"&countries=UGA,KEN&format=csv").Body.String()
		lines := strings.Split(strings.TrimSpace(csv), "\n")
		if len(lines) != 3 || !strings.HasPrefix(lines[1], "2,KEN,") || !strings.HasPrefix(lines[2], "3,UGA,") {
			t.Errorf("%s CSV with countries=: %q", base, csv)
		}
	}
	// A listed country outside the group is simply not in its ranking.
	var eur group
	e.get("public", "/api/v1/regions/EUR/gaps?year=2020&countries=KEN").json(t, &eur)
	if eur.Ranking == nil || len(eur.Ranking) != 0 || !reflect.DeepEqual(eur.RankingCountries, []string{"KEN"}) {
		t.Errorf("EUR with countries=KEN: %+v", eur)
	}
	// The ranking endpoint's CSV honours countries= too.
	csv := e.get("public", "/api/v1/gaps?year=2020&countries=UGA,NGA&format=csv").Body.String()
	if lines := strings.Split(strings.TrimSpace(csv), "\n"); len(lines) != 3 || strings.Contains(csv, "KEN") {
		t.Errorf("/gaps CSV with countries=UGA,NGA: %q", csv)
	}
	many := strings.TrimSuffix(strings.Repeat("KEN,UGA,NGA,", 17), ",") // 51 codes, 3 distinct: allowed
	if r := e.get("public", "/api/v1/world/gaps?year=2020&countries="+many); r.Code != http.StatusOK {
		t.Errorf("repeated codes: %d", r.Code)
	}
	var distinct []string
	for a := 'A'; len(distinct) < 51; a++ {
		distinct = append(distinct, "X"+string(a)+"A", "X"+string(a)+"B")
	}
	for _, q := range []string{"countries=KE", "countries=KEN%3BUGA", "countries=" + strings.Join(distinct[:51], ",")} {
		if r := e.get("public", "/api/v1/world/gaps?year=2020&"+q); r.Code != http.StatusBadRequest {
			t.Errorf("%.40s: %d", q, r.Code)
		}
	}
}
