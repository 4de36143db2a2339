package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/reliefgap/reliefgap/importers"
	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/demo"
	"github.com/reliefgap/reliefgap/internal/httpapi"
	"github.com/reliefgap/reliefgap/internal/store"
)

// env is the whole service on the illustrative demo data, as serve --demo
// builds it, with a ministry key for Kenya, one for Uganda and an admin key.
type env struct {
	t      *testing.T
	h      http.Handler
	st     *store.Store
	secret map[string]string
}

func newEnv(t *testing.T, opts ...func(*httpapi.Config)) *env {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+t.TempDir()+"/web.db", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	imports := &access.ImportService{Store: st, Parser: importers.New()}
	if _, err := demo.Load(ctx, st, imports); err != nil {
		t.Fatal(err)
	}
	keys := &access.KeyService{Store: st}
	cfg := httpapi.Config{
		Store: st, Imports: imports, Gaps: &access.GapService{Store: st}, Keys: keys,
		Annotate: importers.Annotate, Template: importers.Template,
		Version: "test", RateLimit: httpapi.RateLimits{Disabled: true},
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := httpapi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Close(ctx)
	})
	e := &env{t: t, h: srv.Handler(), st: st, secret: map[string]string{}}
	for label, k := range map[string]struct {
		role    access.Role
		country string
	}{"KEN": {access.RoleMinistry, "KEN"}, "UGA": {access.RoleMinistry, "UGA"}, "admin": {access.RoleAdmin, ""}, "advocate": {access.RoleAdvocate, ""}} {
		secret, _, err := keys.Create(ctx, access.Operator, k.role, k.country, label, "test")
		if err != nil {
			t.Fatal(err)
		}
		e.secret[label] = secret
	}
	return e
}

// get fetches target with optional header pairs.
func (e *env) get(target string, headers ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

func (e *env) page(target string) string {
	e.t.Helper()
	r := e.get(target)
	if r.Code != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", target, r.Code, r.Body.String())
	}
	return r.Body.String()
}

func (e *env) api(target string, v any) {
	e.t.Helper()
	r := e.get(target)
	if r.Code != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", target, r.Code, r.Body.String())
	}
	if err := json.Unmarshal(r.Body.Bytes(), v); err != nil {
		e.t.Fatal(err)
	}
}

var dataValue = regexp.MustCompile(`<data value="([^"]*)">`)

// values returns the exact figures (<data value>) inside the first element
// of html that starts with open, up to its closing tag.
func values(t *testing.T, html, open, close string) []float64 {
	t.Helper()
	i := strings.Index(html, open)
	if i < 0 {
		t.Fatalf("no %s in the page", open)
	}
	j := strings.Index(html[i:], close)
	if j < 0 {
		t.Fatalf("no %s after %s", close, open)
	}
	var out []float64
	for _, m := range dataValue.FindAllStringSubmatch(html[i:i+j], -1) {
		f, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	return out
}

// brokenWorkbook is a consumption workbook from the template with one
// known problem: "twelve" is not a number, at Form C statistics!E2.
func brokenWorkbook(t *testing.T) []byte {
	t.Helper()
	b, err := importers.Template(access.KindConsumption)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const sheet = "Form C statistics"
	for cell, v := range map[string]any{"A2": "KEN", "B2": 2023, "C2": "morphine", "D2": "kg", "E2": "twelve",
		"A3": "KEN", "B3": 2023, "C3": "fentanyl", "D3": "kg", "E3": 0.5} {
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func readAll(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
