package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// runCmd runs the program to completion and returns its output and exit status.
func runCmd(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, envOf(env), strings.NewReader(""), &out, &errb)
	code = exitCode(err, &errb)
	return out.String(), errb.String(), code
}

func TestHelpListsEveryCommand(t *testing.T) {
	out, _, code := runCmd(t, nil, "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, c := range []string{"serve", "migrate", "version", "import", "template", "gaps", "keys"} {
		if !strings.Contains(out, "\n  "+c+" ") {
			t.Errorf("--help does not list %s:\n%s", c, out)
		}
	}
	if _, _, code := runCmd(t, nil, "frobnicate"); code != 2 {
		t.Fatalf("unknown command exit %d, want 2", code)
	}
	if out, _, _ := runCmd(t, nil, "version"); !strings.HasPrefix(out, "reliefgap ") {
		t.Fatalf("version = %q", out)
	}
}

// syncBuffer is a bytes.Buffer safe for a server goroutine and a test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serve starts "reliefgap serve" with args and returns its base URL and a
// stop function that shuts it down gracefully and returns run's error.
func serve(t *testing.T, env map[string]string, args ...string) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), envOf(env), strings.NewReader(""), &out, &errb)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if s := out.String(); strings.Contains(s, "listening on ") {
			line := strings.TrimSpace(s[strings.Index(s, "listening on ")+len("listening on "):])
			line, _, _ = strings.Cut(line, "\n")
			return line, func() error { cancel(); return <-done }
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve exited: %v\n%s", err, errb.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("serve did not start:\n%s", errb.String())
	return "", nil
}

func get(t *testing.T, u string) (int, []byte) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

func checkDemoService(t *testing.T, base string) {
	t.Helper()
	for _, p := range []string{"/healthz", "/readyz"} {
		if code, body := get(t, base+p); code != 200 {
			t.Fatalf("%s = %d %s", p, code, body)
		}
	}
	code, body := get(t, base+"/api/v1/countries/KEN/gaps")
	if code != 200 {
		t.Fatalf("gaps = %d %s", code, body)
	}
	var g access.CountryGaps
	if err := json.Unmarshal(body, &g); err != nil {
		t.Fatal(err)
	}
	if g.Country.ISO3 != "KEN" || len(g.Years) == 0 {
		t.Fatalf("gaps = %s", body)
	}
	last := g.Years[len(g.Years)-1]
	if last.MEMg == nil || last.NeedMEMg == nil || last.Population == nil {
		t.Fatalf("demo figures missing: %s", body)
	}
	illustrative := false
	for _, f := range last.Flags {
		illustrative = illustrative || f == access.FlagIllustrative
	}
	if !illustrative {
		t.Fatalf("demo figures are not flagged illustrative: %v", last.Flags)
	}
	if code, body := get(t, base+"/metrics"); code != 200 || !bytes.Contains(body, []byte("# TYPE")) {
		t.Fatalf("/metrics = %d", code)
	}
}

func countUploads(t *testing.T, dsn string) int {
	t.Helper()
	s, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	us, err := s.Uploads(context.Background(), access.UploadFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(us)
}

func TestServeDemoOnSQLite(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "rg.db")
	env := map[string]string{"RELIEFGAP_DB": dsn, "RELIEFGAP_LOG_LEVEL": "warn"}
	base, stop := serve(t, env, "--demo")
	checkDemoService(t, base)
	if err := stop(); err != nil {
		t.Fatalf("graceful stop: %v", err)
	}
	n := countUploads(t, dsn)
	if n != 6 {
		t.Fatalf("%d uploads after the demo, want 6 (population, deaths, estimates, consumption, availability, ccs)", n)
	}
	// A second serve --demo does not duplicate the demo data.
	base, stop = serve(t, env, "--demo")
	checkDemoService(t, base)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if m := countUploads(t, dsn); m != n {
		t.Fatalf("second --demo: %d uploads, had %d", m, n)
	}
}

func TestMigrateAndServeOnPostgres(t *testing.T) {
	server := os.Getenv("RELIEFGAP_TEST_POSTGRES")
	if server == "" {
		t.Skip("RELIEFGAP_TEST_POSTGRES is not set")
	}
	dsn := newPostgresDB(t, server)
	env := map[string]string{"RELIEFGAP_DB": dsn, "RELIEFGAP_LOG_LEVEL": "warn"}

	// serve refuses an unmigrated PostgreSQL database.
	var errb bytes.Buffer
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"}, envOf(env), nil, io.Discard, &errb)
	if err == nil || !strings.Contains(err.Error(), "reliefgap migrate") {
		t.Fatalf("serve on an empty database: %v", err)
	}
	out, errs, code := runCmd(t, env, "migrate")
	if code != 0 || !strings.Contains(out, "applied") {
		t.Fatalf("migrate: %d %s %s", code, out, errs)
	}
	out, _, code = runCmd(t, env, "migrate")
	if code != 0 || !strings.Contains(out, "up to date") {
		t.Fatalf("second migrate: %d %s", code, out)
	}
	base, stop := serve(t, env, "--demo")
	checkDemoService(t, base)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if n := countUploads(t, dsn); n != 6 {
		t.Fatalf("%d uploads, want 6", n)
	}
}

func TestImportKeysAndGapsCommands(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"RELIEFGAP_DB": "sqlite:" + filepath.Join(dir, "rg.db")}
	// A file with an error on its last line: exit 1, the line named, nothing stored.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("iso3,year,drug,consumption,unit\nKEN,2020,morphine,12,kg\nKEN,2021,morphine,abc,kg\n"), 0o644)
	out, _, code := runCmd(t, env, "import", "--kind", "consumption", bad)
	if code != 1 || !strings.Contains(out, "error") || !strings.Contains(out, "abc") {
		t.Fatalf("bad import: exit %d\n%s", code, out)
	}
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(good, []byte("iso3,year,drug,consumption,unit\nKEN,2020,morphine,12,kg\nKEN,2020,fentanyl,0.05,kg\n"), 0o644)
	pop := filepath.Join(dir, "pop.csv")
	os.WriteFile(pop, []byte("iso3,year,population\nKEN,2020,50000000\n"), 0o644)
	out, errs, code := runCmd(t, env, "import", "--format", "json", good, pop)
	if code != 0 {
		t.Fatalf("good import: exit %d\n%s\n%s", code, out, errs)
	}
	var sums []importSummary
	if err := json.Unmarshal([]byte(out), &sums); err != nil || len(sums) != 2 || sums[0].Status != "published" || sums[0].Stored != 2 {
		t.Fatalf("summaries = %s (%v)", out, err)
	}
	// Re-importing the same file changes nothing.
	out, _, code = runCmd(t, env, "import", good)
	if code != 0 || !strings.Contains(out, "already imported") {
		t.Fatalf("re-import: %d %s", code, out)
	}
	// KEN 2020: me_mg = 12,000 g × 1,000 mg/g × 1 + 50 g × 1,000 × 83.3
	// = 12,000,000 + 4,165,000 = 16,165,000 mg; per capita ÷ 50,000,000 = 0.3233 mg.
	out, _, code = runCmd(t, env, "gaps", "--country", "KEN", "--year", "2020", "--format", "json")
	if code != 0 {
		t.Fatalf("gaps: %d %s", code, out)
	}
	var g access.CountryGaps
	if err := json.Unmarshal([]byte(out), &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Years) != 1 || g.Years[0].MEMg == nil || *g.Years[0].MEMg != 16_165_000 || *g.Years[0].MEMgPerCapita != 0.3233 {
		t.Fatalf("gaps = %s", out)
	}
	if out, _, code = runCmd(t, env, "gaps", "--country", "KEN", "--year", "2020"); code != 0 || !strings.Contains(out, "0.3233") {
		t.Fatalf("table: %d %s", code, out)
	}
	if _, _, code = runCmd(t, env, "gaps"); code != 2 {
		t.Fatalf("gaps without scope: exit %d", code)
	}
	// Keys: the secret is printed once, alone on the last line.
	out, _, code = runCmd(t, env, "keys", "create", "--role", "ministry", "--country", "KEN", "--name", "Kenya MoH")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	secret := lines[len(lines)-1]
	if code != 0 || !strings.HasPrefix(secret, access.KeyPrefix) {
		t.Fatalf("keys create: %d %s", code, out)
	}
	if _, _, code = runCmd(t, env, "keys", "create", "--role", "ministry"); code != 2 {
		t.Fatalf("ministry key without country: exit %d", code)
	}
	out, _, _ = runCmd(t, env, "keys", "list")
	if !strings.Contains(out, "Kenya MoH") || strings.Contains(out, secret) {
		t.Fatalf("keys list:\n%s", out)
	}
	if out, _, code = runCmd(t, env, "keys", "revoke", "1"); code != 0 {
		t.Fatalf("revoke: %d %s", code, out)
	}
	// Templates import cleanly once filled; here: they are written.
	tpl := filepath.Join(dir, "formb.xlsx")
	if out, _, code = runCmd(t, env, "template", "--kind", "estimates", "-o", tpl); code != 0 {
		t.Fatalf("template: %d %s", code, out)
	}
	if st, err := os.Stat(tpl); err != nil || st.Size() == 0 {
		t.Fatalf("template file: %v", err)
	}
}
