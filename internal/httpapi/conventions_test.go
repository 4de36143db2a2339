package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/internal/httpapi"
)

// A gap response is the same JSON gzipped or not; the gzipped bytes come
// from the cache, and a second request gets the same ones.
func TestGapResponsesGzip(t *testing.T) {
	e := newEnv(t)
	plain := e.get("public", "/api/v1/countries/KEN/gaps")
	if plain.Code != 200 || plain.Header().Get("Content-Encoding") != "" {
		t.Fatalf("plain: %d %v", plain.Code, plain.Header())
	}
	for i := 0; i < 2; i++ {
		z := e.get("public", "/api/v1/countries/KEN/gaps", "Accept-Encoding", "gzip, deflate")
		if z.Code != 200 || z.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(strings.Join(z.Header().Values("Vary"), ","), "Accept-Encoding") {
			t.Fatalf("gzip: %d %v", z.Code, z.Header())
		}
		zr, err := gzip.NewReader(bytes.NewReader(z.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(zr)
		if !bytes.Equal(got, plain.Body.Bytes()) {
			t.Fatalf("gunzipped body differs from the plain one:\n%s\n%s", got, plain.Body.Bytes())
		}
	}
	// Other routes are compressed by the middleware once big enough.
	doc := e.get("public", "/api/v1/openapi.json", "Accept-Encoding", "gzip")
	if doc.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("openapi.json not gzipped: %v", doc.Header())
	}
	if r := e.get("public", "/api/v1/openapi.json", "Accept-Encoding", "gzip;q=0"); r.Header().Get("Content-Encoding") != "" {
		t.Fatalf("gzip;q=0 was answered gzipped")
	}
}

// HEAD answers every GET route with its headers and no body.
func TestHeadOnEveryGet(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/healthz", "/api/v1/countries/KEN/gaps", "/api/v1/countries", "/api/v1/openapi.json"} {
		g := e.get("public", path)
		h := e.do("public", http.MethodHead, path, nil, "")
		if h.Code != g.Code || h.Body.Len() != 0 || h.Header().Get("Content-Type") != g.Header().Get("Content-Type") {
			t.Errorf("HEAD %s: %d (%d body bytes) %q; GET %d %q", path, h.Code, h.Body.Len(), h.Header().Get("Content-Type"), g.Code, g.Header().Get("Content-Type"))
		}
		if et := g.Header().Get("ETag"); et != "" && h.Header().Get("ETag") != et {
			t.Errorf("HEAD %s: ETag %q, GET %q", path, h.Header().Get("ETag"), et)
		}
	}
}

// A 401 says how to authenticate; a problem's type is documented.
func TestUnauthorizedAndProblemTypes(t *testing.T) {
	e := newEnv(t)
	r := e.get("revoked", "/api/v1/uploads")
	if r.Code != http.StatusUnauthorized || r.Header().Get("WWW-Authenticate") != `Bearer realm="reliefgap"` {
		t.Fatalf("%d %v", r.Code, r.Header())
	}
	var p httpapi.Problem
	r.json(t, &p)
	if p.Type != "/api/v1/problems#unauthorized" {
		t.Fatalf("type %q", p.Type)
	}
	var types []struct{ Type, Description string }
	e.get("public", "/api/v1/problems").json(t, &types)
	found := false
	for _, pt := range types {
		found = found || (pt.Type == p.Type && pt.Description != "")
	}
	if !found {
		t.Fatalf("%s is not documented at /api/v1/problems: %v", p.Type, types)
	}
}

func TestCORSVariesByOrigin(t *testing.T) {
	e := newEnv(t, func(c *httpapi.Config) { c.CORSOrigins = []string{"http://127.0.0.1:3000"} })
	r := e.get("public", "/api/v1/countries", "Origin", "http://127.0.0.1:3000")
	if r.Header().Get("Access-Control-Allow-Origin") != "http://127.0.0.1:3000" || !strings.Contains(strings.Join(r.Header().Values("Vary"), ","), "Origin") {
		t.Fatalf("%v", r.Header())
	}
}
