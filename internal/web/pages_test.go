package web_test

import (
	"compress/gzip"
	"context"
	"fmt"
	"html"
	"math"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/importers"
	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/demo"
	"github.com/reliefgap/reliefgap/internal/httpapi"
	"github.com/reliefgap/reliefgap/internal/store"
)

type yearJSON struct {
	Year                 int      `json:"year"`
	Population           *float64 `json:"population"`
	MEMgPerCapita        *float64 `json:"me_mg_per_capita"`
	NeedMEMg             *float64 `json:"need_me_mg"`
	NeedMetPct           *float64 `json:"need_met_pct"`
	SDDD3YrAvg           *float64 `json:"sddd_3yr_avg"`
	MorphineKgToCloseGap *float64 `json:"morphine_kg_to_close_gap"`
	Adequacy             *string  `json:"adequacy"`
	NeedModels           map[string]struct {
		NeedMEMg   *float64 `json:"need_me_mg"`
		NeedMetPct *float64 `json:"need_met_pct"`
		GapMEMg    *float64 `json:"gap_me_mg"`
	} `json:"need_models"`
}

// present lists the figures that are not null, in order: a missing figure
// shows as words, not as a <data> element.
func present(ps ...*float64) []float64 {
	var out []float64
	for _, p := range ps {
		if p != nil {
			out = append(out, *p)
		}
	}
	return out
}

func equal(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) || len(got) != len(want) {
		t.Errorf("%s: page shows %v, the API answers %v", what, got, want)
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s[%d]: page %v, API %v", what, i, got[i], want[i])
		}
	}
}

// TestCountryPageShowsTheAPIFigures compares every figure of Kenya's page
// with /api/v1/countries/KEN/gaps: the headline, and each row of the
// trend table (need per person is the API's need ÷ population).
func TestCountryPageShowsTheAPIFigures(t *testing.T) {
	e := newEnv(t)
	var api struct {
		Years []yearJSON `json:"years"`
	}
	e.api("/api/v1/countries/KEN/gaps", &api)
	page := e.page("/countries/KEN")
	if len(api.Years) != demo.LastYear-demo.FirstYear+1 {
		t.Fatalf("%d years", len(api.Years))
	}
	last := api.Years[len(api.Years)-1]
	equal(t, "headline need met", values(t, page, `id="fig-need-met"`, "</li>"), present(last.NeedMetPct))
	equal(t, "headline per capita", values(t, page, `id="fig-per-capita"`, "</li>"), present(last.MEMgPerCapita))
	equal(t, "headline gap", values(t, page, `id="fig-gap"`, "</li>"), present(last.MorphineKgToCloseGap))
	// Every need model side by side, in kg (mg ÷ 10⁶).
	if len(last.NeedModels) < 2 {
		t.Fatalf("need models: %v", last.NeedModels)
	}
	for name, m := range last.NeedModels {
		kg := func(p *float64) *float64 {
			if p == nil {
				return nil
			}
			v := *p / 1e6
			return &v
		}
		equal(t, "need model "+name, values(t, page, fmt.Sprintf(`<tr data-model="%s">`, name), "</tr>"),
			present(kg(m.NeedMEMg), m.NeedMetPct, kg(m.GapMEMg)))
	}
	if !strings.Contains(page, `id="need-range"`) {
		t.Error("no range of need met over the models")
	}
	// Sentences round: whole numbers from 10 up, one decimal from 1, one
	// significant digit below (0.619 → "0.6").
	approx := func(x float64) string {
		switch {
		case x >= 10:
			return fmt.Sprintf("%.0f", x)
		case x >= 1:
			return fmt.Sprintf("%.1f", x)
		}
		return fmt.Sprintf("%.*f", int(math.Ceil(-math.Log10(x))), x)
	}
	if !strings.Contains(page, fmt.Sprintf("about %s%% of the estimated need for opioid pain relief was met in %d", approx(*last.NeedMetPct), last.Year)) {
		t.Error("the plain-language headline is missing")
	}
	for _, y := range api.Years {
		need := *y.NeedMEMg / *y.Population
		equal(t, fmt.Sprint("trend ", y.Year), values(t, page, fmt.Sprintf(`<tr data-year="%d">`, y.Year), "</tr>"),
			present(y.MEMgPerCapita, &need, y.NeedMetPct, y.SDDD3YrAvg))
	}
	for _, want := range []string{`<svg class="chart"`, `role="img"`, `<title id="trend-t">`, "Illustrative demo data, not real figures.",
		`href="/api/v1/countries/KEN/report.xlsx"`, `href="/api/v1/countries/KEN/gaps?format=csv"`, `href="/api/v1/countries/KEN/gaps"`,
		"/countries/KEN?as_of=", "cancer-hiv v1", `id="drug-table"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the country page lacks %s", want)
		}
	}
	// Availability from the facility surveys, as the API answers it.
	var avail struct {
		Availability []struct {
			Medicine                string   `json:"medicine"`
			Sector                  string   `json:"sector"`
			FacilityAvailabilityPct *float64 `json:"facility_availability_pct"`
			AffordabilityDaysWages  *float64 `json:"affordability_days_wages"`
		} `json:"availability"`
	}
	e.api("/api/v1/countries/KEN/gaps", &avail)
	if len(avail.Availability) == 0 {
		t.Fatal("no availability in the demo data")
	}
	for _, a := range avail.Availability {
		equal(t, a.Medicine+" "+a.Sector, values(t, page, fmt.Sprintf(`<tr data-medicine="%s" data-sector="%s">`, a.Medicine, a.Sector), "</tr>"),
			present(a.FacilityAvailabilityPct, a.AffordabilityDaysWages))
	}
	// The downloads are the API's.
	if r := e.get("/api/v1/countries/KEN/report.xlsx"); r.Code != 200 || !strings.HasPrefix(r.Body.String(), "PK") {
		t.Errorf("report.xlsx: %d", r.Code)
	}
	if r := e.get("/api/v1/countries/KEN/gaps?format=csv"); r.Code != 200 || !strings.HasPrefix(r.Body.String(), "iso3,") {
		t.Errorf("CSV: %d %.200s", r.Code, r.Body.String())
	}
	if r := e.get("/countries/XXX"); r.Code != http.StatusNotFound || !strings.Contains(r.Body.String(), "<html") {
		t.Errorf("unknown country: %d", r.Code)
	}
	if r := e.get("/no/such/page", "Accept", "text/html,*/*"); r.Code != http.StatusNotFound || !strings.Contains(r.Body.String(), "<html") {
		t.Errorf("unknown page for a browser: %d %s", r.Code, r.Header().Get("Content-Type"))
	}
	if r := e.get("/api/v1/nothing", "Accept", "text/html"); r.Code != http.StatusNotFound || !strings.Contains(r.Header().Get("Content-Type"), "problem+json") {
		t.Errorf("unknown API path: %d %s", r.Code, r.Header().Get("Content-Type"))
	}
}

// TestHomePageShowsTheAPIFigures checks the world's need met and each
// income group's shares against the group endpoints for the latest year.
func TestHomePageShowsTheAPIFigures(t *testing.T) {
	e := newEnv(t)
	page := e.page("/")
	year := demo.LastYear
	if !strings.Contains(page, fmt.Sprintf("These are the figures for %d.", year)) {
		t.Fatalf("the home page is not about %d", year)
	}
	type group struct {
		Population    *float64 `json:"population_with_data"`
		MEMgPerCapita *float64 `json:"me_mg_per_capita"`
		NeedMetPct    *float64 `json:"need_met_pct"`
		WorldSharePct *float64 `json:"world_share_pct"`
	}
	var world group
	e.api(fmt.Sprintf("/api/v1/world/gaps?year=%d", year), &world)
	var bands struct {
		PopulationByAdequacy map[string]float64 `json:"population_by_adequacy"`
		AdequacyCounts       map[string]int     `json:"adequacy_counts"`
		CountriesWithData    int                `json:"countries_with_data"`
	}
	e.api(fmt.Sprintf("/api/v1/world/gaps?year=%d", year), &bands)
	if len(bands.PopulationByAdequacy) == 0 {
		t.Fatal("no population_by_adequacy")
	}
	banded := 0
	for _, n := range bands.AdequacyCounts {
		banded += n
	}
	for band, persons := range bands.PopulationByAdequacy {
		share := 100 * persons / *world.Population
		n := bands.AdequacyCounts[band]
		if band == "none" { // countries with data but no band
			n = bands.CountriesWithData - banded
		}
		equal(t, "band "+band, values(t, page, fmt.Sprintf(`<tr data-band="%s">`, band), "</tr>"), []float64{float64(n), share})
	}
	equal(t, "world need met", values(t, page, `id="world-need-met"`, "</p>"), present(world.NeedMetPct))
	bestME, bestPop := 0.0, 0.0
	for _, code := range []string{"LIC", "LMC", "UMC", "HIC"} {
		var g group
		e.api(fmt.Sprintf("/api/v1/income-groups/%s/gaps?year=%d", code, year), &g)
		popShare := 100 * *g.Population / *world.Population
		equal(t, code, values(t, page, fmt.Sprintf(`<tr data-group="%s">`, code), "</tr>"),
			present(&popShare, g.WorldSharePct, g.MEMgPerCapita, g.NeedMetPct))
		if *g.WorldSharePct > bestME {
			bestME, bestPop = *g.WorldSharePct, popShare
		}
	}
	// The "92% for 17%" sentence, computed: the group with the largest
	// share of morphine equivalent, and its share of people.
	want := fmt.Sprintf("%.0f%% of the morphine equivalent consumed went to %.0f%% of the world&#39;s people", bestME, bestPop)
	if !strings.Contains(page, want) {
		t.Errorf("the home page lacks %q", want)
	}
	if n := strings.Count(page, `<path class="band-`); n < 150 {
		t.Errorf("the map has %d countries", n)
	}
	for _, iso := range []string{"KEN", "UGA", "IND", "USA"} {
		if !strings.Contains(page, `href="/countries/`+iso+`"`) {
			t.Errorf("no link to %s", iso)
		}
	}
}

// TestComparePageIsOneAPIRequest checks the compare table against
// /api/v1/gaps?countries=, the one request that backs it.
func TestComparePageIsOneAPIRequest(t *testing.T) {
	e := newEnv(t)
	page := e.page("/compare?c=uga,KEN,IND")
	var api struct {
		Total     int      `json:"total"`
		Countries []string `json:"countries"`
		Items     []struct {
			Country struct {
				ISO3 string `json:"iso3"`
			} `json:"country"`
			yearJSON
		} `json:"items"`
	}
	e.api(fmt.Sprintf("/api/v1/gaps?year=%d&countries=UGA,KEN,IND", demo.LastYear), &api)
	if api.Total != 3 || len(api.Items) != 3 || strings.Join(api.Countries, ",") != "UGA,KEN,IND" {
		t.Fatalf("countries= answered %+v", api)
	}
	for _, it := range api.Items {
		equal(t, it.Country.ISO3, values(t, page, fmt.Sprintf(`<tr data-iso3="%s">`, it.Country.ISO3), "</tr>"),
			present(it.MEMgPerCapita, it.NeedMetPct, it.SDDD3YrAvg, it.MorphineKgToCloseGap))
	}
	if !strings.Contains(page, html.EscapeString(fmt.Sprintf("/api/v1/gaps?year=%d&countries=UGA,KEN,IND", demo.LastYear))) {
		t.Error("the compare page does not link its API request")
	}
	if r := e.get("/compare?c=A,B,C,D,E,F"); r.Code != http.StatusBadRequest {
		t.Errorf("bad codes: %d", r.Code)
	}
	if r := e.get("/compare?c=UGA,KEN,IND,USA,GBR,DEU"); r.Code != http.StatusBadRequest {
		t.Errorf("six countries: %d", r.Code)
	}
	if r := e.get("/api/v1/gaps?year=2022&countries=KE"); r.Code != http.StatusBadRequest {
		t.Errorf("countries=KE: %d", r.Code)
	}
}

// TestMethodologyIsRenderedFromTheData checks that every factor table's
// latest version is shown with its source, and every flag explained.
func TestMethodologyIsRenderedFromTheData(t *testing.T) {
	e := newEnv(t)
	page := e.page("/methodology")
	var api struct {
		Items []struct {
			Name, Source string
			Version      int
		} `json:"items"`
	}
	e.api("/api/v1/factor-tables", &api)
	latest := map[string]int{}
	for _, t := range api.Items {
		latest[t.Name] = max(latest[t.Name], t.Version)
	}
	for _, tb := range api.Items {
		if tb.Version != latest[tb.Name] {
			continue
		}
		if !strings.Contains(page, fmt.Sprintf(`id="table-%s"`, tb.Name)) || !strings.Contains(page, fmt.Sprintf("(%s v%d)", tb.Name, tb.Version)) {
			t.Errorf("table %s v%d is not shown", tb.Name, tb.Version)
		}
		if !strings.Contains(page, html.EscapeString(tb.Source)) {
			t.Errorf("the source of %s is not shown", tb.Name)
		}
	}
	var glossary struct {
		Items []struct{ Kind, Code string } `json:"items"`
	}
	e.api("/api/v1/glossary", &glossary)
	flags := 0
	for _, g := range glossary.Items {
		if g.Kind != "flag" {
			continue
		}
		flags++
		dt := "<dt><code>" + g.Code + "</code></dt><dd>"
		i := strings.Index(page, dt)
		if i < 0 {
			t.Errorf("flag %s is not explained", g.Code)
			continue
		}
		if dd := page[i+len(dt):]; strings.HasPrefix(dd, g.Code) || strings.HasPrefix(dd, "flag.") || strings.HasPrefix(dd, "</dd>") {
			t.Errorf("flag %s has no words: %.80s", g.Code, dd)
		}
	}
	if flags < 20 {
		t.Errorf("only %d flags in the glossary", flags)
	}
}

var (
	styleAttr  = regexp.MustCompile(`(?i)<[^>]+\sstyle=`)
	mapElement = regexp.MustCompile(`(?s)<svg class="map".*?</svg>`)
)

// TestEveryPageIsSmallSafeAndCached checks each public page for size (under
// 100 KB without the map), the CSP, no script and no style attribute,
// gzip, and the ETag round trip.
func TestEveryPageIsSmallSafeAndCached(t *testing.T) {
	e := newEnv(t)
	for _, target := range []string{"/", "/countries/KEN", "/countries/USA", "/compare?c=UGA,KEN,IND", "/compare", "/methodology", "/login", "/?lang=fr", "/countries/KEN?lang=fr", "/methodology?lang=fr", "/compare?c=UGA,KEN&lang=fr"} {
		r := e.get(target)
		if r.Code != http.StatusOK {
			t.Fatalf("%s: %d", target, r.Code)
		}
		body := r.Body.String()
		if n := len(mapElement.ReplaceAllString(body, "")); n > 100_000 {
			t.Errorf("%s: %d bytes without the map", target, n)
		}
		csp := r.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "style-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", target, csp)
		}
		if strings.Contains(strings.ToLower(body), "<script") || styleAttr.MatchString(body) {
			t.Errorf("%s has a script or a style attribute", target)
		}
		if strings.Contains(body, "%!") {
			t.Errorf("%s: a label was formatted with the wrong arguments: %s", target, body[strings.Index(body, "%!")-80:][:160])
		}
		if !strings.Contains(body, `<html lang="`) {
			t.Errorf("%s has no lang", target)
		}
		if target == "/login" {
			continue
		}
		etag := r.Header().Get("ETag")
		if etag == "" {
			t.Errorf("%s: no ETag", target)
			continue
		}
		if r2 := e.get(target, "If-None-Match", etag); r2.Code != http.StatusNotModified {
			t.Errorf("%s with its ETag: %d", target, r2.Code)
		}
		gz := e.get(target, "Accept-Encoding", "gzip")
		if gz.Header().Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: not gzipped", target)
			continue
		}
		zr, err := gzip.NewReader(gz.Body)
		if err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, zr); got != body {
			t.Errorf("%s: the gzipped page differs", target)
		}
	}
	// A parameter no page reads does not make another page.
	if a, b := e.get("/countries/KEN"), e.get("/countries/KEN?utm=x"); a.Header().Get("ETag") != b.Header().Get("ETag") {
		t.Error("an unknown parameter changes the ETag")
	}
	if a, b := e.get("/countries/KEN"), e.get("/countries/KEN?model=cancer-hiv"); a.Header().Get("ETag") == b.Header().Get("ETag") {
		t.Error("model does not change the ETag")
	}
	fr := e.page("/countries/KEN?lang=fr")
	if !strings.Contains(fr, `<html lang="fr" dir="ltr">`) || !strings.Contains(fr, "Kenya") || !strings.Contains(fr, "besoins") {
		t.Error("the French page is not in French")
	}
	if r := e.get("/", "Accept-Language", "fr-CH, fr;q=0.9, en;q=0.8"); !strings.Contains(r.Body.String(), `lang="fr"`) {
		t.Error("Accept-Language fr is not honoured")
	}
	css := e.get("/static/style.css")
	if css.Code != 200 || !strings.Contains(css.Body.String(), "@media print") {
		t.Errorf("stylesheet: %d", css.Code)
	}
}

// TestSupplyEstimateOnTheCountryPage checks the suggested estimate for the
// year after the latest figures against the API's supply estimate.
func TestSupplyEstimateOnTheCountryPage(t *testing.T) {
	e := newEnv(t)
	page := e.page("/countries/KEN")
	year := demo.LastYear + 1
	var api struct {
		Drugs []struct {
			Drug                   string   `json:"drug"`
			ConsumptionProjectionG *float64 `json:"consumption_projection_g"`
			NeedBasedG             *float64 `json:"need_based_g"`
			TotalG                 float64  `json:"total_g"`
		} `json:"drugs"`
	}
	e.api(fmt.Sprintf("/api/v1/countries/KEN/supply-estimate?year=%d", year), &api)
	if len(api.Drugs) == 0 {
		t.Fatal("no supply estimate lines")
	}
	if !strings.Contains(page, fmt.Sprintf("Suggested estimate for %d", year)) {
		t.Fatalf("no supply estimate for %d on the page", year)
	}
	kg := func(g *float64) *float64 { // the page shows kg: g ÷ 1000
		if g == nil {
			return nil
		}
		v := *g / 1e3
		return &v
	}
	table := page[strings.Index(page, `id="supply-table"`):]
	for _, l := range api.Drugs {
		equal(t, "supply "+l.Drug, values(t, table, fmt.Sprintf(`<tr data-drug="%s">`, l.Drug), "</tr>"),
			present(kg(l.ConsumptionProjectionG), kg(l.NeedBasedG), kg(&l.TotalG)))
	}
}

// TestPagesOnAnEmptyDatabase renders the public pages before any data is
// published: they say so rather than show a year 0 or fail.
func TestPagesOnAnEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+t.TempDir()+"/empty.db", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv, err := httpapi.New(httpapi.Config{Store: st, Imports: &access.ImportService{Store: st, Parser: importers.New()},
		Gaps: &access.GapService{Store: st}, Keys: &access.KeyService{Store: st}, RateLimit: httpapi.RateLimits{Disabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, h: srv.Handler(), st: st}
	if page := e.page("/"); !strings.Contains(page, `id="no-figures"`) || strings.Contains(page, "figures for 0") {
		t.Error("the empty home page does not say there is nothing yet")
	}
	if page := e.page("/countries/KEN"); !strings.Contains(page, "No figures have been published for this country yet.") || strings.Contains(page, `id="supply-table"`) {
		t.Error("the empty country page does not say so, or shows a supply estimate")
	}
	e.page("/methodology")
	e.page("/compare?c=KEN,UGA")
}
