package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
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

// Rotating a key with no grace ends the old key at once; the new one works;
// the audit log, readable by administrators only, records it.
func TestRotateKeyAndAudit(t *testing.T) {
	e := newEnv(t)
	id := e.keyID["advocate"]
	r := e.do("admin", http.MethodPost, "/api/v1/keys/"+itoa(id)+"/rotate", strings.NewReader(`{"grace_seconds":0}`), "application/json")
	if r.Code != http.StatusCreated {
		t.Fatalf("rotate: %d %s", r.Code, r.Body)
	}
	var created struct {
		ID     int64  `json:"id"`
		Secret string `json:"secret"`
		Role   string `json:"role"`
	}
	r.json(t, &created)
	if created.Role != "advocate" || created.Secret == "" {
		t.Fatalf("%+v", created)
	}
	if r := e.get("advocate", "/api/v1/uploads"); r.Code != http.StatusUnauthorized || !strings.Contains(r.Body.String(), "expired") {
		t.Fatalf("the rotated-out key: %d %s", r.Code, r.Body)
	}
	e.secret["rotated"] = created.Secret
	if r := e.get("rotated", "/api/v1/countries"); r.Code != http.StatusOK {
		t.Fatalf("the new key: %d %s", r.Code, r.Body)
	}
	if r := e.do("admin", http.MethodPost, "/api/v1/keys/"+itoa(id)+"/rotate", nil, ""); r.Code != http.StatusConflict {
		t.Fatalf("rotating an expired key: %d", r.Code)
	}
	if r := e.get("ministry KEN", "/api/v1/audit"); r.Code != http.StatusForbidden {
		t.Fatalf("a ministry read the audit log: %d", r.Code)
	}
	var audit struct {
		Items []struct{ Action, Target string }
	}
	e.get("admin", "/api/v1/audit?limit=5").json(t, &audit)
	if len(audit.Items) == 0 || audit.Items[0].Action != "key.rotate" || audit.Items[0].Target != "key:"+itoa(id) {
		t.Fatalf("audit: %+v", audit.Items)
	}
	// A key with an expiry in the past is refused; one in the future works.
	if r := e.postJSON("admin", "/api/v1/keys", map[string]any{"role": "advocate", "expires_at": "2001-01-01T00:00:00Z"}); r.Code != http.StatusBadRequest {
		t.Fatalf("expiry in the past: %d", r.Code)
	}
	r = e.postJSON("admin", "/api/v1/keys", map[string]any{"role": "advocate", "expires_at": "2999-01-01T00:00:00Z"})
	var k struct {
		ExpiresAt string `json:"expires_at"`
	}
	r.json(t, &k)
	if r.Code != http.StatusCreated || k.ExpiresAt != "2999-01-01T00:00:00Z" {
		t.Fatalf("future expiry: %d %s", r.Code, r.Body)
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// Text a database would choke on is a 400, not a 500, on both dialects.
func TestControlCharactersAre400(t *testing.T) {
	e := newEnv(t)
	// (Invalid UTF-8 cannot arrive in JSON: decoding replaces it.)
	for _, name := range []string{"nul\x00name", "escape\x1b[31m"} {
		if r := e.postJSON("admin", "/api/v1/keys", map[string]any{"role": "advocate", "name": name}); r.Code != http.StatusBadRequest {
			t.Errorf("key name %q: %d %s", name, r.Code, r.Body)
		}
	}
}

// A page of a listing links to the next one (RFC 8288), and the link works.
func TestNextPageLink(t *testing.T) {
	e := newEnv(t)
	r := e.get("public", "/api/v1/gaps?year=2020&limit=1")
	link := ""
	for _, l := range r.Header().Values("Link") {
		if strings.HasSuffix(l, `rel="next"`) {
			link = l
		}
	}
	if r.Code != http.StatusOK || !strings.HasSuffix(link, `>; rel="next"`) || !strings.HasPrefix(link, "</api/v1/gaps?") {
		t.Fatalf("first page: %d, Link %q", r.Code, link)
	}
	var first, second struct {
		NextCursor string `json:"next_cursor"`
		Items      []struct{ Position int }
	}
	r.json(t, &first)
	next := strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`)
	r2 := e.get("public", next)
	r2.json(t, &second)
	if r2.Code != http.StatusOK || len(second.Items) != 1 || second.Items[0].Position != 2 || !strings.Contains(next, "cursor="+first.NextCursor) {
		t.Fatalf("following %s: %d %s", next, r2.Code, r2.Body)
	}
}
