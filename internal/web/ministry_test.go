package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/internal/httpapi"
)

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// browser keeps cookies between requests, as a browser would.
type browser struct {
	e       *env
	cookies map[string]*http.Cookie
	headers map[string]string
	last    *httptest.ResponseRecorder
}

func (e *env) browser() *browser {
	return &browser{e: e, cookies: map[string]*http.Cookie{}, headers: map[string]string{}}
}

func (b *browser) do(req *http.Request) *httptest.ResponseRecorder {
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	for k, v := range b.headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	b.e.h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	b.last = rec
	return rec
}

func (b *browser) get(target string) *httptest.ResponseRecorder {
	return b.do(httptest.NewRequest(http.MethodGet, target, nil))
}

func (b *browser) post(target string, form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) csrf(t *testing.T, page string) string {
	t.Helper()
	m := csrfInput.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in %.300s", page)
	}
	return m[1]
}

func (b *browser) login(t *testing.T, secret string) {
	t.Helper()
	page := b.get("/login").Body.String()
	r := b.post("/login", url.Values{"csrf": {b.csrf(t, page)}, "key": {secret}})
	if r.Code != http.StatusSeeOther {
		t.Fatalf("login: %d %s", r.Code, r.Body.String())
	}
}

func (b *browser) upload(t *testing.T, csrf, name string, data []byte) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if csrf != "" {
		_ = mw.WriteField("csrf", csrf)
	}
	_ = mw.WriteField("kind", "consumption")
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/ministry/uploads", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// TestMinistrySession signs a ministry in and checks the session cookie:
// only an id, HttpOnly, SameSite=Strict, Secure only over TLS or behind a
// trusted proxy saying https; and sign-out ends the session.
func TestMinistrySession(t *testing.T) {
	e := newEnv(t, func(c *httpapi.Config) { c.TrustedProxies = []string{"10.9.9.9"} })
	b := e.browser()
	if r := b.get("/ministry"); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Header().Get("Location"), "/login") {
		t.Fatalf("not signed in: %d %s", r.Code, r.Header().Get("Location"))
	}
	// A sign-in form posted without its token is refused.
	if r := b.post("/login", url.Values{"key": {e.secret["KEN"]}}); r.Code != http.StatusForbidden {
		t.Fatalf("login without CSRF: %d", r.Code)
	}
	page := b.get("/login").Body.String()
	if r := b.post("/login", url.Values{"csrf": {b.csrf(t, page)}, "key": {"rgk_wrong"}}); r.Code != http.StatusUnauthorized || !strings.Contains(r.Body.String(), "not valid") {
		t.Fatalf("wrong key: %d", r.Code)
	}
	page = b.get("/login").Body.String()
	if r := b.post("/login", url.Values{"csrf": {b.csrf(t, page)}, "key": {e.secret["advocate"]}}); r.Code != http.StatusForbidden {
		t.Fatalf("advocate key: %d", r.Code)
	}
	b.login(t, e.secret["KEN"])
	if b.last.Header().Get("Location") != "/ministry" {
		t.Errorf("after sign-in: %s", b.last.Header().Get("Location"))
	}
	c := b.cookies["rg_session"]
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure || c.MaxAge <= 0 {
		t.Fatalf("session cookie %+v", c)
	}
	if strings.Contains(c.Value, e.secret["KEN"]) || strings.HasPrefix(c.Value, "rgk_") {
		t.Fatal("the cookie holds the key")
	}
	page = b.get("/ministry").Body.String()
	if b.last.Code != 200 || !strings.Contains(page, "for KEN") || b.last.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("ministry page: %d", b.last.Code)
	}
	// Secure behind a trusted proxy that says https, not behind another.
	for peer, secure := range map[string]bool{"10.9.9.9:5000": true, "10.9.9.8:5000": false} {
		b2 := e.browser()
		req := httptest.NewRequest(http.MethodGet, "/login", nil)
		req.RemoteAddr = peer
		req.Header.Set("X-Forwarded-Proto", "https")
		b2.do(req)
		if got := b2.cookies["rg_login"].Secure; got != secure {
			t.Errorf("peer %s: Secure=%v", peer, got)
		}
	}
	// A form from another site is refused even with the token.
	b.headers["Origin"] = "https://evil.example"
	if r := b.post("/logout", url.Values{"csrf": {b.csrf(t, page)}}); r.Code != http.StatusForbidden {
		t.Errorf("cross-site logout: %d", r.Code)
	}
	delete(b.headers, "Origin")
	if r := b.post("/logout", url.Values{"csrf": {"wrong"}}); r.Code != http.StatusForbidden {
		t.Errorf("logout with a wrong token: %d", r.Code)
	}
	old := *c
	if r := b.post("/logout", url.Values{"csrf": {b.csrf(t, page)}}); r.Code != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.Code)
	}
	if b.cookies["rg_session"] != nil {
		t.Error("the cookie outlived sign-out")
	}
	b.cookies["rg_session"] = &old // the old id no longer works
	if r := b.get("/ministry"); r.Code != http.StatusSeeOther {
		t.Errorf("after sign-out: %d", r.Code)
	}
}

// TestUploadShowsProblemsAndAdminPublishes sends a workbook with a known
// problem and one without, checks that the problem is listed with its
// sheet, row and column, that another country cannot see it, and that an
// administrator publishes the good one.
func TestUploadShowsProblemsAndAdminPublishes(t *testing.T) {
	e := newEnv(t)
	ken := e.browser()
	ken.login(t, e.secret["KEN"])
	page := ken.get("/ministry").Body.String()
	csrf := ken.csrf(t, page)
	if r := ken.upload(t, "", "broken.xlsx", brokenWorkbook(t)); r.Code != http.StatusForbidden {
		t.Fatalf("upload without CSRF: %d", r.Code)
	}
	r := ken.upload(t, csrf, "broken.xlsx", brokenWorkbook(t))
	if r.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", r.Code, r.Body.String())
	}
	loc := r.Header().Get("Location")
	page = ken.get(loc).Body.String()
	if !strings.Contains(page, `id="problems"`) || !strings.Contains(page, "rejected") {
		t.Fatalf("no problems table: %.2000s", page)
	}
	row := regexp.MustCompile(`<tr class="sev-error"><td>error</td><td>Form C statistics</td><td class="num">2</td><td>E</td><td><code>twelve</code></td>`)
	if !row.MatchString(page) {
		t.Errorf("the problem at Form C statistics!E2 is not listed: %s", page[strings.Index(page, `id="problems"`):])
	}
	if r := ken.get(loc + "/annotated.xlsx"); r.Code != 200 || !strings.HasPrefix(r.Body.String(), "PK") {
		t.Errorf("annotated workbook: %d", r.Code)
	}
	// Uganda's ministry cannot see Kenya's upload.
	uga := e.browser()
	uga.login(t, e.secret["UGA"])
	if r := uga.get(loc); r.Code != http.StatusNotFound {
		t.Errorf("UGA sees KEN's upload: %d", r.Code)
	}
	if page := uga.get("/ministry").Body.String(); strings.Contains(page, "broken.xlsx") {
		t.Error("UGA's history lists KEN's upload")
	}
	// A ministry cannot publish.
	if r := ken.post("/admin/uploads/1/publish", url.Values{"csrf": {csrf}}); r.Code != http.StatusForbidden {
		t.Errorf("ministry publish: %d", r.Code)
	}

	// A good workbook waits for publication; the administrator publishes it.
	r = ken.upload(t, csrf, "good.csv", []byte("Country (ISO3),Year,Drug,Unit,Consumption\nKEN,2023,morphine,kg,12.5\n"))
	if r.Code != http.StatusSeeOther {
		t.Fatalf("good upload: %d %s", r.Code, r.Body.String())
	}
	goodLoc := r.Header().Get("Location")
	if page := ken.get(goodLoc).Body.String(); !strings.Contains(page, "waiting for publication") {
		t.Fatalf("good upload not submitted: %.3000s", page)
	}
	admin := e.browser()
	admin.login(t, e.secret["admin"])
	if admin.last.Header().Get("Location") != "/admin" {
		t.Errorf("admin lands on %s", admin.last.Header().Get("Location"))
	}
	page = admin.get("/admin").Body.String()
	if !strings.Contains(page, "good.csv") {
		t.Fatalf("the admin page does not list the submission")
	}
	id := strings.TrimPrefix(goodLoc, "/ministry/uploads/")
	if r := admin.post("/admin/uploads/"+id+"/publish", url.Values{"csrf": {admin.csrf(t, page)}}); r.Code != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", r.Code, r.Body.String())
	}
	if page := ken.get(goodLoc).Body.String(); !strings.Contains(page, `id="upload-status">published`) {
		t.Error("not published")
	}

	// Another submission is rejected with a reason the ministry then reads.
	r = ken.upload(t, csrf, "again.csv", []byte("Country (ISO3),Year,Drug,Unit,Consumption\nKEN,2023,morphine,kg,13\n"))
	again := r.Header().Get("Location")
	id = strings.TrimPrefix(again, "/ministry/uploads/")
	page = admin.get(again).Body.String()
	if !strings.Contains(page, `id="h-decide"`) {
		t.Fatalf("no decision forms for the administrator: %.2000s", page)
	}
	if r := admin.post("/admin/uploads/"+id+"/reject", url.Values{"csrf": {admin.csrf(t, page)}}); r.Code != http.StatusBadRequest {
		t.Errorf("reject without a reason: %d", r.Code)
	}
	reason := "Totals <b>do not</b> match Form C"
	if r := admin.post("/admin/uploads/"+id+"/reject", url.Values{"csrf": {admin.csrf(t, page)}, "reason": {reason}}); r.Code != http.StatusSeeOther {
		t.Fatalf("reject: %d %s", r.Code, r.Body.String())
	}
	page = ken.get(again).Body.String()
	if !strings.Contains(page, `id="upload-status">rejected`) || !strings.Contains(page, "Totals &lt;b&gt;do not&lt;/b&gt; match Form C") {
		t.Errorf("the ministry does not read the escaped reason: %.3000s", page)
	}
}

// TestSignInIsRateLimited posts the sign-in form past the per-address
// limit of public callers: the excess is refused with 429.
func TestSignInIsRateLimited(t *testing.T) {
	e := newEnv(t, func(c *httpapi.Config) {
		c.RateLimit = httpapi.RateLimits{Public: httpapi.Limit{PerSecond: 0.001, Burst: 3}}
	})
	b := e.browser()
	codes := map[int]int{}
	for range 5 {
		codes[b.post("/login", url.Values{"key": {"rgk_wrong"}}).Code]++
	}
	// Three within the burst are answered (403: no CSRF token), two are refused.
	if codes[http.StatusForbidden] != 3 || codes[http.StatusTooManyRequests] != 2 {
		t.Errorf("answers %v", codes)
	}
}
