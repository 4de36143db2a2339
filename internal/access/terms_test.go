package access

import "testing"

func TestDefaultTerms(t *testing.T) {
	for _, c := range []struct {
		given            Terms
		layout, filename string
		want             Terms
	}{
		{Terms{}, "wpp", "population_wpp2019.csv", Terms{Source: "UN WPP 2019", Licence: "CC BY 3.0 IGO", Citation: publisherTerms["wpp"].Citation}},
		{Terms{}, "wdi-long", "API_SP.POP.TOTL.csv", Terms{Source: "World Bank WDI", Licence: "CC BY 4.0", Citation: publisherTerms["wdi-long"].Citation}},
		{Terms{}, "owid-gbd", "deaths_gbd2019.csv", publisherTerms["owid-gbd"].withSource("IHME GBD 2019")},
		{Terms{}, "incb-wide-years+incb-wide-drugs", "incb.xlsx", publisherTerms["incb"]},
		// What the user gave is kept; only the rest is filled.
		{Terms{Source: "UN WPP 2024"}, "wpp", "wpp2019.csv", publisherTerms["wpp"].withSource("UN WPP 2024")},
		// A layout no publisher is known for: nothing is invented.
		{Terms{}, "population-long", "pop2020.csv", Terms{}},
	} {
		if got := DefaultTerms(c.given, c.layout, c.filename); got != c.want {
			t.Errorf("DefaultTerms(%+v, %q, %q) = %+v, want %+v", c.given, c.layout, c.filename, got, c.want)
		}
	}
	if err := CheckTerms(Terms{Source: "a\x00b"}); ErrorCode(err) != Invalid {
		t.Errorf("NUL in source: %v", err)
	}
}

func (t Terms) withSource(s string) Terms { t.Source = s; return t }
