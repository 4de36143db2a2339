package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
)

// publish imports and publishes a file as the local operator.
func (e *testEnv) publish(name, data string) {
	e.t.Helper()
	imp := &access.ImportService{Store: e.st, Parser: csvParser{}}
	res, err := imp.Import(context.Background(), access.Operator, name, []byte(data), access.ImportOptions{Publish: true})
	if err != nil || res.Upload.Status != access.StatusPublished {
		e.t.Fatalf("import %s: %+v, %v", name, res.Upload, err)
	}
}

type figuresOut struct {
	DataVersion int64 `json:"data_version"`
	Methods     struct {
		NeedModel        *access.Ref  `json:"need_model"`
		NeedModels       []access.Ref `json:"need_models"`
		DataQualityRules []string     `json:"data_quality_rules"`
	} `json:"methods"`
	Years []struct {
		Year            int                `json:"year"`
		NeedMEMg        *float64           `json:"need_me_mg"`
		NeedMetPct      *float64           `json:"need_met_pct"`
		NeedModels      access.NeedByModel `json:"need_models"`
		NeedMetPctRange *[2]float64        `json:"need_met_pct_range"`
		Flags           []string           `json:"flags"`
	} `json:"years"`
}

// Figures carry the data version, the benchmark need model by default,
// another model on request (an unknown one is a 400 naming the known
// ones), and the data-quality rule that ran.
func TestFiguresModelsAndDataVersion(t *testing.T) {
	e := newEnv(t)
	e.publish("pop.csv", "iso3,year,persons\nKEN,2020,1000000\nKEN,2021,1000000\n")
	e.publish("ken.csv", consumptionCSV("KEN,2020,morphine,1000", "KEN,2021,morphine,0"))
	version, err := e.st.DataVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	var g figuresOut
	r := e.get("public", "/api/v1/countries/KEN/gaps?from=2020&to=2021")
	r.json(t, &g)
	if r.Code != 200 || g.DataVersion != version || version < 3 {
		t.Fatalf("country gaps: %d, data_version %d, want %d: %s", r.Code, g.DataVersion, version, r.Body.String())
	}
	if g.Methods.NeedModel == nil || g.Methods.NeedModel.Name != access.ModelBenchmark {
		t.Fatalf("headline model = %+v, want benchmark", g.Methods.NeedModel)
	}
	// 2020: benchmark need 256 mg × 1,000,000 = 256,000,000 mg; consumed 1,000 g = 1,000,000 mg;
	// 100 × 1,000,000 ÷ 256,000,000 = 0.390625% of need met.
	y := g.Years[0]
	if y.NeedMEMg == nil || *y.NeedMEMg != 256e6 || y.NeedMetPct == nil || *y.NeedMetPct != 0.390625 {
		t.Fatalf("2020 need = %v, met = %v", y.NeedMEMg, y.NeedMetPct)
	}
	if _, ok := y.NeedModels[access.ModelCancerHIV]; !ok || y.NeedMetPctRange == nil {
		t.Errorf("need_models = %v, range %v", y.NeedModels, y.NeedMetPctRange)
	}
	// 2021 reads 0 after 2020's consumption: a suspected missing report.
	if f := g.Years[1].Flags; !contains(f, access.FlagSuspectedNotReported) || !contains(f, access.FlagNotReported) {
		t.Errorf("2021 flags = %v", f)
	}
	if !contains(g.Methods.DataQualityRules, access.RuleSuspectedNotReported) {
		t.Errorf("rules = %v", g.Methods.DataQualityRules)
	}

	// model= puts that model in the headline fields.
	r = e.get("public", "/api/v1/countries/KEN/gaps?from=2020&to=2020&model=cancer-hiv")
	r.json(t, &g)
	if r.Code != 200 || g.Methods.NeedModel.Name != access.ModelCancerHIV || g.Years[0].NeedMEMg != nil {
		t.Fatalf("model=cancer-hiv: %d %+v (no deaths: need null)", r.Code, g.Methods.NeedModel)
	}
	for _, path := range []string{"/api/v1/countries/KEN/gaps?model=nope", "/api/v1/world/gaps?year=2020&model=nope",
		"/api/v1/regions/AFR/gaps?year=2020&model=nope", "/api/v1/gaps?year=2020&model=nope"} {
		r = e.get("public", path)
		if r.Code != http.StatusBadRequest || !strings.Contains(r.Body.String(), "benchmark, cancer-hiv") {
			t.Errorf("%s: %d %s", path, r.Code, r.Body.String())
		}
	}

	// Group and ranking bodies carry the data version too.
	var grp struct {
		DataVersion        int64    `json:"data_version"`
		Population         float64  `json:"population"`
		PopulationWithData float64  `json:"population_with_data"`
		NeedMetPct         *float64 `json:"need_met_pct"`
	}
	e.get("public", "/api/v1/regions/AFR/gaps?year=2020").json(t, &grp)
	if grp.DataVersion != version || grp.Population != 1e6 || grp.PopulationWithData != 1e6 || grp.NeedMetPct == nil || *grp.NeedMetPct != 0.390625 {
		t.Errorf("AFR 2020 = %+v", grp)
	}
	var rank struct {
		DataVersion int64 `json:"data_version"`
	}
	e.get("public", "/api/v1/gaps?year=2020").json(t, &rank)
	if rank.DataVersion != version {
		t.Errorf("ranking data_version = %d, want %d", rank.DataVersion, version)
	}

	// An administrator turns the rule off: the data version and ETag move, and 2021's
	// zero is believed.
	_, etag := e.meMg(2021)
	if err := e.st.SetSetting(context.Background(), access.SettingSuspectedNotReported, "off"); err != nil {
		t.Fatal(err)
	}
	v2, etag2 := e.meMg(2021)
	if v2 == nil || *v2 != 0 || etag2 == etag {
		t.Errorf("rule off: me_mg 2021 = %v, ETag %s → %s", v2, etag, etag2)
	}
}

func TestGlossaryRoute(t *testing.T) {
	e := newEnv(t)
	var out struct {
		Items []access.GlossaryEntry `json:"items"`
	}
	r := e.get("public", "/api/v1/glossary")
	r.json(t, &out)
	codes := map[string]bool{}
	for _, it := range out.Items {
		codes[it.Kind+":"+it.Code] = true
	}
	for _, want := range []string{"flag:not_reported", "flag:suspected_not_reported", "flag:implausible_change",
		"flag:drug_not_reported:", "incb_band:not classed (200 or more)", "acm_band:virtually none", "group_band:none"} {
		if !codes[want] {
			t.Errorf("glossary lacks %s", want)
		}
	}
	if r.Code != 200 || len(out.Items) != len(access.Glossary()) {
		t.Errorf("glossary: %d, %d items", r.Code, len(out.Items))
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// Administrators change the figures settings through the API; the figures
// follow at once.
func TestSettingsRoute(t *testing.T) {
	e := newEnv(t)
	e.publish("pop.csv", "iso3,year,persons\nKEN,2020,1000000\n")
	e.publish("ken.csv", consumptionCSV("KEN,2020,morphine,1000"))
	put := func(role, key, body string) response {
		return e.do(role, http.MethodPut, "/api/v1/settings/"+key, strings.NewReader(body), "application/json")
	}
	for _, c := range []struct {
		role, key, body string
		want            int
	}{
		{"ministry KEN", access.SettingDefaultNeedModel, `{"value":"cancer-hiv"}`, http.StatusForbidden},
		{"public", access.SettingDefaultNeedModel, `{"value":"cancer-hiv"}`, http.StatusUnauthorized},
		{"admin", access.SettingDefaultNeedModel, `{"value":"nope"}`, http.StatusBadRequest},
		{"admin", access.SettingSuspectedNotReported, `{"value":"maybe"}`, http.StatusBadRequest},
		{"admin", "color", `{"value":"red"}`, http.StatusNotFound},
		{"admin", access.SettingDefaultNeedModel, `{"value":"cancer-hiv"}`, http.StatusOK},
	} {
		if r := put(c.role, c.key, c.body); r.Code != c.want {
			t.Errorf("%s PUT %s %s: %d, want %d: %s", c.role, c.key, c.body, r.Code, c.want, r.Body.String())
		}
	}
	var g figuresOut
	e.get("public", "/api/v1/countries/KEN/gaps?from=2020&to=2020").json(t, &g)
	if g.Methods.NeedModel == nil || g.Methods.NeedModel.Name != access.ModelCancerHIV {
		t.Errorf("headline model after the setting = %+v", g.Methods.NeedModel)
	}
	if r := e.get("ministry KEN", "/api/v1/settings"); r.Code != http.StatusForbidden {
		t.Errorf("a ministry lists settings: %d", r.Code)
	}
	var list settingsDTOOut
	if r := e.get("admin", "/api/v1/settings"); r.Code != 200 {
		t.Fatalf("list settings: %d", r.Code)
	} else {
		r.json(t, &list)
	}
	got := map[string]string{}
	for _, it := range list.Items {
		got[it.Key] = it.Value
	}
	if got[access.SettingDefaultNeedModel] != "cancer-hiv" || got[access.SettingSuspectedNotReported] != "on" {
		t.Errorf("settings = %v", got)
	}
}

type settingsDTOOut struct {
	Items []access.FiguresSetting `json:"items"`
}
