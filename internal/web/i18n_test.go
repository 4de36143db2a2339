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

// TestEveryGlossaryFlagHasALabel checks that each flag the domain's
// glossary lists can be said in the catalogue's languages.
func TestEveryGlossaryFlagHasALabel(t *testing.T) {
	c, err := loadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range access.Glossary() {
		var key string
		switch e.Kind {
		case "flag":
			key = "flag." + e.Code
			if !c.has(defaultLang, key) {
				key = "flag." + strings.TrimSuffix(e.Code, ":")
			}
		case "incb_band":
			key = "band." + e.Code
		default:
			continue
		}
		if _, ok := c.langs[defaultLang][key]; !ok {
			t.Errorf("no label %q for the glossary's %s %q", key, e.Kind, e.Code)
		}
	}
	if got := cssIdent("not classed (200 or more)"); got != "not-classed-200-or-more" {
		t.Errorf("cssIdent: %q", got)
	}
}
