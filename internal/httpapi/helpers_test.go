package httpapi_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/httpapi"
	"github.com/reliefgap/reliefgap/internal/jobs"
	"github.com/reliefgap/reliefgap/internal/store"
)

// csvParser is a small stand-in for the importers: it reads
// "iso3,year,drug,grams" into consumption and "iso3,year,persons" into
// population. Lines starting with # are ignored; a bad number is an error
// problem on its line.
type csvParser struct {
	// delay, when set, is waited before parsing, to keep a job in flight.
	delay time.Duration
}

func (p csvParser) Parse(ctx context.Context, in access.ParseInput, emit func(access.Batch) error) (access.ParseResult, error) {
	if p.delay > 0 {
		select {
		case <-time.After(p.delay):
		case <-ctx.Done():
			return access.ParseResult{}, ctx.Err()
		}
	}
	var res access.ParseResult
	var b access.Batch
	sc := bufio.NewScanner(bytes.NewReader(in.Data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	var header string
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if header == "" {
			header = text
			switch header {
			case "iso3,year,drug,grams":
				res.Kind = access.KindConsumption
			case "iso3,year,persons":
				res.Kind = access.KindPopulation
			default:
				return res, access.Errorf(access.Invalid, "parse", "unknown header %q", header)
			}
			continue
		}
		f := strings.Split(text, ",")
		res.Rows++
		year, err := strconv.Atoi(f[1])
		if err != nil {
			res.Problems = append(res.Problems, access.Problem{Severity: access.SeverityError, Code: "bad_year", Row: line, Column: "B", Value: f[1], Message: "not a year"})
			continue
		}
		lin := access.Lineage{Row: line}
		switch res.Kind {
		case access.KindConsumption:
			g, err := strconv.ParseFloat(f[3], 64)
			if err != nil {
				res.Problems = append(res.Problems, access.Problem{Severity: access.SeverityError, Code: "bad_number", Row: line, Column: "D", Value: f[3], Message: "not a number"})
				continue
			}
			b.Consumption = append(b.Consumption, access.Consumption{ISO3: f[0], Year: year, Drug: f[2], Grams: access.F(g), Lineage: lin})
		case access.KindPopulation:
			n, err := strconv.ParseFloat(f[2], 64)
			if err != nil {
				res.Problems = append(res.Problems, access.Problem{Severity: access.SeverityError, Code: "bad_number", Row: line, Column: "C", Value: f[2], Message: "not a number"})
				continue
			}
			b.Population = append(b.Population, access.Population{ISO3: f[0], Year: year, Persons: n, Lineage: lin})
		}
	}
	if b.Len() > 0 {
		if err := emit(b); err != nil {
			return res, err
		}
	}
	return res, nil
}

type testEnv struct {
	t      *testing.T
	srv    *httpapi.Server
	h      http.Handler
	st     *store.Store
	dbPath string
	secret map[string]string // role label → secret
	keyID  map[string]int64
}

type option func(*httpapi.Config)

func newEnv(t *testing.T, opts ...option) *testEnv {
	t.Helper()
	return newEnvParser(t, csvParser{}, opts...)
}

func newEnvParser(t *testing.T, parser access.Parser, opts ...option) *testEnv {
	t.Helper()
	ctx := context.Background()
	dbPath := t.TempDir() + "/t.db"
	st, err := store.Open(ctx, "sqlite:"+dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	keys := &access.KeyService{Store: st}
	imports := &access.ImportService{Store: st, Parser: parser}
	cfg := httpapi.Config{
		Store:   st,
		Imports: imports,
		Jobs:    &access.JobService{Queue: st, OnCancel: map[string]func(context.Context, access.Job) error{access.JobImport: imports.AbandonJob}},
		Runner:  &jobs.Runner{Queue: st, Poll: 20 * time.Millisecond},
		Gaps:    &access.GapService{Store: st},
		Keys:    keys,
		Annotate: func(filename string, data []byte, problems []access.Problem) ([]byte, error) {
			return []byte(fmt.Sprintf("annotated %s: %d problems", filename, len(problems))), nil
		},
		Template:  func(kind access.ImportKind) ([]byte, error) { return []byte("template " + string(kind)), nil },
		Version:   "test",
		RateLimit: httpapi.RateLimits{Disabled: true},
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
	e := &testEnv{t: t, srv: srv, h: srv.Handler(), st: st, dbPath: dbPath, secret: map[string]string{}, keyID: map[string]int64{}}
	for _, k := range []struct {
		label   string
		role    access.Role
		country string
	}{
		{"advocate", access.RoleAdvocate, ""},
		{"ministry KEN", access.RoleMinistry, "KEN"},
		{"ministry UGA", access.RoleMinistry, "UGA"},
		{"admin", access.RoleAdmin, ""},
		{"revoked", access.RoleAdvocate, ""},
	} {
		secret, key, err := keys.Create(ctx, access.Operator, k.role, k.country, k.label, "test")
		if err != nil {
			t.Fatal(err)
		}
		e.secret[k.label], e.keyID[k.label] = secret, key.ID
	}
	if err := keys.Revoke(ctx, access.Operator, e.keyID["revoked"], "test"); err != nil {
		t.Fatal(err)
	}
	e.secret["invalid"] = access.KeyPrefix + "not-a-key-at-all"
	e.secret["public"] = ""
	return e
}

type response struct {
	*httptest.ResponseRecorder
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body.Bytes(), v); err != nil {
		t.Fatalf("decoding %s: %v", r.Body.String(), err)
	}
}

// do sends a request as role (a label of e.secret) with optional headers.
func (e *testEnv) do(role, method, target string, body io.Reader, contentType string, headers ...string) response {
	e.t.Helper()
	req := httptest.NewRequest(method, target, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if s := e.secret[role]; s != "" {
		req.Header.Set("Authorization", "Bearer "+s)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return response{rec}
}

func (e *testEnv) get(role, target string, headers ...string) response {
	e.t.Helper()
	return e.do(role, http.MethodGet, target, nil, "", headers...)
}

func (e *testEnv) postJSON(role, target string, v any) response {
	e.t.Helper()
	b, _ := json.Marshal(v)
	return e.do(role, http.MethodPost, target, bytes.NewReader(b), "application/json")
}

// multipartBody builds a POST /uploads body.
func multipartBody(filename string, data []byte, fields map[string]string) (io.Reader, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("file", filename)
	_, _ = fw.Write(data)
	_ = w.Close()
	return &buf, w.FormDataContentType()
}

func (e *testEnv) upload(role, filename string, data []byte, fields map[string]string) response {
	e.t.Helper()
	body, ct := multipartBody(filename, data, fields)
	return e.do(role, http.MethodPost, "/api/v1/uploads", body, ct)
}

type uploadOut struct {
	ID        int64            `json:"id"`
	Status    string           `json:"status"`
	Country   string           `json:"country"`
	Duplicate bool             `json:"duplicate"`
	Problems  []access.Problem `json:"problems"`
	Counts    access.UploadCounts
	Groups    []struct {
		Code  string   `json:"code"`
		Count int      `json:"count"`
		Cells []string `json:"cells"`
	} `json:"problem_groups"`
}

// mustUpload uploads and expects want.
func (e *testEnv) mustUpload(role, filename, data string, fields map[string]string, want int) uploadOut {
	e.t.Helper()
	r := e.upload(role, filename, []byte(data), fields)
	if r.Code != want {
		e.t.Fatalf("upload as %s: %d %s, want %d", role, r.Code, r.Body.String(), want)
	}
	var u uploadOut
	r.json(e.t, &u)
	return u
}

func consumptionCSV(rows ...string) string {
	return "iso3,year,drug,grams\n" + strings.Join(rows, "\n") + "\n"
}
