package access

import (
	"regexp"
	"strings"
)

// Terms are a source's name and the terms it is published under: every
// upload records them, figures name the series they divided by, and
// reports' Sources sheets list them.
type Terms struct {
	Source   string `json:"source"`   // publisher and vintage, e.g. "UN WPP 2019"
	Licence  string `json:"licence"`  // e.g. "CC BY 3.0 IGO"
	Citation string `json:"citation"` // how to cite it
}

// publisherTerms are the terms of the publishers whose layouts the
// importers recognise, by layout. Source is the publisher; the vintage is
// added from the file name when it carries a year.
var publisherTerms = map[string]Terms{
	"wpp": {Source: "UN WPP", Licence: "CC BY 3.0 IGO",
		Citation: "United Nations, Department of Economic and Social Affairs, Population Division. World Population Prospects."},
	"wdi-wide": {Source: "World Bank WDI", Licence: "CC BY 4.0",
		Citation: "World Bank. World Development Indicators. Washington, DC: The World Bank."},
	"wdi-long": {Source: "World Bank WDI", Licence: "CC BY 4.0",
		Citation: "World Bank. World Development Indicators. Washington, DC: The World Bank."},
	"worldbank-metadata": {Source: "World Bank country classification", Licence: "CC BY 4.0",
		Citation: "World Bank. World Bank Country and Lending Groups. Washington, DC: The World Bank."},
	"owid-gbd": {Source: "IHME GBD", Licence: "IHME Free-of-Charge Non-commercial User Agreement (non-commercial use only)",
		Citation: "Global Burden of Disease Collaborative Network. Global Burden of Disease Study. Seattle: Institute for Health Metrics and Evaluation (IHME); via Our World in Data."},
	"who-gho": {Source: "WHO GHO", Licence: "CC BY-NC-SA 3.0 IGO",
		Citation: "World Health Organization. Global Health Observatory. Geneva: WHO."},
	"incb": {Source: "INCB", Licence: "INCB publication terms: United Nations copyright; quotation and reproduction with acknowledgement of the source",
		Citation: "International Narcotics Control Board. Narcotic Drugs: Estimated World Requirements and Statistics (technical report). Vienna: United Nations."},
}

var yearInName = regexp.MustCompile(`(19|20)\d\d`)

// DefaultTerms fills what t leaves empty from the terms of the publisher
// the layout belongs to (INCB for every incb- layout); the
// source's vintage is the last year in the file name, if any. A layout the
// importers do not attribute leaves t as it is.
func DefaultTerms(t Terms, layout, filename string) Terms {
	pub, ok := Terms{}, false
	for _, l := range strings.Split(layout, "+") {
		if p, found := publisherTerms[l]; found {
			pub, ok = p, true
			break
		}
		if strings.HasPrefix(l, "incb-") {
			pub, ok = publisherTerms["incb"], true
			break
		}
	}
	if !ok {
		return t
	}
	if t.Source == "" {
		t.Source = pub.Source
		if ys := yearInName.FindAllString(filename, -1); len(ys) > 0 {
			t.Source += " " + ys[len(ys)-1]
		}
	}
	if t.Licence == "" {
		t.Licence = pub.Licence
	}
	if t.Citation == "" {
		t.Citation = pub.Citation
	}
	return t
}

// CheckTerms limits the terms a user gives to plain text of sane length.
func CheckTerms(t Terms) error {
	for _, f := range []struct {
		name, v string
		max     int
	}{{"source", t.Source, 200}, {"licence", t.Licence, 500}, {"citation", t.Citation, 2000}} {
		if err := CheckText("CheckTerms", f.name, f.v, f.max); err != nil {
			return err
		}
	}
	return nil
}
