package httpapi_test

import (
	"context"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

var ginParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// TestOpenAPIMatchesRouter checks that every gin route is in the document
// and every documented operation is routed, and that the document is valid
// OpenAPI 3.
func TestOpenAPIMatchesRouter(t *testing.T) {
	e := newEnv(t)
	r := e.get("public", "/api/v1/openapi.json")
	if r.Code != 200 {
		t.Fatalf("openapi.json: %d", r.Code)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(r.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("invalid OpenAPI document: %v", err)
	}

	routed := map[string]bool{}
	for _, rt := range e.srv.Routes() {
		routed[strings.ToLower(rt.Method)+" "+ginParam.ReplaceAllString(rt.Path, "{$1}")] = true
	}
	documented := map[string]bool{}
	var raw struct {
		Paths map[string]map[string]json.RawMessage
	}
	r.json(t, &raw)
	for path, ops := range raw.Paths {
		for method := range ops {
			documented[method+" "+path] = true
		}
	}
	var missing, extra []string
	for k := range routed {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !routed[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("routed but not documented: %v", missing)
	}
	if len(extra) > 0 {
		t.Errorf("documented but not routed: %v", extra)
	}
	if len(routed) < 29 {
		t.Errorf("only %d routes", len(routed))
	}
}
