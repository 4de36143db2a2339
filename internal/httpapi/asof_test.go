package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
)

// Figures published at one data version are answered byte for byte as of
// that version after a correction, a new factor-table version and a
// setting change; the default answers the new figures; every answer links
// its permalink; as_of after the current version is a 400.
func TestAsOfAnswersEarlierFiguresByteForByte(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.publish("pop.csv", "iso3,year,persons\nKEN,2019,1000000\nKEN,2020,1000000\n")
	e.publish("ken.csv", consumptionCSV("KEN,2019,morphine,1000", "KEN,2020,morphine,1000"))
	v1, err := e.st.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{
		"/api/v1/countries/KEN/gaps?from=2019&to=2020",
		"/api/v1/regions/AFR/gaps?year=2020",
		"/api/v1/income-groups/LMC/gaps?year=2020",
		"/api/v1/world/gaps?year=2020",
		"/api/v1/gaps?year=2020",
		"/api/v1/countries/KEN/supply-estimate?year=2021",
		"/api/v1/countries/KEN/gaps?from=2019&to=2020&format=csv",
		"/api/v1/download/gaps.csv?model=",
	}
	before := map[string]string{}
	for _, p := range paths {
		r := e.get("public", p)
		if r.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", p, r.Code, r.Body.String())
		}
		before[p] = r.Body.String()
		if link := r.Header().Get("Link"); !strings.Contains(link, fmt.Sprintf("as_of=%d", v1)) || !strings.HasSuffix(link, `; rel="canonical"`) {
			t.Errorf("%s: Link = %q", p, link)
		}
	}

	// A correction (2020: 1,000 g → 2,000 g), a new S-DDD version and a
	// setting change, each a new data version.
	e.publish("ken-fix.csv", consumptionCSV("KEN,2020,morphine,2000"))
	sddd, err := e.st.FactorTable(ctx, access.TableSDDD, 0)
	if err != nil {
		t.Fatal(err)
	}
	sddd.Version = 0
	for i := range sddd.Rows {
		if sddd.Rows[i].Key == "morphine" {
			sddd.Rows[i].Value = 50
		}
	}
	if _, err := e.st.AddFactorTable(ctx, sddd); err != nil {
		t.Fatal(err)
	}
	if err := e.st.SetSetting(ctx, access.SettingDefaultNeedModel, access.ModelCancerHIV); err != nil {
		t.Fatal(err)
	}
	v2, _ := e.st.DataVersion(ctx)
	if v2 < v1+3 {
		t.Fatalf("data version %d → %d: each change is a version", v1, v2)
	}

	for _, p := range paths {
		r := e.get("public", p+fmt.Sprintf("&as_of=%d", v1))
		if r.Code != http.StatusOK || r.Body.String() != before[p] {
			t.Errorf("%s as_of %d: %d, not the earlier bytes (%d bytes, want %d)", p, v1, r.Code, r.Body.Len(), len(before[p]))
		}
		if cc := r.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("%s as_of: Cache-Control %q", p, cc)
		}
		now := e.get("public", p)
		if now.Body.String() == before[p] || !strings.Contains(p, "csv") && !strings.Contains(now.Body.String(), fmt.Sprintf(`"data_version":%d`, v2)) {
			t.Errorf("%s now: still the earlier figures", p)
		}
		if cc := now.Header().Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s now: Cache-Control %q", p, cc)
		}
	}
	// The corrected value: 2,000 g of morphine = 2,000,000 mg ME over 1,000,000 people = 2 mg per capita;
	// before: 1 mg per capita.
	var now, then figuresOut
	e.get("public", "/api/v1/countries/KEN/gaps?from=2020&to=2020").json(t, &now)
	e.get("public", fmt.Sprintf("/api/v1/countries/KEN/gaps?from=2020&to=2020&as_of=%d", v1)).json(t, &then)
	if now.Methods.NeedModel.Name != access.ModelCancerHIV || then.Methods.NeedModel.Name != access.ModelBenchmark {
		t.Errorf("headline model now %s, then %s", now.Methods.NeedModel.Name, then.Methods.NeedModel.Name)
	}
	var pc struct {
		Methods struct {
			SDDD access.Ref `json:"sddd"`
		} `json:"methods"`
		Years []struct {
			MEMgPerCapita *float64 `json:"me_mg_per_capita"`
		} `json:"years"`
	}
	e.get("public", "/api/v1/countries/KEN/gaps?from=2020&to=2020").json(t, &pc)
	if pc.Years[0].MEMgPerCapita == nil || *pc.Years[0].MEMgPerCapita != 2 || pc.Methods.SDDD.Version != 3 { // 1 seeded, 2 by migration 0017, 3 added here
		t.Errorf("now: %+v", pc)
	}
	nowSDDD := pc.Methods.SDDD.Version
	e.get("public", fmt.Sprintf("/api/v1/countries/KEN/gaps?from=2020&to=2020&as_of=%d", v1)).json(t, &pc)
	if pc.Years[0].MEMgPerCapita == nil || *pc.Years[0].MEMgPerCapita != 1 || pc.Methods.SDDD.Version >= nowSDDD {
		t.Errorf("as_of %d: %+v (S-DDD version now %d)", v1, pc, nowSDDD)
	}

	for _, q := range []string{fmt.Sprintf("as_of=%d", v2+1), "as_of=-1", "as_of=x"} {
		if r := e.get("public", "/api/v1/world/gaps?year=2020&"+q); r.Code != http.StatusBadRequest {
			t.Errorf("%s: %d", q, r.Code)
		}
	}
}
