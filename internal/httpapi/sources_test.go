package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
)

// publishTerms imports and publishes a file with the given terms.
func (e *testEnv) publishTerms(name, data string, terms access.Terms) access.Upload {
	e.t.Helper()
	imp := &access.ImportService{Store: e.st, Parser: csvParser{}}
	res, err := imp.Import(context.Background(), access.Operator, name, []byte(data), access.ImportOptions{Publish: true, Terms: terms})
	if err != nil || res.Upload.Status != access.StatusPublished {
		e.t.Fatalf("import %s: %+v, %v", name, res.Upload, err)
	}
	return res.Upload
}

type sourcedFigures struct {
	DataVersion      int64  `json:"data_version"`
	PopulationSource string `json:"population_source"`
	Years            []struct {
		Population    *float64 `json:"population"`
		MEMgPerCapita *float64 `json:"me_mg_per_capita"`
		Lineage       []struct {
			UploadID int64  `json:"upload_id"`
			What     string `json:"what"`
		} `json:"lineage"`
	} `json:"years"`
}

// A second population source is kept beside the first and changes no
// figure until an administrator makes it the default; the figures then
// divide by it and name it, and their lineage reaches its row.
func TestSecondPopulationSource(t *testing.T) {
	e := newEnv(t)
	wpp := e.publishTerms("pop.csv", "iso3,year,persons\nKEN,2020,1000000\n",
		access.Terms{Source: "UN WPP 2019", Licence: "CC BY 3.0 IGO", Citation: "UN DESA, World Population Prospects 2019"})
	e.publish("ken.csv", consumptionCSV("KEN,2020,morphine,1000"))
	const path = "/api/v1/countries/KEN/gaps?from=2020&to=2020"
	var before sourcedFigures
	r := e.get("public", path)
	r.json(t, &before)
	// 1,000 g morphine = 1,000,000 mg ME over 1,000,000 people = 1 mg per capita.
	if before.PopulationSource != "UN WPP 2019" || *before.Years[0].MEMgPerCapita != 1 {
		t.Fatalf("before: %+v", before)
	}
	body := r.Body.String()
	v1 := before.DataVersion

	wb := e.publishTerms("wdi.csv", "iso3,year,persons\nKEN,2020,2000000\n", access.Terms{Source: "World Bank WDI 2024", Licence: "CC BY 4.0"})
	var after sourcedFigures
	r = e.get("public", path)
	r.json(t, &after)
	// Unchanged but for the data version.
	if after.PopulationSource != "UN WPP 2019" || *after.Years[0].MEMgPerCapita != 1 ||
		strings.Replace(r.Body.String(), fmt.Sprintf(`"data_version":%d`, after.DataVersion), fmt.Sprintf(`"data_version":%d`, v1), 1) != body {
		t.Fatalf("a second source changed the figures: %+v", after)
	}

	var list struct {
		Items []access.Series `json:"items"`
	}
	e.get("public", "/api/v1/sources").json(t, &list)
	if len(list.Items) != 2 || list.Items[0].Source != "UN WPP 2019" || !list.Items[0].Default || list.Items[0].Licence != "CC BY 3.0 IGO" ||
		list.Items[1].Source != "World Bank WDI 2024" || list.Items[1].Default || list.Items[1].FirstUpload != wb.ID {
		t.Fatalf("sources = %+v", list.Items)
	}

	put := func(role, measure, body string) response {
		return e.do(role, http.MethodPut, "/api/v1/sources/"+measure, strings.NewReader(body), "application/json")
	}
	for _, c := range []struct {
		role, measure, body string
		want                int
	}{
		{"advocate", "population", `{"source":"World Bank WDI 2024"}`, http.StatusForbidden},
		{"admin", "population", `{"source":"GBD 2019"}`, http.StatusBadRequest},
		{"admin", "income", `{"source":"World Bank WDI 2024"}`, http.StatusNotFound},
		{"admin", "population", `{"source":"World Bank WDI 2024"}`, http.StatusOK},
	} {
		if r := put(c.role, c.measure, c.body); r.Code != c.want {
			t.Errorf("%s PUT %s %s: %d, want %d: %s", c.role, c.measure, c.body, r.Code, c.want, r.Body.String())
		}
	}

	var switched sourcedFigures
	e.get("public", path).json(t, &switched)
	// 1,000,000 mg ME over 2,000,000 people = 0.5 mg per capita.
	if switched.PopulationSource != "World Bank WDI 2024" || *switched.Years[0].Population != 2e6 || *switched.Years[0].MEMgPerCapita != 0.5 {
		t.Fatalf("switched: %+v", switched)
	}
	found := false
	for _, l := range switched.Years[0].Lineage {
		if l.UploadID == wpp.ID {
			t.Errorf("lineage still names the first source's upload %d", wpp.ID)
		}
		found = found || l.UploadID == wb.ID
	}
	if !found {
		t.Errorf("lineage %+v does not reach upload %d", switched.Years[0].Lineage, wb.ID)
	}
	// As of the version before the switch, the first source still answers.
	var then sourcedFigures
	e.get("public", fmt.Sprintf("%s&as_of=%d", path, after.DataVersion)).json(t, &then)
	if then.PopulationSource != "UN WPP 2019" || *then.Years[0].MEMgPerCapita != 1 {
		t.Errorf("as_of %d: %+v", after.DataVersion, then)
	}
	// Group figures name the series too.
	var world struct {
		PopulationSource string  `json:"population_source"`
		Population       float64 `json:"population"`
	}
	e.get("public", "/api/v1/world/gaps?year=2020").json(t, &world)
	if world.PopulationSource != "World Bank WDI 2024" || world.Population != 2e6 {
		t.Errorf("world: %+v", world)
	}
}

// The upload form records source, licence and citation; the upload and the
// population listing show them; a control character is a 400.
func TestUploadTerms(t *testing.T) {
	e := newEnv(t)
	fields := map[string]string{"source": "UN WPP 2024", "licence": "CC BY 3.0 IGO", "citation": "UN DESA, World Population Prospects 2024"}
	r := e.upload("admin", "pop.csv", []byte("iso3,year,persons\nKEN,2020,1000000\n"), fields)
	var u struct {
		ID       int64  `json:"id"`
		Source   string `json:"source"`
		Licence  string `json:"licence"`
		Citation string `json:"citation"`
	}
	r.json(t, &u)
	if u.Source != "UN WPP 2024" || u.Licence != "CC BY 3.0 IGO" || u.Citation != fields["citation"] {
		t.Fatalf("upload: %d %s", r.Code, r.Body.String())
	}
	if r := e.do("admin", http.MethodPost, fmt.Sprintf("/api/v1/uploads/%d/publish", u.ID), nil, ""); r.Code != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Code, r.Body.String())
	}
	var pop struct {
		Items []struct {
			Source string `json:"source"`
		} `json:"items"`
	}
	e.get("public", "/api/v1/countries/KEN/population").json(t, &pop)
	if len(pop.Items) != 1 || pop.Items[0].Source != "UN WPP 2024" {
		t.Errorf("population = %+v", pop.Items)
	}
	bad := e.upload("admin", "pop2.csv", []byte("iso3,year,persons\nKEN,2021,1000000\n"), map[string]string{"source": "a\x01b"})
	if bad.Code != http.StatusBadRequest {
		t.Errorf("control character in source: %d %s", bad.Code, bad.Body.String())
	}
}
