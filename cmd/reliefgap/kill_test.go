package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// buildCLI builds the reliefgap binary into a temporary directory.
func buildCLI(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "reliefgap")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// writeConsumptionCSV writes a consumption table of every seeded country,
// years 1950–2020 and four drugs, and returns its path and data row count.
func writeConsumptionCSV(t *testing.T, dir string) (string, int) {
	t.Helper()
	ctx := context.Background()
	ref, err := store.Open(ctx, "sqlite::memory:", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	cs, err := ref.Countries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "big.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "iso3,year,drug,consumption,unit")
	rows := 0
	for _, c := range cs {
		for y := 1950; y <= 2020; y++ {
			for i, d := range []string{"morphine", "fentanyl", "oxycodone", "pethidine"} {
				fmt.Fprintf(w, "%s,%d,%s,%d,g\n", c.ISO3, y, d, 1000+y+i)
				rows++
			}
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path, rows
}

// TestKilledImportIsResumedByServe kills "reliefgap import" in the middle of
// a large import; "reliefgap serve" then finds the interrupted job and
// resumes it: the upload ends published with the whole file, never half.
// On SQLite the dead owner process gives the job away; on PostgreSQL its
// lapsed lease (RELIEFGAP_JOB_LEASE, short here).
func TestKilledImportIsResumedByServe(t *testing.T) {
	bin := buildCLI(t)
	dir := t.TempDir()
	file, rows := writeConsumptionCSV(t, dir)
	t.Run("sqlite", func(t *testing.T) {
		killAndResume(t, bin, "sqlite:"+filepath.Join(dir, "rg.db"), file, rows, nil)
	})
	if server := os.Getenv("RELIEFGAP_TEST_POSTGRES"); server != "" {
		t.Run("postgres", func(t *testing.T) {
			dsn := newPostgresDB(t, server)
			if _, errs, code := runCmd(t, map[string]string{"RELIEFGAP_DB": dsn}, "migrate"); code != 0 {
				t.Fatalf("migrate: %s", errs)
			}
			killAndResume(t, bin, dsn, file, rows, []string{"RELIEFGAP_JOB_LEASE=1s"})
		})
	}
}

// newPostgresDB creates a database on server, dropped after the test.
func newPostgresDB(t *testing.T, server string) string {
	t.Helper()
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
	return u.String()
}

func killAndResume(t *testing.T, bin, dsn, file string, rows int, env []string) {
	ctx := context.Background()

	// Opened (and migrated) first, so that the reads below start at once.
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cmd := exec.Command(bin, "import", "--db", dsn, "--log-level", "error", file)
	cmd.Env = append(os.Environ(), env...)
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once its job is running and a little of the file is read.
	deadline := time.Now().Add(60 * time.Second)
	var job access.Job
	for {
		js, err := s.Jobs(ctx, access.JobFilter{})
		if err == nil && len(js) == 1 && js[0].Status == access.JobRunning {
			job = js[0]
			break
		}
		if err == nil && len(js) == 1 && js[0].Finished() {
			t.Skipf("the import ended (%s) before it could be killed", js[0].Status)
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the import's job never ran: %+v %v\n%s", js, err, out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait() // reap it, so that its pid is gone
	uploadID := int64(0)
	fmt.Sscanf(job.Ref, "upload:%d", &uploadID)
	u, err := s.Upload(ctx, uploadID)
	if err != nil {
		t.Fatal(err)
	}
	if u.Status != access.StatusValidating && u.Status != access.StatusReceived {
		t.Skipf("the import finished (%s) before it was killed; nothing to resume", u.Status)
	}
	if in, err := s.Inputs(ctx, access.InputFilter{ISO3: "AFG"}); err != nil || len(in["AFG"].Consumption) != 0 {
		t.Fatalf("a killed import left published rows: %v", err)
	}

	senv := map[string]string{"RELIEFGAP_DB": dsn, "RELIEFGAP_LOG_LEVEL": "warn"}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		senv[k] = v
	}
	_, stop := serve(t, senv)
	defer stop()
	deadline = time.Now().Add(120 * time.Second)
	for {
		u, err = s.Upload(ctx, uploadID)
		if err != nil {
			t.Fatal(err)
		}
		if u.Status == access.StatusPublished || u.Status == access.StatusRejected || u.Status == access.StatusFailed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the upload is still %s", u.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if u.Status != access.StatusPublished || u.Counts.Records != rows {
		t.Fatalf("resumed upload: %s, %d records of %d (%s)", u.Status, u.Counts.Records, rows, u.Reason)
	}
	in, err := s.Inputs(ctx, access.InputFilter{})
	if err != nil {
		t.Fatal(err)
	}
	published := 0
	for _, ci := range in {
		published += len(ci.Consumption)
	}
	if published != rows {
		t.Fatalf("%d rows published, want the whole file's %d", published, rows)
	}
	j, err := s.Job(ctx, job.ID)
	if err != nil || j.Status != access.JobDone || j.Attempts != 2 {
		t.Fatalf("job = %+v, %v", j, err)
	}
}
