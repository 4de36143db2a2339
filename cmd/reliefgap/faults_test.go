package main

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// /readyz reports an outage of the service's own database: a running serve
// whose PostgreSQL database is dropped answers 503 on /readyz, stays alive
// (/healthz 200) and still stops cleanly. Only the test's own database is
// dropped; the server keeps running.
func TestReadyzReportsItsDatabaseGone(t *testing.T) {
	server := os.Getenv("RELIEFGAP_TEST_POSTGRES")
	if server == "" {
		t.Skip("RELIEFGAP_TEST_POSTGRES is not set")
	}
	admin, err := gorm.Open(postgres.Open(server), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "rgtest_" + hex.EncodeToString(b)
	if err := admin.Exec("CREATE DATABASE " + name).Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)") })
	u, _ := url.Parse(server)
	u.Path = "/" + name
	env := map[string]string{"RELIEFGAP_DB": u.String(), "RELIEFGAP_LOG_LEVEL": "error"}
	if _, errs, code := runCmd(t, env, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", errs)
	}
	base, stop := serve(t, env)
	if code, _ := get(t, base+"/readyz"); code != http.StatusOK {
		t.Fatalf("readyz before: %d", code)
	}
	if err := admin.Exec("DROP DATABASE " + name + " WITH (FORCE)").Error; err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	code := 0
	for range 50 { // the first probe may still hold a pooled connection that dies with it
		if code, _ = get(t, base+"/readyz"); code == http.StatusServiceUnavailable {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code != http.StatusServiceUnavailable {
		t.Fatalf("readyz with the database dropped: %d", code)
	}
	t.Logf("readyz answered 503 %v after the drop", time.Since(start).Round(time.Millisecond))
	if code, _ := get(t, base+"/healthz"); code != http.StatusOK {
		t.Fatalf("healthz: %d: the process should stay up", code)
	}
	if err := stop(); err != nil {
		t.Logf("serve stopped: %v", err)
	}
}
