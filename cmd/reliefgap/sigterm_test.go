package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// SIGTERM reaches "reliefgap serve" while an upload is being processed: the
// upload is finished or left to resume, never half-written; a new serve
// finishes it with every row.
func TestSIGTERMDuringUpload(t *testing.T) {
	bin := buildCLI(t)
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "rg.db")
	env := map[string]string{"RELIEFGAP_DB": dsn}
	out, errs, code := runCmd(t, env, "keys", "create", "--role", "admin", "--name", "ops")
	if code != 0 {
		t.Fatalf("keys create: %s", errs)
	}
	key := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:])
	ctx := context.Background()
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	countries, err := s.Countries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	data := consumptionFile(t, countries, 1900, 1999) // 100 years × 4 drugs per country
	rows := strings.Count(string(data), "\n") - 1

	cmd := exec.Command(bin, "serve", "--db", dsn, "--addr", "127.0.0.1:0", "--log-level", "error", "--rate-elevated", "off", "--rate-public", "off", "--rate-ministry", "off")
	var sout syncBuffer
	cmd.Stdout, cmd.Stderr = &sout, &sout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	base := ""
	for deadline := time.Now().Add(60 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if o := sout.String(); strings.Contains(o, "listening on ") {
			base, _, _ = strings.Cut(o[strings.Index(o, "listening on ")+len("listening on "):], "\n")
			base = strings.TrimSpace(base)
		}
	}
	if base == "" {
		cmd.Process.Kill()
		t.Fatalf("serve did not start:\n%s", sout.String())
	}
	postUpload(t, base, key, "big.csv", data)
	// SIGTERM once the upload's job is running.
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		js, _ := s.Jobs(ctx, access.JobFilter{})
		if len(js) == 1 && js[0].Status == access.JobRunning || len(js) == 1 && js[0].Finished() {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the job never ran: %+v", js)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	select {
	case err := <-waitErr:
		t.Logf("serve exited after SIGTERM: %v", err)
	case <-time.After(90 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("serve did not stop after SIGTERM:\n%s", sout.String())
	}
	us, err := s.Uploads(ctx, access.UploadFilter{})
	if err != nil || len(us) != 1 {
		t.Fatalf("uploads %+v, %v", us, err)
	}
	u := us[0]
	t.Logf("after SIGTERM the upload is %s", u.Status)
	switch u.Status {
	case access.StatusSubmitted:
		if u.Counts.Records != rows {
			t.Fatalf("finished with %d records of %d", u.Counts.Records, rows)
		}
	case access.StatusReceived, access.StatusValidating:
		// Left to resume: a new serve finishes it.
		_, stop := serve(t, map[string]string{"RELIEFGAP_DB": dsn, "RELIEFGAP_LOG_LEVEL": "error"})
		defer stop()
		for deadline := time.Now().Add(120 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if u, err = s.Upload(ctx, u.ID); err != nil {
				t.Fatal(err)
			}
			if u.Status != access.StatusReceived && u.Status != access.StatusValidating {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("still %s", u.Status)
			}
		}
		if u.Status != access.StatusSubmitted || u.Counts.Records != rows {
			t.Fatalf("resumed: %s with %d records of %d (%s)", u.Status, u.Counts.Records, rows, u.Reason)
		}
	default:
		t.Fatalf("after SIGTERM the upload is %s (%s)", u.Status, u.Reason)
	}
	// Never half-written: the staged rows of the upload are all or none.
	var staged int64
	if err := s.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM consumption WHERE upload_id = ?", u.ID).Scan(&staged); err != nil {
		t.Fatal(err)
	}
	if staged != int64(rows) {
		t.Fatalf("%d rows stored for upload %d, want %d", staged, u.ID, rows)
	}
}
