package web

import (
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/reliefgap/reliefgap/internal/access"
)

// view is what every template receives: the page's data in Data, and the
// language, user and helpers the layout needs.
type view struct {
	site        *Site
	Lang        string
	Dir         string
	langQuery   bool
	Title       string
	Path        string
	Query       url.Values
	DataVersion int64
	CSSHref     string
	User        *access.Principal
	CSRF        string
	Notice      string
	Data        any
}

type langLink struct {
	Lang, Name, Href string
	Current          bool
}

func (s *Site) newView(r *http.Request) *view {
	lang, explicit := s.cat.pick(r)
	dir := s.cat.text(lang, "_dir")
	if dir != "rtl" {
		dir = "ltr"
	}
	return &view{site: s, Lang: lang, Dir: dir, langQuery: explicit, Path: r.URL.Path, Query: r.URL.Query(),
		CSSHref: "/static/style.css?v=" + s.cssTag}
}

// T returns the label key in the page's language.
func (v *view) T(key string) string { return v.site.cat.text(v.Lang, key) }

// Tf formats the label key with args (fmt verbs in the label).
func (v *view) Tf(key string, args ...any) string { return fmt.Sprintf(v.T(key), args...) }

// Has reports whether the catalogue has key.
func (v *view) Has(key string) bool { return v.site.cat.has(v.Lang, key) }

// Link returns path carrying the language when it was chosen by ?lang=.
func (v *view) Link(path string) string {
	if !v.langQuery || v.Lang == defaultLang {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "lang=" + url.QueryEscape(v.Lang)
}

// Langs lists the languages, each linking to this page in it.
func (v *view) Langs() []langLink {
	var out []langLink
	for _, l := range v.site.cat.order {
		q := url.Values{}
		for k, vs := range v.Query {
			if k != "lang" {
				q[k] = vs
			}
		}
		q.Set("lang", l)
		out = append(out, langLink{Lang: l, Name: v.site.cat.text(l, "_name"), Href: v.Path + "?" + q.Encode(), Current: l == v.Lang})
	}
	return out
}

// Num formats a number with digits decimals in the page's language.
func (v *view) Num(x float64, digits int) string { return v.site.cat.formatNumber(v.Lang, x, digits) }

// Fig formats a figure that may be missing, with as many decimals as a
// figure of its size needs to show three significant digits (at most 3).
func (v *view) Fig(p *float64) string {
	if p == nil {
		return v.T("common.no_data")
	}
	return v.Num(*p, decimalsFor(*p))
}

// D renders a figure as <data value="exact">shown</data>, so that what the
// page shows can be read back exactly (the tests compare it to the API).
func (v *view) D(p *float64) template.HTML {
	if p == nil {
		return template.HTML(`<span class="missing">` + template.HTMLEscapeString(v.T("common.no_data")) + `</span>`)
	}
	return template.HTML(`<data value="` + strconv.FormatFloat(*p, 'g', -1, 64) + `">` +
		template.HTMLEscapeString(v.Num(*p, decimalsFor(*p))) + `</data>`)
}

// DI is D for an integer count.
func (v *view) DI(n int) template.HTML {
	return template.HTML(`<data value="` + strconv.Itoa(n) + `">` + template.HTMLEscapeString(v.Num(float64(n), 0)) + `</data>`)
}

func decimalsFor(x float64) int {
	a := math.Abs(x)
	switch {
	case a == 0 || a >= 100:
		return 0
	case a >= 10:
		return 1
	case a >= 1:
		return 2
	default:
		return 3
	}
}

// Band names a band label in words.
func (v *view) Band(p *string) string {
	if p == nil {
		return v.T("common.no_data")
	}
	return v.BandName(*p)
}

// BandName names a band label, or shows it as it is when the catalogue
// does not know it (a new band in a new table version).
func (v *view) BandName(label string) string {
	if k := "band." + label; v.Has(k) {
		return v.T(k)
	}
	return label
}

// BandClass is the CSS class of a band's colour.
func (v *view) BandClass(p *string) string {
	if p == nil {
		return "band-none"
	}
	return "band-" + cssIdent(*p)
}

// Flag says a flag in words: "drug_not_reported:fentanyl" → the label
// of drug_not_reported with the drug in it. A flag that takes a drug or
// cause may have its own label ("flag.code:") beside the plain one; a flag
// the catalogue does not know is explained by the domain's glossary.
func (v *view) Flag(f string) string {
	code, arg, hasArg := strings.Cut(f, ":")
	keys := []string{"flag." + code}
	if hasArg {
		keys = []string{"flag." + code + ":", "flag." + code}
	}
	for _, k := range keys {
		if !v.Has(k) {
			continue
		}
		label := v.T(k)
		if !strings.Contains(label, "%s") {
			return label
		}
		if !hasArg {
			return strings.ReplaceAll(label, "%s", "…")
		}
		return fmt.Sprintf(label, arg)
	}
	if e, ok := access.ExplainFlag(f); ok {
		if hasArg {
			return e.Meaning + " (" + arg + ")"
		}
		return e.Meaning
	}
	return f
}

// Status names an upload status in words.
func (v *view) Status(s access.UploadStatus) string { return v.T("status." + string(s)) }

// cssIdent makes a class name of a label: lower-case letters and digits,
// one dash for each run of anything else ("not classed (200 or more)" →
// "not-classed-200-or-more").
func cssIdent(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	return b.String()
}

// parseTemplates parses each page with the layout and partials.
func parseTemplates() (map[string]*template.Template, error) {
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	var shared, pages []string
	for _, n := range names {
		if strings.HasPrefix(n, "templates/_") {
			shared = append(shared, n)
		} else {
			pages = append(pages, n)
		}
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		t, err := template.New("").Funcs(funcs).ParseFS(assets, append(append([]string{}, shared...), p)...)
		if err != nil {
			return nil, err
		}
		out[strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".html")] = t
	}
	return out, nil
}

// funcs are the few template functions; the rest are view methods.
var funcs = template.FuncMap{
	"div":      func(a, b float64) float64 { return a / b },
	"decimals": decimalsFor,
	"pair":     func(v *view, x any) pairArg { return pairArg{V: v, T: x} },
	"glossary": func() []string { return glossaryTerms },
	"deref": func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	},
}

// pairArg passes the view and one value to a shared template.
type pairArg struct {
	V *view
	T any
}

// glossaryTerms are the terms the glossary explains, in its order; each
// has "term.K" and "term.K.def" in the catalogue.
var glossaryTerms = []string{"me", "mg_me_per_capita", "sddd", "sddd_per_million", "adequacy", "benchmark",
	"need", "need_met", "gap", "acm", "estimate", "utilization", "coverage", "data_version", "lineage"}

// Kg shows a quantity given in mg as kg, as <data value="kg">.
func (v *view) Kg(mg *float64) template.HTML {
	if mg == nil {
		return v.D(nil)
	}
	kg := *mg / 1e6
	return v.D(&kg)
}

// BandClassOf is the CSS class suffix of a band label.
func (v *view) BandClassOf(label string) string { return cssIdent(label) }

// MiB shows a byte count in MiB.
func (v *view) MiB(n int64) string { return v.Num(float64(n)/(1<<20), 0) }

// AtMost reports whether a figure is present and at most x.
func (v *view) AtMost(p *float64, x float64) bool { return p != nil && *p <= x }

// Flags says a year's flags in words, one line per kind: flags that name a
// drug or cause are gathered ("not reported: a, b, c").
func (v *view) Flags(flags []string) []string {
	var order []string
	args := map[string][]string{}
	for _, f := range flags {
		code, arg, hasArg := strings.Cut(f, ":")
		if _, seen := args[code]; !seen {
			order = append(order, code)
			args[code] = nil
		}
		if hasArg {
			args[code] = append(args[code], arg)
		}
	}
	out := make([]string, 0, len(order))
	for _, code := range order {
		if a := args[code]; len(a) > 0 {
			out = append(out, v.Flag(code+":"+strings.Join(a, ", ")))
		} else {
			out = append(out, v.Flag(code))
		}
	}
	return out
}

// KgG shows a quantity given in g as kg, as <data value="kg">.
func (v *view) KgG(g *float64) template.HTML {
	if g == nil {
		return v.D(nil)
	}
	kg := *g / 1e3
	return v.D(&kg)
}

// Approx rounds a percentage for a sentence: whole numbers from 10 up, one
// decimal below, and one significant digit under 1 ("about 0.6%").
func (v *view) Approx(x float64) string {
	switch a := math.Abs(x); {
	case a >= 10 || a == 0:
		return v.Num(x, 0)
	case a >= 1:
		return v.Num(x, 1)
	default:
		d := int(math.Ceil(-math.Log10(a)))
		return v.Num(x, min(d, 6))
	}
}

// CCS says a country-capacity survey answer in words.
func (v *view) CCS(a *access.CCSAnswer) string {
	if a == nil {
		return v.T("common.no_data")
	}
	return v.T("ccs." + string(*a))
}

// KgValue shows a quantity in mg as kg, for a figure that is never null.
func (v *view) KgValue(mg float64) template.HTML { return v.Kg(&mg) }

// KgGValue shows a quantity in g as kg, for a figure that is never null.
func (v *view) KgGValue(g float64) template.HTML { return v.KgG(&g) }
