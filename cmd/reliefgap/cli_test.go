package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Flags after arguments are flags: "import FILE --dry-run" validates FILE
// and stores nothing but its bytes; it does not publish it.
func TestImportDryRunAfterFile(t *testing.T) {
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "rg.db")
	env := map[string]string{"RELIEFGAP_DB": dsn, "RELIEFGAP_LOG_LEVEL": "warn"}
	file := filepath.Join(dir, "kenya.csv")
	if err := os.WriteFile(file, []byte("iso3,year,drug,consumption,unit\nKEN,2020,morphine,12,kg\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCmd(t, env, "import", file, "--dry-run")
	if code != 0 {
		t.Fatalf("import FILE --dry-run: exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "dry-run") {
		t.Fatalf("the summary does not say dry-run:\n%s", out)
	}
	out, _, code = runCmd(t, env, "gaps", "--country", "KEN", "--year", "2020", "--format", "json")
	if code != 0 {
		t.Fatalf("gaps: exit %d", code)
	}
	if strings.Contains(out, `"upload_id"`) {
		t.Fatalf("a dry run published figures:\n%s", out)
	}
	// The global --db works before the command name and after it.
	if out, errs, code := runCmd(t, nil, "--db", dsn, "version"); code != 0 || !strings.HasPrefix(out, "reliefgap ") {
		t.Fatalf("--db X version: exit %d %q %q", code, out, errs)
	}
	if _, errs, code := runCmd(t, nil, "keys", "list", "--db", dsn); code != 0 {
		t.Fatalf("keys list --db X: exit %d %s", code, errs)
	}
}

// Usage errors exit 2 and name what was wrong; help is help.
func TestUsageErrors(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "rg.db")
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"extra argument to serve", nil, []string{"serve", "migrate"}, `"migrate"`},
		{"unknown command", nil, []string{"frobnicate"}, `frobnicate`},
		{"unknown flag", nil, []string{"gaps", "--contry", "KEN"}, `contry`},
		{"bad flag value", nil, []string{"gaps", "--country", "KEN", "--year", "twenty"}, `twenty`},
		{"bad environment value", map[string]string{"RELIEFGAP_MAX_UPLOAD_BYTES": "20MB", "RELIEFGAP_DB": dsn}, []string{"serve", "--addr", "127.0.0.1:0"}, `RELIEFGAP_MAX_UPLOAD_BYTES`},
		{"two scopes", nil, []string{"gaps", "--country", "KEN", "--world"}, `world`},
		{"unknown keys subcommand", nil, []string{"keys", "mint"}, `mint`},
		{"import without files", nil, []string{"import", "--dry-run"}, `FILE`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errs, code := runCmd(t, tc.env, tc.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr:\n%s", code, errs)
			}
			if !strings.Contains(errs, tc.want) {
				t.Fatalf("stderr does not name %s:\n%s", tc.want, errs)
			}
		})
	}
	out, _, code := runCmd(t, nil, "version", "--help")
	if code != 0 || !strings.Contains(out, "Usage:") {
		t.Fatalf("version --help: exit %d\n%s", code, out)
	}
	out, _, code = runCmd(t, nil, "serve", "--help")
	if code != 0 || !strings.Contains(out, "--addr") || !strings.Contains(out, "Examples:") {
		t.Fatalf("serve --help does not show --addr and examples:\n%s", out)
	}
	out, _, code = runCmd(t, nil, "completion", "bash")
	if code != 0 || !strings.Contains(out, "reliefgap") {
		t.Fatalf("completion bash: exit %d", code)
	}
}

func TestConfigListsSourcesAndMasksSecrets(t *testing.T) {
	env := map[string]string{
		"RELIEFGAP_DB":               "postgres://rg:s3cret@127.0.0.1:5432/rg",
		"RELIEFGAP_MAX_UPLOAD_BYTES": "1048576",
	}
	out, errs, code := runCmd(t, env, "config", "--addr", "127.0.0.1:9999")
	if code != 0 {
		t.Fatalf("config: exit %d %s", code, errs)
	}
	if strings.Contains(out, "s3cret") {
		t.Fatalf("config printed a password:\n%s", out)
	}
	for _, want := range [][]string{
		{"--addr", "127.0.0.1:9999", "flag"},
		{"--max-upload-bytes", "1048576", "environment"},
		{"--log-level", "info", "default"},
		{"--db", "environment"},
	} {
		found := false
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			if len(f) > 0 && f[0] == want[0] && strings.Contains(line, want[1]) && strings.Contains(line, want[len(want)-1]) {
				found = true
			}
		}
		if !found {
			t.Errorf("config does not show %v:\n%s", want, out)
		}
	}
	if _, errs, code := runCmd(t, map[string]string{"RELIEFGAP_MAX_UPLOAD_BYTES": "-3"}, "config"); code != 2 || !strings.Contains(errs, "RELIEFGAP_MAX_UPLOAD_BYTES") {
		t.Fatalf("config with a bad environment value: exit %d %s", code, errs)
	}
}

// The key that seals webhook secrets comes from the environment only:
// config says whether it is set, never what it is; a key that is not the
// base64 of 32 bytes stops any command that opens the database (exit 2).
func TestSecretKeyFromTheEnvironment(t *testing.T) {
	const key = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="
	out, errs, code := runCmd(t, map[string]string{"RELIEFGAP_SECRET_KEY": key}, "config")
	if code != 0 || strings.Contains(out, key) || !strings.Contains(out, "RELIEFGAP_SECRET_KEY") {
		t.Fatalf("config: exit %d %s\n%s", code, errs, out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "RELIEFGAP_SECRET_KEY") && !strings.Contains(line, "set") {
			t.Fatalf("config shows the key as %q", line)
		}
	}
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "rg.db")
	_, errs, code = runCmd(t, map[string]string{"RELIEFGAP_DB": dsn, "RELIEFGAP_SECRET_KEY": "short"}, "gaps", "--country", "KEN")
	if code != 2 || !strings.Contains(errs, "RELIEFGAP_SECRET_KEY") || !strings.Contains(errs, "openssl rand -base64 32") {
		t.Fatalf("a bad key: exit %d %s", code, errs)
	}
	_, errs, code = runCmd(t, map[string]string{"RELIEFGAP_DB": dsn, "RELIEFGAP_SECRET_KEY": key, "RELIEFGAP_SECRET_KEY_PREVIOUS": "short"}, "gaps", "--country", "KEN")
	if code != 2 || !strings.Contains(errs, "RELIEFGAP_SECRET_KEY_PREVIOUS") {
		t.Fatalf("a bad previous key: exit %d %s", code, errs)
	}
}

func TestHealthcheck(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "rg.db")
	env := map[string]string{"RELIEFGAP_DB": dsn, "RELIEFGAP_LOG_LEVEL": "warn"}
	base, stop := serve(t, env)
	addr := strings.TrimPrefix(base, "http://")
	if out, errs, code := runCmd(t, nil, "healthcheck", "--addr", addr); code != 0 || !strings.Contains(out, "ready") {
		t.Fatalf("healthcheck of a running service: exit %d %s %s", code, out, errs)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if _, _, code := runCmd(t, nil, "healthcheck", "--addr", addr, "--timeout", "500ms"); code != 1 {
		t.Fatalf("healthcheck of a stopped service: exit %d, want 1", code)
	}
}

// --metrics-addr moves /metrics off the public listener; the registry has
// build information and database pool statistics.
func TestMetricsOnSeparateListener(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "rg.db")
	env := map[string]string{"RELIEFGAP_DB": dsn, "RELIEFGAP_LOG_LEVEL": "warn"}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	maddr := ln.Addr().String()
	ln.Close()
	base, stop := serve(t, env, "--metrics-addr", maddr, "--rate-public", "100/200")
	defer stop()
	if r, err := http.Get(base + "/metrics"); err != nil || r.StatusCode != http.StatusNotFound {
		t.Fatalf("public /metrics: %v %v", r, err)
	}
	r, err := http.Get("http://" + maddr + "/metrics")
	if err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("metrics listener: %v %v", r, err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	for _, want := range []string{"reliefgap_build_info{", "go_sql_open_connections", "reliefgap_http_panics_total", `reliefgap_jobs{kind="import",status="queued"} 0`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	for _, bad := range [][]string{{"serve", "--rate-public", "fast"}, {"serve", "--rate-public", "off"}, {"serve", "--db-max-conns", "0"}} {
		if _, errs, code := runCmd(t, env, bad...); code != 2 {
			t.Errorf("%v: exit %d %s", bad, code, errs)
		}
	}
}

// A backup restored elsewhere serves the same figures, and restore refuses
// what is not a reliefgap database.
func TestBackupAndRestore(t *testing.T) {
	dir := t.TempDir()
	src := "sqlite:" + filepath.Join(dir, "src.db")
	env := map[string]string{"RELIEFGAP_DB": src, "RELIEFGAP_LOG_LEVEL": "warn"}
	data := filepath.Join(dir, "ken.csv")
	os.WriteFile(data, []byte("iso3,year,drug,consumption,unit\nKEN,2020,morphine,12,kg\nKEN,2020,fentanyl,0.05,kg\n"), 0o644)
	pop := filepath.Join(dir, "pop.csv")
	os.WriteFile(pop, []byte("iso3,year,population\nKEN,2020,50000000\n"), 0o644)
	if out, errs, code := runCmd(t, env, "import", data, pop); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	before, _, code := runCmd(t, env, "gaps", "--country", "KEN", "--format", "json")
	if code != 0 {
		t.Fatal("gaps")
	}
	bak := filepath.Join(dir, "backup.db")
	if out, errs, code := runCmd(t, env, "backup", "-o", bak); code != 0 || !strings.Contains(out, "backed up") {
		t.Fatalf("backup: %d %s %s", code, out, errs)
	}
	if _, _, code := runCmd(t, env, "backup", "-o", bak); code == 0 {
		t.Fatal("a second backup overwrote the first")
	}
	dst := map[string]string{"RELIEFGAP_DB": "sqlite:" + filepath.Join(dir, "restored.db"), "RELIEFGAP_LOG_LEVEL": "warn"}
	if out, errs, code := runCmd(t, dst, "restore", bak); code != 0 || !strings.Contains(out, "restored") {
		t.Fatalf("restore: %d %s %s", code, out, errs)
	}
	after, _, _ := runCmd(t, dst, "gaps", "--country", "KEN", "--format", "json")
	if after != before || !strings.Contains(after, `"upload_id"`) {
		t.Fatalf("restored figures differ:\n%s\n%s", before, after)
	}
	if _, errs, code := runCmd(t, dst, "restore", bak); code != 2 || !strings.Contains(errs, "--force") {
		t.Fatalf("restore over an existing database without --force: %d %s", code, errs)
	}
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte("not a database at all"), 0o644)
	if _, _, code := runCmd(t, dst, "restore", junk, "--force"); code == 0 {
		t.Fatal("restored a file that is not a database")
	}
	if after2, _, _ := runCmd(t, dst, "gaps", "--country", "KEN", "--format", "json"); after2 != before {
		t.Fatal("a refused restore changed the database")
	}
}
