package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/schedule"
	"github.com/reliefgap/reliefgap/internal/store"
)

// SIGTERM reaches "reliefgap serve" while a scheduled report is being
// rendered: the occurrence is finished or left to resume, never
// half-written; after a new serve it has succeeded exactly once, with one
// stored file that is the whole workbook.
func TestSIGTERMDuringScheduledRun(t *testing.T) {
	bin := buildCLI(t)
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "rg.db")
	// Published data for every seeded country, 1950–2020, so that the
	// world report has every country to render.
	file, _ := writeConsumptionCSV(t, dir)
	if _, errs, code := runCmd(t, map[string]string{"RELIEFGAP_DB": dsn}, "import", "--log-level", "error", file); code != 0 {
		t.Fatalf("import: %s", errs)
	}
	ctx := context.Background()
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// A schedule every minute, made two minutes ago: the minute just past
	// is due as soon as serve looks.
	made := time.Now().UTC().Add(-2 * time.Minute)
	sch := schedule.Schedule{Name: "world", Cron: "* * * * *", Scope: schedule.ScopeWorld, YearsMode: schedule.YearsFixed,
		YearFrom: 1950, YearTo: 2020, Enabled: true}
	if err := sch.Normalize(); err != nil {
		t.Fatal(err)
	}
	sch.CreatedAt, sch.UpdatedAt = made, made
	if err := s.CreateSchedule(ctx, &sch); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(bin, "serve", "--db", dsn, "--addr", "127.0.0.1:0", "--log-level", "error")
	var sout syncBuffer
	cmd.Stdout, cmd.Stderr = &sout, &sout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// SIGTERM once the render's job is running (or, on a fast machine, done).
	var seen access.Job
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(2 * time.Millisecond) {
		js, _ := s.Jobs(ctx, access.JobFilter{Kind: schedule.JobReportRun})
		if len(js) == 1 && (js[0].Status == access.JobRunning || js[0].Finished()) {
			seen = js[0]
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the render never ran: %+v\n%s", js, sout.String())
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	select {
	case err := <-waitErr:
		t.Logf("SIGTERM with the render's job %s; serve exited after %v: %v", seen.Status, time.Since(sent).Round(time.Millisecond), err)
		if err != nil {
			t.Errorf("serve did not exit cleanly: %v\n%s", err, sout.String())
		}
	case <-time.After(90 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("serve did not stop after SIGTERM:\n%s", sout.String())
	}
	runs, err := s.Runs(ctx, sch.ID, 100)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs after SIGTERM: %+v, %v", runs, err)
	}
	first := runs[0]
	t.Logf("after SIGTERM the run is %s", first.Status)
	switch first.Status {
	case schedule.StatusSucceeded:
	case schedule.StatusRunning:
		// Left to resume: its job is back in the queue and a new serve
		// renders it.
		_, stopServe := serve(t, map[string]string{"RELIEFGAP_DB": dsn, "RELIEFGAP_LOG_LEVEL": "error"})
		var once sync.Once
		stop := func() (err error) { once.Do(func() { err = stopServe() }); return err }
		defer stop()
		for deadline := time.Now().Add(120 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if first, err = s.Run(ctx, first.ID); err != nil {
				t.Fatal(err)
			}
			if first.Status != schedule.StatusRunning {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the run is still running")
			}
		}
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("after SIGTERM the run is %s (%s)", first.Status, first.Error)
	}
	if first.Status != schedule.StatusSucceeded || first.Attempt != 1 {
		t.Fatalf("the run ended %s at attempt %d (%s)", first.Status, first.Attempt, first.Error)
	}
	// Exactly once: one succeeded run for the schedule; any later
	// occurrence (a new minute) found its inputs unchanged.
	runs, err = s.Runs(ctx, sch.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.ID != first.ID && (r.Status != schedule.StatusUnchanged || r.SameAs != first.ID) {
			t.Fatalf("another run %+v beside %d", r, first.ID)
		}
		if r.ID != first.ID && r.Slot.Equal(first.Slot) {
			t.Fatalf("the slot %s ran twice", first.Slot)
		}
	}
	js, err := s.Jobs(ctx, access.JobFilter{Kind: schedule.JobReportRun})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range js {
		if j.Status != access.JobDone {
			t.Fatalf("render job %d is %s", j.ID, j.Status)
		}
	}
	// Never half-written: one stored file, whose bytes are the workbook
	// the run names, whole.
	var files int64
	if err := s.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM upload_blobs WHERE sha256 = ?", first.FileSHA256).Scan(&files); err != nil {
		t.Fatal(err)
	}
	if files != 1 {
		t.Fatalf("%d files stored for the run", files)
	}
	data, err := s.Blob(ctx, first.FileSHA256)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != first.FileSHA256 || int64(len(data)) != first.Size {
		t.Fatalf("stored file of %d bytes does not match the run (%d bytes)", len(data), first.Size)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the stored file is not a workbook: %v", err)
	}
	f.Close()
	t.Logf("one file of %d bytes, %s", len(data), strings.Join(f.GetSheetList(), ", "))
}
