package access

import (
	"reflect"
	"testing"
)

// OnlyRanked keeps the listed countries in the group's order with the rank
// each holds in the whole group (ties shared); unlisted and unranked codes
// drop out; no list keeps everyone.
func TestOnlyRanked(t *testing.T) {
	rs := []RankedCountry{
		{Rank: 1, Country: CountryRef{ISO3: "NGA"}, MEMgPerCapita: 2},
		{Rank: 2, Country: CountryRef{ISO3: "KEN"}, MEMgPerCapita: 1},
		{Rank: 2, Country: CountryRef{ISO3: "TZA"}, MEMgPerCapita: 1},
		{Rank: 4, Country: CountryRef{ISO3: "UGA"}, MEMgPerCapita: 0.5},
	}
	places := func(rs []RankedCountry) []string {
		out := []string{}
		for _, r := range rs {
			out = append(out, r.Country.ISO3+"#"+string(rune('0'+r.Rank)))
		}
		return out
	}
	for _, c := range []struct {
		isos []string
		want []string
	}{
		{nil, []string{"NGA#1", "KEN#2", "TZA#2", "UGA#4"}},
		{[]string{"UGA", "TZA"}, []string{"TZA#2", "UGA#4"}},
		{[]string{"FRA"}, []string{}},
	} {
		if got := places(OnlyRanked(rs, c.isos)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("OnlyRanked(%v) = %v, want %v", c.isos, got, c.want)
		}
	}
	if got := OnlyRanked(rs, []string{"FRA"}); got == nil {
		t.Error("an empty ranking is nil: it would answer null, not []")
	}
}
