package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/reliefgap/reliefgap/importers"
	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/demo"
	"github.com/reliefgap/reliefgap/internal/httpapi"
	"github.com/reliefgap/reliefgap/internal/store"
)

// pathValues fills the path parameters of every GET route with values the
// demo data set has.
var pathValues = map[string]string{
	"iso3": "KEN", "code": "AFR", "id": "1", "name": "sddd", "version": "1", "file": "consumption.xlsx", "key": "default_need_model",
	"measure": "population",
}

// groupCodes are the codes that fit each group route.
var groupCodes = map[string]string{"/api/v1/income-groups/": "LMC", "/api/v1/regions/": "AFR"}

// TestOpenAPIDescribesLiveResponses calls every GET route of the API on the
// demo data set, as an administrator, and checks each JSON answer against
// the OpenAPI document: it validates against the documented schema, and
// every field it carries is documented with a description.
func TestOpenAPIDescribesLiveResponses(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+t.TempDir()+"/live.db", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	imports := &access.ImportService{Store: st, Parser: importers.New()}
	if _, err := demo.Load(ctx, st, imports); err != nil {
		t.Fatal(err)
	}
	keys := &access.KeyService{Store: st}
	srv, err := httpapi.New(httpapi.Config{Store: st, Imports: imports, Gaps: &access.GapService{Store: st}, Keys: keys,
		Annotate: importers.Annotate, Template: importers.Template, Version: "test", RateLimit: httpapi.RateLimits{Disabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = srv.Close(c)
	}()
	secret, _, err := keys.Create(ctx, access.Operator, access.RoleAdmin, "", "live", "test")
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	get := func(target string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	docRec := get("/api/v1/openapi.json")
	doc, err := openapi3.NewLoader().LoadFromData(docRec.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var undocumented []string
	checked := 0
	for _, rt := range srv.Routes() {
		if rt.Method != http.MethodGet || !strings.HasPrefix(rt.Path, "/api/v1/") || rt.Path == "/api/v1/openapi.json" {
			continue
		}
		tmpl := ginParam.ReplaceAllString(rt.Path, "{$1}")
		target := ginParam.ReplaceAllStringFunc(rt.Path, func(p string) string {
			name := p[1:]
			if name == "code" {
				for prefix, code := range groupCodes {
					if strings.HasPrefix(rt.Path, prefix) {
						return code
					}
				}
			}
			return pathValues[name]
		})
		if strings.Contains(target, "gaps") || strings.Contains(target, "report") || strings.Contains(target, "download") || strings.Contains(target, "supply-estimate") {
			sep := "?"
			if strings.Contains(target, "?") {
				sep = "&"
			}
			target += sep + "year=2022"
		}
		rec := get(target)
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			continue // files, CSV, and routes the demo has nothing for
		}
		pi := doc.Paths.Find(tmpl)
		if pi == nil || pi.Get == nil {
			t.Errorf("%s is routed but not documented", tmpl)
			continue
		}
		resp := pi.Get.Responses.Status(http.StatusOK)
		if resp == nil || resp.Value == nil || resp.Value.Content.Get("application/json") == nil {
			t.Errorf("GET %s: no documented JSON 200 response", tmpl)
			continue
		}
		schema := resp.Value.Content.Get("application/json").Schema.Value
		var body any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Errorf("GET %s: %v", target, err)
			continue
		}
		if err := schema.VisitJSON(body); err != nil {
			t.Errorf("GET %s: the answer does not fit the documented schema: %v", target, shorten(err.Error()))
		}
		undocumented = append(undocumented, describe(tmpl, "", schema, body)...)
		checked++
	}
	if checked < 15 {
		t.Errorf("only %d routes answered JSON on the demo data", checked)
	}
	sort.Strings(undocumented)
	undocumented = compact(undocumented)
	if len(undocumented) > 0 {
		t.Errorf("%d fields are answered but not described in the OpenAPI document:\n  %s", len(undocumented), strings.Join(undocumented, "\n  "))
	}
}

// describe lists the fields of v that schema s does not describe: an
// object's keys must be properties with a description (or a map whose
// values are described), recursively.
func describe(route, path string, s *openapi3.Schema, v any) []string {
	if s == nil {
		return []string{route + " " + path + ": no schema"}
	}
	if (s.Type == nil || len(s.Type.Slice()) == 0) && len(s.Properties) == 0 && s.Items == nil && s.AdditionalProperties.Schema == nil &&
		len(s.AllOf) == 0 && len(s.OneOf) == 0 {
		return nil // an opaque value, described where it is named
	}
	var out []string
	for _, alt := range append(append([]*openapi3.SchemaRef{}, s.AllOf...), s.OneOf...) {
		if alt.Value != nil && alt.Value.Type != nil && alt.Value.Type.Is("null") {
			continue
		}
		if alt.Value != nil {
			return describe(route, path, alt.Value, v)
		}
	}
	switch x := v.(type) {
	case map[string]any:
		for k, fv := range x {
			p, ok := s.Properties[k]
			if !ok {
				if ap := s.AdditionalProperties.Schema; ap != nil && ap.Value != nil {
					out = append(out, describe(route, path+".*", ap.Value, fv)...)
					continue
				}
				if s.AdditionalProperties.Has != nil && *s.AdditionalProperties.Has {
					continue
				}
				out = append(out, fmt.Sprintf("%s %s.%s", route, path, k))
				continue
			}
			if p.Value == nil || (p.Value.Description == "" && p.Ref == "" && p.Value.Title == "") {
				out = append(out, fmt.Sprintf("%s %s.%s (no description)", route, path, k))
			}
			out = append(out, describe(route, path+"."+k, p.Value, fv)...)
		}
	case []any:
		if s.Items != nil && len(x) > 0 {
			out = append(out, describe(route, path+"[]", s.Items.Value, x[0])...)
		}
	}
	return out
}

func compact(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func shorten(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}
