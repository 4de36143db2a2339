package web

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
)

// TestCataloguesAreComplete checks that every language has every label of
// the default one, with the same format verbs in the same order.
func TestCataloguesAreComplete(t *testing.T) {
	c, err := loadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.order) < 2 {
		t.Fatalf("languages: %v", c.order)
	}
	verbs := func(s string) string {
		var out []string
		for i := 0; i+1 < len(s); i++ {
			if s[i] == '%' {
				out = append(out, s[i:i+2])
				i++
			}
		}
		return strings.Join(out, " ")
	}
	for _, lang := range c.order {
		for k, en := range c.langs[defaultLang] {
			s, ok := c.langs[lang][k]
			if !ok {
				t.Errorf("%s lacks %q", lang, k)
				continue
			}
			if !strings.HasPrefix(k, "_") && verbs(s) != verbs(en) {
				t.Errorf("%s %q has verbs %q, English %q", lang, k, verbs(s), verbs(en))
			}
		}
	}
}

// TestRightToLeftNeedsOnlyACatalogue adds a right-to-left language as a
// catalogue and renders a page in it: the templates are not touched.
func TestRightToLeftNeedsOnlyACatalogue(t *testing.T) {
	c, err := loadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	c.langs["ar"] = map[string]string{"_name": "العربية", "_dir": "rtl", "_decimal": "٫", "_group": "٬", "login.title": "تسجيل الدخول"}
	c.order = append(c.order, "ar")
	pages, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	s := &Site{cat: c, pages: pages}
	v := s.newView(httptest.NewRequest("GET", "/login?lang=ar", nil))
	v.Data = loginPage{}
	v.Title = v.T("login.title")
	b, err := s.render("login", v)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	if !strings.Contains(page, `<html lang="ar" dir="rtl">`) || !strings.Contains(page, "تسجيل الدخول") {
		t.Errorf("not right to left: %.300s", page)
	}
	// A label the new language lacks falls back to English.
	if !strings.Contains(page, "API key") {
		t.Error("no English fallback")
	}
	if got := c.formatNumber("ar", 1234.5, 1); got != "1٬234٫5" {
		t.Errorf("formatNumber: %q", got)
	}
	if got := c.formatNumber("fr", 1234567.25, 2); got != "1 234 567,25" {
		t.Errorf("formatNumber fr: %q", got)
	}
}

// TestEveryGlossaryFlagIsSaidInWords checks that each flag and INCB band
// the domain's glossary lists is said in words on the pages: by its label
// in the catalogue, or else by the glossary's own meaning (a flag added to
// the glossary shows in English until it is given labels, which the test
// reports).
func TestEveryGlossaryFlagIsSaidInWords(t *testing.T) {
	c, err := loadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	v := &view{site: &Site{cat: c}, Lang: defaultLang}
	for _, e := range access.Glossary() {
		switch e.Kind {
		case "flag":
			words := v.Flag(e.Code)
			if words == "" || words == e.Code || strings.HasPrefix(words, "flag.") {
				t.Errorf("flag %q is not said in words: %q", e.Code, words)
			}
			if !c.has(defaultLang, "flag."+e.Code) && !c.has(defaultLang, "flag."+strings.TrimSuffix(e.Code, ":")) {
				t.Logf("flag %q has no label in the catalogue; the glossary's meaning stands in", e.Code)
			}
		case "incb_band":
			if !c.has(defaultLang, "band."+e.Code) {
				t.Logf("band %q has no label in the catalogue", e.Code)
			}
		}
	}
	// An argument goes into the label: drug_not_reported:fentanyl.
	if got := v.Flag("drug_not_reported:fentanyl"); got != "Consumption of fentanyl was not reported." {
		t.Errorf("Flag: %q", got)
	}
	// A flag the catalogue lacks falls back to the glossary.
	delete(c.langs[defaultLang], "flag.need_zero")
	if e, _ := access.ExplainFlag("need_zero"); v.Flag("need_zero") != e.Meaning {
		t.Errorf("no fallback to the glossary: %q", v.Flag("need_zero"))
	}
	if got := cssIdent("not classed (200 or more)"); got != "not-classed-200-or-more" {
		t.Errorf("cssIdent: %q", got)
	}
}
