package httpapi_test

import (
	"encoding/xml"
	"net/http"

	"strings"
	"testing"
)

type atomOut struct {
	Entries []struct {
		ID       string `xml:"id"`
		Title    string `xml:"title"`
		Category struct {
			Term string `xml:"term,attr"`
		} `xml:"category"`
	} `xml:"entry"`
}

func (e *testEnv) feed(path string) atomOut {
	e.t.Helper()
	r := e.get("public", path)
	if r.Code != 200 || !strings.HasPrefix(r.Header().Get("Content-Type"), "application/atom+xml") {
		e.t.Fatalf("%s: %d %s", path, r.Code, r.Body.String())
	}
	var f atomOut
	if err := xml.Unmarshal(r.Body.Bytes(), &f); err != nil {
		e.t.Fatal(err)
	}
	return f
}

func kinds(f atomOut) map[string]int {
	out := map[string]int{}
	for _, e := range f.Entries {
		out[e.Category.Term]++
	}
	return out
}

func TestFeeds(t *testing.T) {
	e := newEnv(t, withSchedules)
	e.publishKEN()
	// Kenya: two publications behind its figures (consumption and population).
	if k := kinds(e.feed("/feeds/countries/ken.atom")); k["publication"] != 2 {
		t.Errorf("Kenya feed kinds = %v", k)
	}
	if k := kinds(e.feed("/feeds/world.atom")); k["publication"] != 2 {
		t.Errorf("world feed kinds = %v", k)
	}
	e.feed("/feeds/regions/AFR.atom")

	// A scheduled report for Kenya appears once it is ready.
	r := e.postJSON("admin", "/api/v1/schedules", map[string]any{"name": "k", "cron": "@daily", "scope": "country", "target": "KEN"})
	var sch struct{ ID int64 }
	r.json(t, &sch)
	if r := e.postJSON("admin", "/api/v1/schedules/"+itoa(sch.ID)+"/run", nil); r.Code != 200 {
		t.Fatalf("run: %d %s", r.Code, r.Body.String())
	}
	if k := kinds(e.feed("/feeds/countries/KEN.atom")); k["report_ready"] != 1 {
		t.Errorf("after a scheduled run, Kenya feed kinds = %v", k)
	}
	for path, want := range map[string]int{
		"/feeds/countries/KEN.rss":   http.StatusNotFound,
		"/feeds/countries/XXXX.atom": http.StatusBadRequest,
		"/feeds/regions/XYZ.atom":    http.StatusNotFound,
	} {
		if r := e.get("public", path); r.Code != want {
			t.Errorf("%s: %d, want %d", path, r.Code, want)
		}
	}
}
