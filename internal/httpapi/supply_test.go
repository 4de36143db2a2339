package httpapi_test

import (
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/httpapi"
)

func TestSupplyEstimateRoute(t *testing.T) {
	e := newEnv(t, func(c *httpapi.Config) {
		c.CountryTemplate = func(kind access.ImportKind, iso3 string) ([]byte, error) {
			return []byte("template " + string(kind) + " for " + iso3), nil
		}
	})
	pub := e.mustUpload("admin", "p.csv", consumptionCSV("KEN,2012,morphine,1000", "KEN,2013,morphine,2000"), map[string]string{"kind": "consumption"}, http.StatusAccepted)
	if r := e.do("admin", http.MethodPost, "/api/v1/uploads/"+strconv.FormatInt(pub.ID, 10)+"/publish", nil, ""); r.Code != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Code, r.Body.String())
	}
	// Kenya's ministry submits 2013 again, 5000 g, not yet published.
	e.mustUpload("ministry KEN", "k.csv", consumptionCSV("KEN,2013,morphine,5000"), map[string]string{"kind": "consumption"}, http.StatusAccepted)

	const url = "/api/v1/countries/KEN/supply-estimate?year=2014&projection=mean&phase=0.5&stock_months=3"
	var public, mine access.SupplyEstimate
	r := e.get("public", url)
	if r.Code != http.StatusOK || r.Header().Get("ETag") == "" {
		t.Fatalf("public: %d %s", r.Code, r.Body.String())
	}
	r.json(t, &public)
	// Public: mean of 1000 and 2000 = 1500 g; no deaths, so no need-based
	// figure: (a) = 1500, (c) = 3 months = 375, total 1875.
	l, ok := public.Line("morphine")
	if !ok || *l.ConsumptionProjectionG != 1500 || l.TotalG != 1875 || public.Methods.Phase != 0.5 || public.Methods.StockMonths != 3 {
		t.Fatalf("public estimate %s", r.Body.String())
	}
	if r2 := e.get("public", url, "If-None-Match", r.Header().Get("ETag")); r2.Code != http.StatusNotModified {
		t.Fatalf("revalidation: %d", r2.Code)
	}
	// The ministry sees its submission: mean of 1000 and 5000 = 3000 g.
	r = e.get("ministry KEN", url)
	r.json(t, &mine)
	if l, _ := mine.Line("morphine"); *l.ConsumptionProjectionG != 3000 || !slices.Contains(mine.Flags, access.FlagIncludesUnpublishedSubmission) ||
		r.Header().Get("ETag") != "" {
		t.Fatalf("ministry estimate %s (ETag %q)", r.Body.String(), r.Header().Get("ETag"))
	}
	// Uganda's ministry and an advocate see published data only.
	for _, role := range []string{"ministry UGA", "advocate"} {
		var other access.SupplyEstimate
		e.get(role, url).json(t, &other)
		if l, _ := other.Line("morphine"); *l.ConsumptionProjectionG != 1500 {
			t.Errorf("%s sees %+v", role, other.Drugs)
		}
	}
	// The ministry's own figures: expected stock 375 g covers (c) exactly:
	// total = 1500 + 0 + 200 + max(0, 375 − 375) = 1700 g.
	var given access.SupplyEstimate
	e.get("public", url+"&expected_stock=morphine:375&special_stocks=morphine:200").json(t, &given)
	if l, _ := given.Line("morphine"); l.TotalG != 1700 || given.DataVersion == 0 {
		t.Errorf("given figures: %+v (data version %d)", given.Drugs, given.DataVersion)
	}
	for _, bad := range []string{"?year=2014&expected_stock=morphine:-1", "?year=2014&manufacture=morphine", "?year=2014&projection=median", "?year=2014&mix=fentanyl",
		"?year=2014&stock_months=-1", "", "?year=abc", "?year=2014&phase=x"} {
		if r := e.get("public", "/api/v1/countries/KEN/supply-estimate"+bad); r.Code != http.StatusBadRequest {
			t.Errorf("%q: %d %s", bad, r.Code, r.Body.String())
		}
	}
	if r := e.get("public", "/api/v1/countries/XXX/supply-estimate?year=2014"); r.Code != http.StatusNotFound {
		t.Errorf("unknown country: %d", r.Code)
	}
	if r := e.get("public", "/api/v1/countries/KEN/supply-estimate?year=2014&model=nope"); r.Code != http.StatusBadRequest {
		t.Errorf("unknown model: %d", r.Code)
	}
	// A ministry key downloads templates with its country filled in.
	if r := e.get("ministry KEN", "/api/v1/templates/estimates.xlsx"); r.Body.String() != "template estimates for KEN" {
		t.Errorf("ministry template: %q", r.Body.String())
	}
	if r := e.get("public", "/api/v1/templates/estimates.xlsx"); r.Body.String() != "template estimates" {
		t.Errorf("public template: %q", r.Body.String())
	}
}
