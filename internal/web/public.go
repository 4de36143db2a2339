package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/reliefgap/reliefgap/internal/access"
)

// ---- home

type homePage struct {
	P          access.WorldPicture
	BandChart  template.HTML
	ShareChart template.HTML
	Headline   *access.IncomeShare // the income group with the largest share of ME
	Map        template.HTML
	Legend     []legendItem
}

type legendItem struct{ Class, Label string }

func (s *Site) home(r *http.Request, v *view) (string, error) {
	year, err := yearParam(r)
	if err != nil {
		return "", err
	}
	model := r.URL.Query().Get("model")
	p, err := s.d.Gaps.World(r.Context(), year, model)
	if err != nil {
		return "", err
	}
	h := homePage{P: p}
	bc := barChart{ID: "bands", Title: v.Tf("home.bands.title", p.Year), Desc: v.T("home.bands.desc")}
	for _, b := range p.Bands {
		label := v.T("band.none")
		class := "band-none"
		if b.Band != "" {
			label, class = v.BandName(b.Band), "band-"+cssIdent(b.Band)
		}
		bc.Bars = append(bc.Bars, bar{Label: label, Class: class, Value: b.Population,
			Text: v.Tf("home.bands.bar", v.Num(b.Population/1e6, 0), b.Countries)})
		h.Legend = append(h.Legend, legendItem{Class: class, Label: label})
	}
	h.BandChart = bc.SVG()
	sc := barChart{ID: "shares", Title: v.Tf("home.shares.title", p.Year), Desc: v.T("home.shares.desc"), Max: 100}
	for i, inc := range p.Incomes {
		name := v.T("income." + inc.Group.Code)
		if inc.PopulationPct != nil {
			sc.Bars = append(sc.Bars, bar{Label: name + " · " + v.T("home.shares.people"), Class: "people", Value: *inc.PopulationPct, Text: v.Num(*inc.PopulationPct, 1) + " %"})
		}
		if inc.MEPct != nil {
			sc.Bars = append(sc.Bars, bar{Label: name + " · " + v.T("home.shares.me"), Class: "me", Value: *inc.MEPct, Text: v.Num(*inc.MEPct, 1) + " %"})
			if h.Headline == nil || *inc.MEPct > *h.Headline.MEPct {
				h.Headline = &p.Incomes[i]
			}
		}
	}
	if h.Headline != nil && h.Headline.PopulationPct == nil {
		h.Headline = nil
	}
	h.ShareChart = sc.SVG()
	countries, err := s.d.Store.Countries(r.Context())
	if err != nil {
		return "", err
	}
	numeric := map[string]string{}
	for _, c := range countries {
		if c.Numeric != "" {
			numeric[c.ISO3] = c.Numeric
		}
	}
	h.Map = s.worldMap(v, p, numeric)
	v.Title = v.T("home.title")
	v.Data = h
	return "home", nil
}

func yearParam(r *http.Request) (int, error) {
	y := r.URL.Query().Get("year")
	if y == "" {
		return 0, nil
	}
	var n int
	if _, err := fmt.Sscanf(y, "%d", &n); err != nil || n < 1900 || n > 2100 || fmt.Sprint(n) != y {
		return 0, access.Errorf(access.Invalid, "", "year must be a year between 1900 and 2100")
	}
	return n, nil
}

// ---- country

type countryPage struct {
	G          access.CountryGaps
	Latest     *access.YearGaps // the latest year with mg ME per capita
	Benchmark  *float64         // reference mg ME per capita
	Chart      template.HTML
	Rows       []trendRow
	Supply     *access.SupplyEstimate // for the year after Latest, when a service provides one
	Permalink  string
	AsOf       int64
	AsOfOld    bool
	APIHref    string
	Query      string // ?model=… when a model was chosen, for the download links
	Retrieved  string
	Methods    []methodRef
	Lineage    []access.LineageUse
	LineageMax bool
	Models     []access.Ref // the need models on offer, the one in use first
}

type trendRow struct {
	Y             access.YearGaps
	NeedPerCapita *float64
}

type methodRef struct {
	What string
	Ref  access.Ref
}

func iso3Of(r *http.Request) (string, error) {
	iso := strings.ToUpper(r.PathValue("iso3"))
	if len(iso) != 3 || strings.Trim(iso, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return "", access.Errorf(access.NotFound, "", "no country %q", r.PathValue("iso3"))
	}
	return iso, nil
}

const maxLineageShown = 40

func (s *Site) country(r *http.Request, v *view) (string, error) {
	iso, err := iso3Of(r)
	if err != nil {
		return "", err
	}
	model := r.URL.Query().Get("model")
	g, err := s.d.Gaps.Country(r.Context(), iso, 0, 0, model)
	if err != nil {
		return "", err
	}
	fs, err := s.d.Gaps.FactorSet(r.Context(), model)
	if err != nil {
		return "", err
	}
	cp := countryPage{G: g, AsOf: g.DataVersion, APIHref: "/api/v1/countries/" + iso + "/gaps"}
	for _, m := range fs.Need {
		cp.Models = append(cp.Models, m.Ref())
	}
	if model != "" {
		cp.Query = "model=" + url.QueryEscape(model)
		cp.APIHref += "?" + cp.Query
	}
	if ref, ok := fs.BenchmarkRef.Value(access.BenchmarkRefKey); ok {
		cp.Benchmark = &ref
	}
	for i := len(g.Years) - 1; i >= 0; i-- {
		if g.Years[i].MEMgPerCapita != nil {
			cp.Latest = &g.Years[i]
			break
		}
	}
	if cp.Latest == nil && len(g.Years) > 0 {
		cp.Latest = &g.Years[len(g.Years)-1]
	}
	if cp.Latest != nil {
		cp.Lineage = cp.Latest.Lineage
		if len(cp.Lineage) > maxLineageShown {
			cp.Lineage, cp.LineageMax = cp.Lineage[:maxLineageShown], true
		}
	}
	if s.d.Supply != nil && cp.Latest != nil {
		if cp.Supply, err = s.d.Supply(r.Context(), iso, cp.Latest.Year+1, model); err != nil {
			return "", err
		}
	}
	if a := r.URL.Query().Get("as_of"); a != "" && a != fmt.Sprint(g.DataVersion) {
		cp.AsOfOld = true
	}
	cons := series{Name: v.T("country.chart.consumption"), Class: "consumption"}
	need := series{Name: v.T("country.chart.need"), Class: "need"}
	bench := series{Name: v.T("country.chart.benchmark"), Class: "benchmark"}
	for _, y := range g.Years {
		row := trendRow{Y: y}
		if y.NeedMEMg != nil && y.Population != nil && *y.Population > 0 {
			n := *y.NeedMEMg / *y.Population
			row.NeedPerCapita = &n
		}
		cp.Rows = append(cp.Rows, row)
		cons.Points = append(cons.Points, point{X: y.Year, Y: y.MEMgPerCapita})
		need.Points = append(need.Points, point{X: y.Year, Y: row.NeedPerCapita})
		bench.Points = append(bench.Points, point{X: y.Year, Y: cp.Benchmark})
	}
	cp.Chart = lineChart{ID: "trend", Title: v.Tf("country.chart.title", g.Country.Name), Desc: v.T("country.chart.desc"),
		YLabel: v.T("unit.mg_me_per_capita"), Log: true, Series: []series{cons, need, bench},
		format: func(x float64) string { return v.Num(x, decimalsFor(x)) }}.SVG()
	m := g.Methods
	cp.Methods = []methodRef{{"methods.me", m.ME}, {"methods.sddd", m.SDDD}, {"methods.basket", m.Basket},
		{"methods.incb_bands", m.INCBBands}, {"methods.benchmark_bands", m.BenchmarkBands},
		{"methods.benchmark_reference", m.BenchmarkReference}, {"methods.acm_bands", m.ACMBands}}
	if m.NeedModel != nil {
		cp.Methods = append(cp.Methods, methodRef{"methods.need_model", *m.NeedModel})
	}
	base := baseURL(r)
	cp.Permalink = fmt.Sprintf("%s/countries/%s?as_of=%d", base, iso, g.DataVersion)
	if model != "" {
		cp.Permalink += "&model=" + url.QueryEscape(model)
	}
	v.Title = g.Country.Name
	v.Data = cp
	return "country", nil
}

// baseURL is the scheme and host the request came to, for permalinks.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// ---- compare

type comparePage struct {
	Codes   string
	Year    int
	Chart   template.HTML
	Rows    []compareRow
	Years   []int
	Series  []compareSeries
	APIHref string
}

type compareRow struct {
	C access.CountryRef
	Y *access.YearGaps
}

type compareSeries struct {
	C      access.CountryRef
	Values []*float64 // by Years
}

func (s *Site) compare(r *http.Request, v *view) (string, error) {
	v.Title = v.T("compare.title")
	raw := r.URL.Query().Get("c")
	isos, err := access.ParseCountryList(raw, access.MaxCompared)
	if err != nil {
		return "", err
	}
	cp := comparePage{Codes: strings.Join(isos, ",")}
	v.Data = &cp
	if len(isos) == 0 {
		return "compare", nil
	}
	gs, err := s.d.Gaps.Countries(r.Context(), isos, 0, 0, r.URL.Query().Get("model"))
	if err != nil {
		return "", err
	}
	cp.Year = compareYear(gs)
	var ss []series
	for i, g := range gs {
		sr := series{Name: g.Country.Name, Class: fmt.Sprintf("s%d", i)}
		row := compareRow{C: g.Country}
		for j, y := range g.Years {
			sr.Points = append(sr.Points, point{X: y.Year, Y: y.MEMgPerCapita})
			if !slices.Contains(cp.Years, y.Year) {
				cp.Years = append(cp.Years, y.Year)
			}
			if y.Year == cp.Year {
				row.Y = &g.Years[j]
			}
		}
		ss = append(ss, sr)
		cp.Rows = append(cp.Rows, row)
	}
	slices.Sort(cp.Years)
	for _, g := range gs {
		cs := compareSeries{C: g.Country}
		for _, yr := range cp.Years {
			var val *float64
			for _, y := range g.Years {
				if y.Year == yr {
					val = y.MEMgPerCapita
				}
			}
			cs.Values = append(cs.Values, val)
		}
		cp.Series = append(cp.Series, cs)
	}
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = g.Country.Name
	}
	cp.Chart = lineChart{ID: "compare", Title: v.Tf("compare.chart.title", strings.Join(names, ", ")), Desc: v.T("compare.chart.desc"),
		YLabel: v.T("unit.mg_me_per_capita"), Log: true, Series: ss,
		format: func(x float64) string { return v.Num(x, decimalsFor(x)) }}.SVG()
	cp.APIHref = fmt.Sprintf("/api/v1/gaps?year=%d&countries=%s", cp.Year, cp.Codes)
	return "compare", nil
}

// compareYear is the year of the comparison table: the latest in which
// every country has mg ME per capita, else the latest in which any has.
func compareYear(gs []access.CountryGaps) int {
	years := map[int]int{}
	for _, g := range gs {
		for _, y := range g.Years {
			if y.MEMgPerCapita != nil {
				years[y.Year]++
			}
		}
	}
	all, any := 0, 0
	for y, n := range years {
		if n == len(gs) {
			all = max(all, y)
		}
		any = max(any, y)
	}
	if all > 0 {
		return all
	}
	return any
}

// ---- methodology

type methodologyPage struct {
	Latest   []access.FactorTable // the latest version of each table
	Versions map[string][]int     // every version of each table
	Models   []access.FactorTable
	Flags    []string
	Bands    []access.FactorTable
}

func (s *Site) methodology(r *http.Request, v *view) (string, error) {
	all, err := s.d.Store.FactorTables(r.Context())
	if err != nil {
		return "", err
	}
	mp := methodologyPage{Versions: map[string][]int{}}
	latest := map[string]access.FactorTable{}
	var names []string
	for _, t := range all {
		if _, ok := latest[t.Name]; !ok {
			names = append(names, t.Name)
		}
		mp.Versions[t.Name] = append(mp.Versions[t.Name], t.Version)
		if cur, ok := latest[t.Name]; !ok || t.Version > cur.Version {
			latest[t.Name] = t
		}
	}
	slices.Sort(names)
	for _, n := range names {
		t := latest[n]
		switch t.Kind {
		case access.KindNeedModel:
			mp.Models = append(mp.Models, t)
		case access.KindBands:
			mp.Bands = append(mp.Bands, t)
		default:
			mp.Latest = append(mp.Latest, t)
		}
	}
	for _, e := range access.Glossary() {
		if e.Kind == "flag" {
			mp.Flags = append(mp.Flags, e.Code)
		}
	}
	v.Title = v.T("methodology.title")
	v.Data = mp
	return "methodology", nil
}

// Confidence says a factor's confidence letter in words.
func (v *view) Confidence(c string) string {
	if c == "" {
		return ""
	}
	if k := "confidence." + c; v.Has(k) {
		return v.T(k)
	}
	return c
}

// FlagKey explains a flag code as the glossary lists it ("x:" takes a
// drug or cause, shown as …).
func (v *view) FlagKey(code string) string { return v.Flag(code) }

// Join joins ints for display.
func (v *view) Join(xs []int) string {
	var b bytes.Buffer
	for i, x := range xs {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, x)
	}
	return b.String()
}
