package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/schedule"
	"github.com/reliefgap/reliefgap/internal/store"
)

// startServe runs "reliefgap serve" as a subprocess on a loopback port
// and returns its base URL.
func startServe(t *testing.T, bin, dsn string) string {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--db", dsn, "--addr", "127.0.0.1:0", "--log-level", "error", "--rate-public", "off", "--rate-ministry", "off", "--rate-elevated", "off")
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if s := out.String(); strings.Contains(s, "listening on ") {
			line := s[strings.Index(s, "listening on ")+len("listening on "):]
			line, _, _ = strings.Cut(line, "\n")
			return strings.TrimSpace(line)
		}
	}
	t.Fatalf("serve did not start:\n%s", out.String())
	return ""
}

// consumptionFile is a consumption table of every seeded country for the
// years from..to, large enough (over 256 KiB) to be processed as a job.
func consumptionFile(t *testing.T, countries []access.Country, from, to int) []byte {
	var b bytes.Buffer
	b.WriteString("iso3,year,drug,consumption,unit\n")
	for _, c := range countries {
		for y := from; y <= to; y++ {
			for i, d := range []string{"morphine", "fentanyl", "oxycodone", "pethidine"} {
				fmt.Fprintf(&b, "%s,%d,%s,%d,g\n", c.ISO3, y, d, 1000+y+i)
			}
		}
	}
	if b.Len() <= 256<<10 {
		t.Fatalf("the file is %d bytes, too small to be a background job", b.Len())
	}
	return b.Bytes()
}

func postUpload(t *testing.T, base, key, name string, data []byte) int {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("kind", "consumption")
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/uploads", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted && res.StatusCode != http.StatusOK {
		t.Fatalf("upload to %s: %d %s", base, res.StatusCode, b)
	}
	return res.StatusCode
}

// Two "reliefgap serve" processes on one PostgreSQL database: both serve
// reads, both take uploads, and every upload's job runs exactly once.
func TestTwoServeProcessesOnOnePostgres(t *testing.T) {
	server := os.Getenv("RELIEFGAP_TEST_POSTGRES")
	if server == "" {
		t.Skip("RELIEFGAP_TEST_POSTGRES is not set")
	}
	bin := buildCLI(t)
	dsn := newPostgresDB(t, server)
	env := map[string]string{"RELIEFGAP_DB": dsn}
	if _, errs, code := runCmd(t, env, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", errs)
	}
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
	// A world report every minute, made two minutes ago: an occurrence is
	// due as soon as the processes look, and both will try to run it.
	made := time.Now().UTC().Add(-2 * time.Minute)
	sch := schedule.Schedule{Name: "world", Cron: "* * * * *", Scope: schedule.ScopeWorld, YearsMode: schedule.YearsFixed,
		YearFrom: 2000, YearTo: 2001, Enabled: true}
	if err := sch.Normalize(); err != nil {
		t.Fatal(err)
	}
	sch.CreatedAt, sch.UpdatedAt = made, made
	if err := s.CreateSchedule(ctx, &sch); err != nil {
		t.Fatal(err)
	}
	a, b := startServe(t, bin, dsn), startServe(t, bin, dsn)
	for _, base := range []string{a, b} {
		if code, _ := get(t, base+"/readyz"); code != http.StatusOK {
			t.Fatalf("%s/readyz: %d", base, code)
		}
	}
	// Two files to each process, each a different span of years.
	spans := [][2]int{{1900, 1920}, {1921, 1941}, {1942, 1962}, {1963, 1983}}
	for i, sp := range spans {
		base := []string{a, b}[i%2]
		postUpload(t, base, key, fmt.Sprintf("c%d.csv", i), consumptionFile(t, countries, sp[0], sp[1]))
	}
	deadline := time.Now().Add(3 * time.Minute)
	var jobs []access.Job
	for {
		jobs, err = s.Jobs(ctx, access.JobFilter{Kind: access.JobImport})
		if err != nil {
			t.Fatal(err)
		}
		done := 0
		for _, j := range jobs {
			if j.Finished() {
				done++
			}
		}
		if len(jobs) == len(spans) && done == len(jobs) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs not finished: %+v", jobs)
		}
		time.Sleep(200 * time.Millisecond)
	}
	owners := map[string]int{}
	for _, j := range jobs {
		if j.Status != access.JobDone || j.Attempts != 1 {
			t.Errorf("job %d (%s): %s after %d attempts: %s", j.ID, j.Ref, j.Status, j.Attempts, j.Error)
		}
		owners[j.Owner]++
	}
	us, err := s.Uploads(ctx, access.UploadFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		if u.Status != access.StatusSubmitted {
			t.Errorf("upload %d: %s (%s)", u.ID, u.Status, u.Reason)
		}
	}
	t.Logf("%d jobs, each run once; owners %v", len(jobs), owners)
	// Scheduled runs: every occurrence's slot ran once, whichever process
	// claimed it, and each render job ran once.
	var runs []schedule.Run
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
		if runs, err = s.Runs(ctx, sch.ID, 100); err != nil {
			t.Fatal(err)
		}
		settled := len(runs) > 0
		for _, r := range runs {
			settled = settled && r.Status != schedule.StatusRunning
		}
		if settled {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("scheduled runs not settled: %+v", runs)
		}
	}
	slots := map[time.Time]int{}
	succeeded := 0
	for _, r := range runs {
		slots[r.Slot.UTC()]++
		switch r.Status {
		case schedule.StatusSucceeded:
			succeeded++
		case schedule.StatusUnchanged:
		default:
			t.Errorf("scheduled run %d: %s (%s)", r.ID, r.Status, r.Error)
		}
	}
	for slot, n := range slots {
		if n != 1 {
			t.Errorf("the occurrence %s ran %d times", slot, n)
		}
	}
	if succeeded != 1 {
		t.Errorf("%d runs rendered a file, want 1 (later occurrences find the inputs unchanged): %+v", succeeded, runs)
	}
	renders, err := s.Jobs(ctx, access.JobFilter{Kind: schedule.JobReportRun})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range renders {
		if j.Status != access.JobDone || j.Attempts != 1 {
			t.Errorf("render job %d: %s after %d attempts", j.ID, j.Status, j.Attempts)
		}
	}
	t.Logf("%d scheduled runs over %d occurrences, %d render jobs", len(runs), len(slots), len(renders))
	// Both processes read the same figures.
	codeA, bodyA := get(t, a+"/api/v1/countries/KEN/gaps")
	codeB, bodyB := get(t, b+"/api/v1/countries/KEN/gaps")
	if codeA != http.StatusOK || codeB != http.StatusOK || !bytes.Equal(bodyA, bodyB) {
		t.Fatalf("reads differ: %d %d", codeA, codeB)
	}
}
