package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/importers"
	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/demo"
)

// TestAsOfPagesShowTheAPIsEarlierFigures publishes a correction of Kenya's
// morphine in the latest year, then checks that the country, home and
// compare pages as of the earlier data version show the figures the API
// answers as of that version (the earlier ones), byte for byte as they were
// rendered before the correction, cacheable for ever; that the pages
// without as_of show the API's new figures; and that each page's permalink
// pins the version it shows.
func TestAsOfPagesShowTheAPIsEarlierFigures(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	v1, err := e.st.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, kenBefore := checkCountryPage(t, e, 0)
	_, worldBefore := checkHomePage(t, e, 0)
	_, compareBefore := checkComparePage(t, e, 0)
	pinned := []string{
		fmt.Sprintf("/countries/KEN?as_of=%d", v1),
		fmt.Sprintf("/?as_of=%d", v1),
		fmt.Sprintf("/compare?c=UGA,KEN,IND&as_of=%d", v1),
	}
	rendered := map[string]string{}
	for _, p := range pinned {
		rendered[p] = e.page(p)
	}

	// The correction: Kenya's morphine in the latest year, doubled.
	var api struct {
		Years []struct {
			Drugs []struct {
				Drug string   `json:"drug"`
				Kg   *float64 `json:"kg"`
			} `json:"drugs"`
		} `json:"years"`
	}
	e.api(fmt.Sprintf("/api/v1/countries/KEN/gaps?from=%d&to=%d", demo.LastYear, demo.LastYear), &api)
	var morphineKg float64
	for _, d := range api.Years[0].Drugs {
		if d.Drug == "morphine" && d.Kg != nil {
			morphineKg = *d.Kg
		}
	}
	if morphineKg <= 0 {
		t.Fatalf("no morphine for Kenya in %d: %+v", demo.LastYear, api)
	}
	imports := &access.ImportService{Store: e.st, Parser: importers.New()}
	csv := fmt.Sprintf("Country (ISO3),Year,Drug,Unit,Consumption\nKEN,%d,morphine,kg,%g\n", demo.LastYear, 2*morphineKg)
	res, err := imports.Import(ctx, access.Operator, "ken-fix.csv", []byte(csv), access.ImportOptions{Publish: true})
	if err != nil || res.Upload.Status != access.StatusPublished {
		t.Fatalf("correction: %+v %v", res.Upload, err)
	}
	v2, err := e.st.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v2 <= v1 {
		t.Fatalf("data version %d after the correction, %d before", v2, v1)
	}

	// A new service: nothing computed or rendered before the correction.
	e.restart()
	_, kenThen := checkCountryPage(t, e, v1)
	_, kenNow := checkCountryPage(t, e, 0)
	_, worldThen := checkHomePage(t, e, v1)
	_, worldNow := checkHomePage(t, e, 0)
	_, compareThen := checkComparePage(t, e, v1)
	_, compareNow := checkComparePage(t, e, 0)
	checkSupply(t, e, v1)
	checkSupply(t, e, 0)
	for _, c := range []struct {
		what                 string
		before, then, nowFig float64
	}{{"Kenya's mg ME per capita", kenBefore, kenThen, kenNow},
		{"the world's need met", worldBefore, worldThen, worldNow},
		{"Kenya's mg ME per capita compared", compareBefore, compareThen, compareNow}} {
		if c.then != c.before {
			t.Errorf("%s as of %d: %v, before the correction %v", c.what, v1, c.then, c.before)
		}
		if c.nowFig == c.before {
			t.Errorf("%s now: still %v after the correction", c.what, c.nowFig)
		}
	}

	for _, p := range pinned {
		r := e.get(p)
		if r.Code != http.StatusOK || r.Body.String() != rendered[p] {
			t.Errorf("%s: %d, not the page rendered before the correction", p, r.Code)
		}
		if cc := r.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=31536000") {
			t.Errorf("%s: Cache-Control %q", p, cc)
		}
		if link := r.Header().Get("Link"); !strings.Contains(link, fmt.Sprintf("as_of=%d", v1)) || !strings.HasSuffix(link, `; rel="canonical"`) {
			t.Errorf("%s: Link %q", p, link)
		}
		body := r.Body.String()
		if !strings.Contains(body, fmt.Sprintf(`id="as-of"><strong>Figures as of data version %d.</strong>`, v1)) {
			t.Errorf("%s does not say it shows data version %d", p, v1)
		}
		if r2 := e.get(p, "If-None-Match", r.Header().Get("ETag")); r2.Code != http.StatusNotModified {
			t.Errorf("%s with its ETag: %d", p, r2.Code)
		}
		now := strings.Replace(strings.Replace(p, fmt.Sprintf("&as_of=%d", v1), "", 1), fmt.Sprintf("?as_of=%d", v1), "", 1)
		r = e.get(now)
		if cc := r.Header().Get("Cache-Control"); r.Code != http.StatusOK || cc != "no-cache" {
			t.Errorf("%s: %d, Cache-Control %q", now, r.Code, cc)
		}
		if strings.Contains(r.Body.String(), `id="as-of"`) {
			t.Errorf("%s says it is as of an earlier version", now)
		}
	}
	// Each page's permalink pins the version it shows: the as-of pages the
	// earlier one, the others the current one.
	for page, link := range map[string]string{
		pinned[0]:                         fmt.Sprintf("/countries/KEN?as_of=%d<", v1),
		pinned[1]:                         fmt.Sprintf("/?as_of=%d<", v1),
		pinned[2]:                         fmt.Sprintf("/compare?as_of=%d&amp;c=UGA,KEN,IND<", v1),
		"/countries/KEN":                  fmt.Sprintf("/countries/KEN?as_of=%d<", v2),
		"/":                               fmt.Sprintf("/?as_of=%d<", v2),
		"/compare?c=uga,KEN,IND":          fmt.Sprintf("/compare?as_of=%d&amp;c=UGA,KEN,IND<", v2),
		"/countries/KEN?model=cancer-hiv": fmt.Sprintf("/countries/KEN?as_of=%d&amp;model=cancer-hiv<", v2),
	} {
		if body := e.page(page); !strings.Contains(body, `id="permalink">http://example.com`+link) {
			t.Errorf("%s: no permalink %s", page, link)
		}
	}
	// An as-of page links to the other pages and to the API as of its version.
	country := e.page(pinned[0])
	for _, want := range []string{
		fmt.Sprintf(`href="/api/v1/countries/KEN/report.xlsx?as_of=%d"`, v1),
		fmt.Sprintf(`href="/api/v1/countries/KEN/gaps?format=csv&amp;as_of=%d"`, v1),
		fmt.Sprintf(`href="/api/v1/countries/KEN/gaps?as_of=%d"`, v1),
		fmt.Sprintf(`<input type="hidden" name="as_of" value="%d">`, v1),
		`<a href="/countries/KEN">See the current figures</a>`,
	} {
		if !strings.Contains(country, want) {
			t.Errorf("the country page as of %d lacks %s", v1, want)
		}
	}
	if r := e.get(fmt.Sprintf("/api/v1/countries/KEN/report.xlsx?as_of=%d", v1)); r.Code != http.StatusOK {
		t.Errorf("the report as of %d: %d", v1, r.Code)
	}
	if home := e.page(pinned[1]); !strings.Contains(home, fmt.Sprintf(`href="/countries/KEN?as_of=%d"`, v1)) {
		t.Errorf("the home page as of %d does not link Kenya as of it", v1)
	}

	// as_of after the current version, or not a version at all: a 400 page.
	for _, page := range []string{"/countries/KEN", "/", "/compare?c=KEN"} {
		sep := "?"
		if strings.Contains(page, "?") {
			sep = "&"
		}
		for _, q := range []string{fmt.Sprintf("as_of=%d", v2+1), "as_of=x", "as_of=-1", "as_of=0", "as_of=1.5", "as_of=%2B1", "as_of=1&as_of=2", "as_of=99999999999999999999"} {
			r := e.get(page + sep + q)
			if r.Code != http.StatusBadRequest || !strings.Contains(r.Body.String(), "<html") || r.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("%s%s%s: %d %s", page, sep, q, r.Code, r.Header().Get("Cache-Control"))
			}
		}
	}
}
