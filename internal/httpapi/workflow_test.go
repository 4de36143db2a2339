package httpapi_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/reliefgap/reliefgap/importers"
	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/httpapi"
	"github.com/reliefgap/reliefgap/internal/jobs"
)

type gapsOut struct {
	Country access.CountryRef
	Years   []struct {
		Year int      `json:"year"`
		MEMg *float64 `json:"me_mg"`
	}
}

func (e *testEnv) meMg(year int) (*float64, string) {
	e.t.Helper()
	r := e.get("public", fmt.Sprintf("/api/v1/countries/KEN/gaps?from=%d&to=%d", year, year))
	if r.Code != 200 {
		e.t.Fatalf("gaps: %d %s", r.Code, r.Body.String())
	}
	var g gapsOut
	r.json(e.t, &g)
	if len(g.Years) != 1 || g.Years[0].Year != year {
		e.t.Fatalf("gaps years: %s", r.Body.String())
	}
	return g.Years[0].MEMg, r.Header().Get("ETag")
}

func TestUploadPublishRoundTrip(t *testing.T) {
	e := newEnv(t)
	before, etag0 := e.meMg(2020)
	if before != nil {
		t.Fatalf("me_mg before any upload = %v", *before)
	}
	if r := e.get("public", "/api/v1/countries/KEN/gaps?from=2020&to=2020", "If-None-Match", etag0); r.Code != http.StatusNotModified || r.Body.Len() != 0 {
		t.Fatalf("If-None-Match with the current ETag: %d %q", r.Code, r.Body.String())
	}

	// A file with errors is refused with 422 and its problems; nothing is stored.
	bad := e.upload("ministry KEN", "bad.csv", []byte(consumptionCSV("KEN,2020,morphine,lots")), nil)
	var p httpapi.Problem
	bad.json(t, &p)
	if bad.Code != http.StatusUnprocessableEntity || len(p.Problems) != 1 || p.Problems[0].Row != 2 || p.Problems[0].Column != "D" || p.UploadID == 0 {
		t.Fatalf("bad file: %d %s", bad.Code, bad.Body.String())
	}
	if bad.Header().Get("Location") == "" {
		t.Errorf("a refused upload has no Location")
	}

	// Submitted but unpublished data never changes a public figure.
	u := e.mustUpload("ministry KEN", "ken.csv", consumptionCSV("KEN,2020,morphine,1000"), map[string]string{"kind": "consumption"}, http.StatusAccepted)
	if u.Status != "submitted" || u.Counts.Records != 1 {
		t.Fatalf("upload: %+v", u)
	}
	if v, _ := e.meMg(2020); v != nil {
		t.Fatalf("a submitted upload changed me_mg to %v", *v)
	}
	var cons struct{ Items []map[string]any }
	e.get("public", "/api/v1/countries/KEN/consumption").json(t, &cons)
	if len(cons.Items) != 0 {
		t.Fatalf("unpublished consumption is public: %v", cons.Items)
	}
	_, etag1 := e.meMg(2020)

	// The same bytes again are a duplicate of the first upload.
	dup := e.mustUpload("ministry KEN", "ken-again.csv", consumptionCSV("KEN,2020,morphine,1000"), map[string]string{"kind": "consumption"}, http.StatusOK)
	if !dup.Duplicate || dup.ID != u.ID {
		t.Fatalf("duplicate: %+v", dup)
	}

	// A rejected upload changes nothing.
	rej := e.mustUpload("ministry KEN", "ken2021.csv", consumptionCSV("KEN,2021,morphine,500"), nil, http.StatusAccepted)
	if r := e.postJSON("admin", fmt.Sprintf("/api/v1/uploads/%d/reject", rej.ID), map[string]string{"reason": "wrong unit"}); r.Code != 200 {
		t.Fatalf("reject: %d %s", r.Code, r.Body.String())
	}
	if r := e.postJSON("admin", fmt.Sprintf("/api/v1/uploads/%d/publish", rej.ID), nil); r.Code != http.StatusConflict {
		t.Fatalf("publishing a rejected upload: %d %s", r.Code, r.Body.String())
	}
	if v, _ := e.meMg(2021); v != nil {
		t.Fatalf("a rejected upload changed me_mg to %v", *v)
	}

	// Publication changes the figure and the ETag.
	if r := e.postJSON("admin", fmt.Sprintf("/api/v1/uploads/%d/publish", u.ID), nil); r.Code != 200 {
		t.Fatalf("publish: %d %s", r.Code, r.Body.String())
	}
	after, etag2 := e.meMg(2020)
	if after == nil || *after <= 0 {
		t.Fatalf("me_mg after publication = %v", after)
	}
	if etag2 == etag1 || etag2 == etag0 {
		t.Fatalf("ETag did not change on publication: %s %s %s", etag0, etag1, etag2)
	}
	if r := e.get("public", "/api/v1/countries/KEN/gaps?from=2020&to=2020", "If-None-Match", etag1); r.Code != 200 {
		t.Fatalf("stale ETag: %d", r.Code)
	}
	if r := e.get("public", "/api/v1/countries/KEN/gaps?from=2020&to=2020", "If-None-Match", etag2); r.Code != http.StatusNotModified {
		t.Fatalf("fresh ETag: %d", r.Code)
	}
	e.get("public", "/api/v1/countries/KEN/consumption").json(t, &cons)
	if len(cons.Items) != 1 || cons.Items[0]["lineage"].(map[string]any)["upload_id"].(float64) != float64(u.ID) {
		t.Fatalf("published consumption: %v", cons.Items)
	}

	// The ranking sees the published figure.
	var rank struct {
		Items []struct {
			Position int
			Country  access.CountryRef
			MEMg     *float64 `json:"me_mg"`
		}
		NextCursor string `json:"next_cursor"`
	}
	e.get("advocate", "/api/v1/gaps?year=2020&region=AFR&sort=-me_mg&limit=2").json(t, &rank)
	if len(rank.Items) != 2 || rank.Items[0].Country.ISO3 != "KEN" || rank.Items[0].Position != 1 || rank.NextCursor == "" {
		t.Fatalf("ranking: %+v", rank)
	}
	next := e.get("advocate", "/api/v1/gaps?year=2020&region=AFR&sort=-me_mg&limit=2&cursor="+rank.NextCursor)
	next.json(t, &rank)
	if next.Code != 200 || len(rank.Items) != 2 || rank.Items[0].Position != 3 {
		t.Fatalf("second page: %d %s", next.Code, next.Body.String())
	}
	if r := e.get("advocate", "/api/v1/gaps?year=2020&sort=me_mg&cursor="+rank.NextCursor); r.Code != 400 {
		t.Fatalf("cursor of another query: %d", r.Code)
	}
	if r := e.get("public", "/api/v1/gaps?year=2020&sort=name"); r.Code != 400 {
		t.Fatalf("unknown sort field: %d", r.Code)
	}

	// The raw file comes back as sent.
	f := e.get("ministry KEN", fmt.Sprintf("/api/v1/uploads/%d/file", u.ID))
	if f.Body.String() != consumptionCSV("KEN,2020,morphine,1000") || !strings.HasPrefix(f.Header().Get("Content-Disposition"), "attachment") {
		t.Fatalf("file: %q %v", f.Body.String(), f.Header())
	}
}

// TestKeySecretNeverStored creates a key through the API and looks for its
// secret in every column of every table.
func TestKeySecretNeverStored(t *testing.T) {
	e := newEnv(t)
	r := e.postJSON("admin", "/api/v1/keys", map[string]string{"role": "ministry", "country": "ken", "name": "Kenya MoH"})
	var k struct {
		ID      int64
		Secret  string
		Country string
	}
	r.json(t, &k)
	if r.Code != http.StatusCreated || !strings.HasPrefix(k.Secret, access.KeyPrefix) || k.Country != "KEN" {
		t.Fatalf("create key: %d %s", r.Code, r.Body.String())
	}
	e.secret["new"] = k.Secret
	if r := e.get("new", "/api/v1/uploads"); r.Code != 200 {
		t.Fatalf("the new key does not work: %d", r.Code)
	}
	var list struct{ Items []map[string]any }
	e.get("admin", "/api/v1/keys").json(t, &list)
	for _, it := range list.Items {
		if _, ok := it["secret"]; ok {
			t.Fatalf("key list shows a secret: %v", it)
		}
	}

	db, err := sql.Open("sqlite", e.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'table'")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		_ = rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	secretBody := strings.TrimPrefix(k.Secret, access.KeyPrefix)
	sawKeys := false
	for _, table := range tables {
		rs, err := db.QueryContext(ctx, `SELECT * FROM "`+table+`"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rs.Columns()
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			if table == "api_keys" {
				sawKeys = true
			}
			for i, v := range vals {
				s := fmt.Sprintf("%v", v)
				if b, ok := v.([]byte); ok {
					s = string(b)
				}
				if strings.Contains(s, secretBody) {
					t.Errorf("%s.%s holds the secret", table, cols[i])
				}
			}
		}
		rs.Close()
	}
	if !sawKeys {
		t.Fatalf("no rows in api_keys among %v", tables)
	}
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, func(c *httpapi.Config) {
		c.RateLimit = httpapi.RateLimits{Public: httpapi.Limit{PerSecond: 0.01, Burst: 2}, Elevated: httpapi.Limit{PerSecond: 0.01, Burst: 5}}
	})
	for i := 0; i < 2; i++ {
		if r := e.get("public", "/api/v1/drugs"); r.Code != 200 {
			t.Fatalf("request %d: %d", i, r.Code)
		}
	}
	r := e.get("public", "/api/v1/drugs")
	if r.Code != http.StatusTooManyRequests || r.Header().Get("Retry-After") == "" || r.Header().Get("Content-Type") != httpapi.ProblemContentType {
		t.Fatalf("third request: %d %v %s", r.Code, r.Header(), r.Body.String())
	}
	// Invalid keys count against the IP too.
	if r := e.get("invalid", "/api/v1/drugs"); r.Code != http.StatusTooManyRequests {
		t.Fatalf("invalid key after the IP's burst: %d", r.Code)
	}
	// An advocate has its own, larger bucket.
	for i := 0; i < 5; i++ {
		if r := e.get("advocate", "/api/v1/drugs"); r.Code != 200 {
			t.Fatalf("advocate request %d: %d", i, r.Code)
		}
	}
	if r := e.get("advocate", "/api/v1/drugs"); r.Code != http.StatusTooManyRequests {
		t.Fatalf("advocate past its burst: %d", r.Code)
	}
}

func TestOversizedUpload(t *testing.T) {
	e := newEnv(t, func(c *httpapi.Config) { c.MaxUploadBytes = 1024 })
	big := consumptionCSV(strings.Repeat("KEN,2020,morphine,1\n", 200))
	r := e.upload("ministry KEN", "big.csv", []byte(big), nil)
	var p httpapi.Problem
	r.json(t, &p)
	if r.Code != http.StatusRequestEntityTooLarge || r.Header().Get("Content-Type") != httpapi.ProblemContentType || p.Status != 413 || p.Code != "too_large" {
		t.Fatalf("oversized: %d %s", r.Code, r.Body.String())
	}
	// Past the multipart overhead the body is cut off while it is read.
	huge := strings.Repeat("x", 2<<20)
	body, ct := multipartBody("huge.csv", []byte(huge), nil)
	req := e.do("ministry KEN", http.MethodPost, "/api/v1/uploads", struct{ readerOnly }{readerOnly{body}}, ct)
	if req.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("huge body without length: %d %s", req.Code, req.Body.String())
	}
}

// readerOnly hides the length of a body, as a chunked request would.
type readerOnly struct {
	r interface{ Read([]byte) (int, error) }
}

func (r readerOnly) Read(p []byte) (int, error) { return r.r.Read(p) }

func TestProblemShape(t *testing.T) {
	e := newEnv(t)
	r := e.get("public", "/api/v1/countries/XXX", "X-Request-ID", "abc-123")
	var p map[string]any
	r.json(t, &p)
	if r.Code != 404 || r.Header().Get("Content-Type") != httpapi.ProblemContentType || r.Header().Get("X-Request-ID") != "abc-123" {
		t.Fatalf("%d %v", r.Code, r.Header())
	}
	for k, want := range map[string]any{"type": "/api/v1/problems#not_found", "title": "Not Found", "status": float64(404),
		"instance": "/api/v1/countries/XXX", "request_id": "abc-123", "code": "not_found"} {
		if p[k] != want {
			t.Errorf("%s = %v, want %v", k, p[k], want)
		}
	}
	if d, _ := p["detail"].(string); d == "" {
		t.Errorf("no detail: %v", p)
	}
	// A forged request id is replaced.
	r = e.get("public", "/api/v1/countries", "X-Request-ID", "bad id\nwith newline")
	if id := r.Header().Get("X-Request-ID"); id == "" || strings.ContainsAny(id, " \n") {
		t.Fatalf("request id %q", id)
	}
	// Unknown routes and methods are problems too.
	if r := e.get("public", "/api/v1/nothing"); r.Code != 404 || r.Header().Get("Content-Type") != httpapi.ProblemContentType {
		t.Fatalf("no route: %d", r.Code)
	}
	if r := e.do("public", http.MethodPut, "/api/v1/countries", nil, ""); r.Code != 405 {
		t.Fatalf("wrong method: %d", r.Code)
	}
	// Binding errors name the field.
	r = e.postJSON("admin", "/api/v1/keys", map[string]string{"role": "emperor"})
	r.json(t, &p)
	if r.Code != 400 || !strings.Contains(p["detail"].(string), "role") {
		t.Fatalf("bad role: %d %s", r.Code, r.Body.String())
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	e := newEnv(t)
	if r := e.get("public", "/healthz"); r.Code != 200 {
		t.Fatalf("healthz: %d", r.Code)
	}
	if r := e.get("public", "/readyz"); r.Code != 200 {
		t.Fatalf("readyz: %d", r.Code)
	}
	e.get("public", "/api/v1/countries/KEN")
	r := e.get("public", "/metrics")
	if r.Code != 200 || !strings.Contains(r.Body.String(), `reliefgap_http_requests_total{method="GET",route="/api/v1/countries/:iso3",status="200"} 1`) ||
		!strings.Contains(r.Body.String(), "reliefgap_http_request_duration_seconds_bucket") {
		t.Fatalf("metrics: %s", r.Body.String())
	}
	e.st.Close()
	if r := e.get("public", "/readyz"); r.Code != http.StatusServiceUnavailable {
		t.Fatalf("readyz with the database closed: %d", r.Code)
	}
}

// TestBackgroundProcessing sends a file above the async threshold: the
// answer (202, Location, Retry-After) comes before parsing, the upload shows
// its job while it runs, and the client polls until it is settled.
func TestBackgroundProcessing(t *testing.T) {
	e := newEnvParser(t, csvParser{delay: 300 * time.Millisecond}, func(c *httpapi.Config) { c.AsyncThreshold = 64 })
	data := consumptionCSV("KEN,2020,morphine,1000", "KEN,2021,morphine,1100", "KEN,2022,morphine,1200")
	r := e.upload("ministry KEN", "ken.csv", []byte(data), nil)
	if r.Code != http.StatusAccepted || r.Header().Get("Retry-After") == "" || r.Header().Get("Location") == "" {
		t.Fatalf("upload: %d %v %s", r.Code, r.Header(), r.Body)
	}
	var u uploadOut
	r.json(t, &u)
	if u.Status != "received" && u.Status != "validating" {
		t.Fatalf("status right after upload: %s", u.Status)
	}
	var got struct {
		uploadOut
		Progress *struct {
			JobID     int64  `json:"job_id"`
			JobStatus string `json:"job_status"`
		} `json:"progress"`
	}
	e.get("ministry KEN", r.Header().Get("Location")).json(t, &got)
	if got.Progress == nil || got.Progress.JobID == 0 {
		t.Fatalf("no progress while processing: %+v", got)
	}
	got = waitUpload(t, e, u.ID, "submitted", &got)
	if got.Counts.Records != 3 || got.Progress != nil {
		t.Fatalf("settled: %+v", got)
	}
}

// waitUpload polls an upload until it has status want.
func waitUpload[T any](t *testing.T, e *testEnv, id int64, want string, out *T) T {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var st struct {
			Status string `json:"status"`
		}
		r := e.get("admin", fmt.Sprintf("/api/v1/uploads/%d", id))
		r.json(t, &st)
		if st.Status == want {
			var zero T
			*out = zero
			r.json(t, out)
			return *out
		}
		if time.Now().After(deadline) {
			t.Fatalf("upload %d is %s, want %s", id, st.Status, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestShutdownRequeuesAndResumes: a job still running when the server stops
// is not failed: its transaction rolls back, the job goes back to the queue
// with the upload validating, and the next server resumes it.
func TestShutdownRequeuesAndResumes(t *testing.T) {
	e := newEnvParser(t, csvParser{delay: time.Minute}, func(c *httpapi.Config) { c.AsyncThreshold = 16 })
	u := e.mustUpload("ministry KEN", "slow.csv", consumptionCSV("KEN,2020,morphine,1"), nil, http.StatusAccepted)
	// Wait until the runner has it.
	deadline := time.Now().Add(5 * time.Second)
	for {
		js, err := e.st.Jobs(context.Background(), access.JobFilter{Ref: access.UploadRef(u.ID)})
		if err != nil {
			t.Fatal(err)
		}
		if len(js) == 1 && js[0].Status == access.JobRunning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job did not start: %+v", js)
		}
		time.Sleep(10 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.srv.Close(ctx); err != nil {
		t.Fatal(err)
	}
	var got uploadOut
	e.get("ministry KEN", fmt.Sprintf("/api/v1/uploads/%d", u.ID)).json(t, &got)
	js, _ := e.st.Jobs(ctx, access.JobFilter{Ref: access.UploadRef(u.ID)})
	// validating, or still received if it stopped before parsing began.
	if got.Status != "validating" && got.Status != "received" || len(js) != 1 || js[0].Status != access.JobQueued {
		t.Fatalf("after shutdown: upload %+v, jobs %+v", got, js)
	}
	// The next server, with a parser that finishes, resumes it.
	imports := &access.ImportService{Store: e.st, Parser: csvParser{}}
	srv, err := httpapi.New(httpapi.Config{Store: e.st, Imports: imports, Gaps: &access.GapService{Store: e.st},
		Keys: &access.KeyService{Store: e.st}, Runner: &jobs.Runner{Queue: e.st, Poll: 20 * time.Millisecond},
		RateLimit: httpapi.RateLimits{Disabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(ctx)
	waitUpload(t, e, u.ID, "submitted", &got)
	if got.Counts.Records != 1 {
		t.Fatalf("resumed: %+v", got)
	}
}

func TestCeilingHandler(t *testing.T) {
	e := newEnv(t)
	real := e.get("public", "/api/v1/countries/KEN/gaps")
	h := httpapi.CeilingHandler(real.Body.Bytes(), real.Header().Get("ETag"))
	ce := &testEnv{t: t, h: h, secret: map[string]string{}}
	got := ce.get("public", "/api/v1/countries/KEN/gaps")
	for _, k := range []string{"Content-Type", "ETag", "Cache-Control", "Vary"} {
		if got.Header().Get(k) != real.Header().Get(k) {
			t.Errorf("%s: %q, want %q", k, got.Header().Get(k), real.Header().Get(k))
		}
	}
	if got.Body.String() != real.Body.String() {
		t.Errorf("body differs")
	}
	if r := ce.get("public", "/", "If-None-Match", real.Header().Get("ETag")); r.Code != 304 {
		t.Errorf("If-None-Match: %d", r.Code)
	}
}

func TestDryRunStoresNothing(t *testing.T) {
	e := newEnv(t)
	u := e.mustUpload("ministry KEN", "dry.csv", consumptionCSV("KEN,2020,morphine,1000"), map[string]string{"dry_run": "true"}, http.StatusOK)
	if u.Status != "dry-run" || u.Counts.Records != 1 {
		t.Fatalf("dry run: %+v", u)
	}
	if r := e.postJSON("admin", fmt.Sprintf("/api/v1/uploads/%d/publish", u.ID), nil); r.Code != http.StatusConflict {
		t.Fatalf("publishing a dry run: %d", r.Code)
	}
	// The same bytes may then be uploaded for real.
	real := e.mustUpload("ministry KEN", "dry.csv", consumptionCSV("KEN,2020,morphine,1000"), nil, http.StatusAccepted)
	if real.Duplicate || real.Status != "submitted" {
		t.Fatalf("after a dry run: %+v", real)
	}
}

func TestCORSAndProxies(t *testing.T) {
	e := newEnv(t, func(c *httpapi.Config) {
		c.CORSOrigins = []string{"https://dashboard.example.org"}
		c.RateLimit = httpapi.RateLimits{Public: httpapi.Limit{PerSecond: 0.01, Burst: 1}}
	})
	r := e.do("public", http.MethodOptions, "/api/v1/countries", nil, "",
		"Origin", "https://dashboard.example.org", "Access-Control-Request-Method", "GET")
	if r.Code/100 != 2 || r.Header().Get("Access-Control-Allow-Origin") != "https://dashboard.example.org" {
		t.Fatalf("preflight: %d %v", r.Code, r.Header())
	}
	r = e.do("public", http.MethodOptions, "/api/v1/countries", nil, "",
		"Origin", "https://evil.example.com", "Access-Control-Request-Method", "GET")
	if r.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("preflight from an unknown origin allowed: %v", r.Header())
	}
	// With no trusted proxies, a forged X-Forwarded-For does not buy a
	// fresh rate-limit bucket.
	e.get("public", "/api/v1/drugs", "X-Forwarded-For", "10.0.0.1")
	if r := e.get("public", "/api/v1/drugs", "X-Forwarded-For", "10.0.0.2"); r.Code != http.StatusTooManyRequests {
		t.Fatalf("forged X-Forwarded-For: %d", r.Code)
	}
}

func TestPanicAndInternalErrorsDoNotLeak(t *testing.T) {
	e := newEnv(t, func(c *httpapi.Config) {
		c.Annotate = func(string, []byte, []access.Problem) ([]byte, error) { panic("secret detail in a panic") }
		c.Template = func(access.ImportKind) ([]byte, error) { return nil, fmt.Errorf("disk /var/secret unreadable") }
	})
	u := e.mustUpload("ministry KEN", "a.csv", consumptionCSV("KEN,2020,morphine,1"), nil, http.StatusAccepted)
	for _, target := range []string{fmt.Sprintf("/api/v1/uploads/%d/annotated.xlsx", u.ID), "/api/v1/templates/consumption.xlsx"} {
		r := e.get("admin", target)
		var p httpapi.Problem
		r.json(t, &p)
		if r.Code != 500 || p.Status != 500 || p.Detail != "internal error" || strings.Contains(r.Body.String(), "secret") || p.RequestID == "" {
			t.Fatalf("%s: %d %s", target, r.Code, r.Body.String())
		}
	}
	if r := e.get("public", "/healthz"); r.Code != 200 {
		t.Fatalf("server unhealthy after a panic: %d", r.Code)
	}
}

// TestUploadLocale: the locale form field settles "1,234" and is reported;
// without it nothing else in the file does, and the cell is refused.
func TestUploadLocale(t *testing.T) {
	e := newEnv(t, func(c *httpapi.Config) {
		c.Imports.Parser = importers.New() // the real reader, for its numbers
	})
	data := consumptionCSV(`KEN,2020,morphine,"1,234"`)
	codes := func(u uploadOut) map[string]int {
		m := map[string]int{}
		for _, p := range u.Problems {
			m[p.Code]++
		}
		return m
	}
	comma := e.mustUpload("ministry KEN", "l.csv", data, map[string]string{"dry_run": "true", "locale": "comma"}, http.StatusOK)
	if comma.Counts.Records != 1 || codes(comma)["number_locale"] != 1 || comma.Counts.Errors != 0 {
		t.Errorf("with locale=comma: %+v", comma)
	}
	// Problems grouped by kind: number_locale and under_1kg (1.234 g), each once at D2.
	if g := comma.Groups; len(g) != 2 || g[0].Code != "number_locale" || g[0].Count != 1 || fmt.Sprint(g[0].Cells) != "[D2]" ||
		g[1].Code != "under_1kg" || fmt.Sprint(g[1].Cells) != "[D2]" {
		t.Errorf("problem groups %+v", g)
	}
	none := e.upload("ministry KEN", "l2.csv", []byte(data), map[string]string{"dry_run": "true"})
	var u struct {
		Problems []access.Problem `json:"problems"`
	}
	none.json(t, &u)
	if none.Code != http.StatusUnprocessableEntity || codes(uploadOut{Problems: u.Problems})["invalid_number"] != 1 {
		t.Errorf("without a locale: %d %s", none.Code, none.Body.String())
	}
	if r := e.upload("ministry KEN", "l3.csv", []byte(data), map[string]string{"locale": "klingon"}); r.Code != http.StatusBadRequest {
		t.Errorf("unknown locale: %d", r.Code)
	}
}
