package store_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/alerts"
	"github.com/reliefgap/reliefgap/internal/jobs"
	"github.com/reliefgap/reliefgap/internal/schedule"
	"github.com/reliefgap/reliefgap/internal/store"
)

// flakyReceiver is a webhook endpoint that answers 503 to its first fail
// requests, then checks the signature and keeps the event.
type flakyReceiver struct {
	mu     sync.Mutex
	secret string
	fail   int
	at     []time.Time // every request
	events []alerts.Event
	bad    int
}

func (rc *flakyReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.at = append(rc.at, time.Now())
	if len(rc.at) <= rc.fail {
		http.Error(w, "not now", http.StatusServiceUnavailable)
		return
	}
	body, _ := io.ReadAll(r.Body)
	sec, _ := strconv.ParseInt(r.Header.Get(alerts.HeaderTimestamp), 10, 64)
	if r.Header.Get(alerts.HeaderSignature) != alerts.Sign(rc.secret, time.Unix(sec, 0), body) {
		rc.bad++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var ev alerts.Event
	_ = json.Unmarshal(body, &ev)
	rc.events = append(rc.events, ev)
}

func (rc *flakyReceiver) snapshot() ([]time.Time, []alerts.Event, int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]time.Time(nil), rc.at...), append([]alerts.Event(nil), rc.events...), rc.bad
}

// waitFor polls cond every 20 ms for at most 15 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("gave up waiting for %s", what)
}

// A delivery that meets two 503s is retried by the job runner with backoff
// and delivered once: three requests, one event, one job done after three
// attempts.
func TestWebhookDeliveryRetriedByRunner(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		rc := &flakyReceiver{fail: 2, secret: alerts.NewSecret()}
		srv := httptest.NewServer(rc) // 127.0.0.1 only
		defer srv.Close()
		h := alerts.Webhook{URL: srv.URL + "/hook", Secret: rc.secret, Enabled: true, CreatedAt: time.Now().UTC()}
		if err := s.CreateWebhook(ctx, &h); err != nil {
			t.Fatal(err)
		}
		allow, _ := alerts.ParseAllow("127.0.0.1")
		const backoff = 100 * time.Millisecond
		r := &jobs.Runner{Queue: s, Poll: 10 * time.Millisecond}
		hooks := &alerts.Webhooks{Store: s, Guard: alerts.Guard{Allow: allow}, Backoff: backoff, MaxAttempts: 5, Runner: r}
		hooks.Register(r)
		rctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); _ = r.Run(rctx) }()
		defer func() { stop(); <-done }()

		ev := alerts.Event{ID: "tag:reliefgap.org,2026:test:1", Kind: alerts.KindReportReady, Scope: "world", Title: "Report ready", At: time.Now().UTC()}
		if err := hooks.Notify(ctx, ev); err != nil {
			t.Fatal(err)
		}
		if err := hooks.Notify(ctx, ev); err != nil { // the same event again: no second delivery
			t.Fatal(err)
		}
		r.Wake()
		var d alerts.Delivery
		waitFor(t, "the delivery", func() bool {
			ds, err := s.Deliveries(ctx, h.ID, 10)
			if err != nil || len(ds) == 0 {
				return false
			}
			d = ds[0]
			return d.Status == alerts.DeliveryDelivered
		})
		var js []access.Job
		waitFor(t, "the job to be recorded done", func() bool {
			var err error
			js, err = s.Jobs(ctx, access.JobFilter{Kind: alerts.JobDeliver})
			return err == nil && len(js) == 1 && js[0].Status == access.JobDone
		})
		stop()
		<-done
		at, events, bad := rc.snapshot()
		if len(at) != 3 || len(events) != 1 || events[0].ID != ev.ID || bad != 0 {
			t.Fatalf("%d requests, events %+v, %d bad signatures; want 3 requests, 1 event", len(at), events, bad)
		}
		// Backoff: 100 ms after the first failure, 200 ms after the second.
		if gap := at[1].Sub(at[0]); gap < backoff {
			t.Errorf("second attempt %s after the first, want at least %s", gap, backoff)
		}
		if gap := at[2].Sub(at[1]); gap < 2*backoff {
			t.Errorf("third attempt %s after the second, want at least %s", gap, 2*backoff)
		}
		if d.Attempts != 3 || d.DeliveredAt == nil || d.LastError != "" {
			t.Errorf("delivery = %+v", d)
		}
		if js[0].Attempts != 3 || js[0].Ref != alerts.DeliveryRef(d.ID) {
			t.Errorf("job = %+v", js[0])
		}
	})
}

// A report.run job whose runner stops mid-render goes back to the queue;
// a new runner resumes it, and the occurrence ends succeeded once, with
// one run and one file.
func TestReportRunResumedAfterInterruption(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		t0 := time.Date(2026, 1, 1, 0, 30, 0, 0, time.UTC)
		sch := schedule.Schedule{Name: "hourly world", Cron: "0 * * * *", Scope: schedule.ScopeWorld, YearsMode: schedule.YearsFixed,
			YearTo: 2020, Enabled: true, CreatedAt: t0}
		if err := sch.Normalize(); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateSchedule(ctx, &sch); err != nil {
			t.Fatal(err)
		}
		clk := &clock{t: t0.Add(40 * time.Minute)} // 01:10: the 01:00 occurrence is due
		var mu sync.Mutex
		renders := 0
		started := make(chan struct{})
		render := func(ctx context.Context, _ schedule.Schedule) ([]byte, error) {
			mu.Lock()
			renders++
			n := renders
			mu.Unlock()
			if n == 1 { // the first render hangs until its runner stops
				close(started)
				<-ctx.Done()
				return nil, ctx.Err()
			}
			return []byte("workbook"), nil
		}
		count := func() int { mu.Lock(); defer mu.Unlock(); return renders }

		// Process A claims the occurrence and is stopped mid-render.
		actx, stopA := context.WithCancel(ctx)
		a := &schedule.Scheduler{Store: s, Now: clk.now, Instance: "a", Render: render}
		passed := make(chan error, 1)
		go func() { passed <- a.Pass(actx) }()
		select {
		case <-started:
		case <-time.After(15 * time.Second):
			t.Fatal("the render did not start")
		}
		stopA()
		select {
		case <-passed:
		case <-time.After(15 * time.Second):
			t.Fatal("the pass did not end after its context")
		}
		runs, err := s.Runs(ctx, sch.ID, 10)
		if err != nil || len(runs) != 1 || runs[0].Status != schedule.StatusRunning {
			t.Fatalf("after the interruption: %+v %v", runs, err)
		}
		js, err := s.Jobs(ctx, access.JobFilter{Kind: schedule.JobReportRun})
		if err != nil || len(js) != 1 || js[0].Status != access.JobQueued || js[0].Ref != schedule.RunRef(runs[0].ID) {
			t.Fatalf("the interrupted job: %+v %v", js, err)
		}

		// Process B's runner resumes it.
		b := &schedule.Scheduler{Store: s, Now: clk.now, Instance: "b", Render: render}
		r := &jobs.Runner{Queue: s, Poll: 10 * time.Millisecond}
		b.Register(r)
		bctx, stopB := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); _ = r.Run(bctx) }()
		waitFor(t, "the resumed job", func() bool {
			j, err := s.Job(ctx, js[0].ID)
			return err == nil && j.Status == access.JobDone
		})
		stopB()
		<-done

		// B's scheduler finds the occurrence claimed: nothing more runs.
		if err := b.Pass(ctx); err != nil {
			t.Fatal(err)
		}
		runs, err = s.Runs(ctx, sch.ID, 10)
		if err != nil || len(runs) != 1 {
			t.Fatalf("runs: %+v %v", runs, err)
		}
		run := runs[0]
		if run.Status != schedule.StatusSucceeded || run.Attempt != 1 || run.ClaimedBy != "a" || !run.Slot.Equal(t0.Add(30*time.Minute)) || count() != 2 {
			t.Fatalf("run %+v after %d renders; want succeeded, attempt 1, after 2 renders", run, count())
		}
		if f, err := s.Blob(ctx, run.FileSHA256); err != nil || string(f) != "workbook" || run.Size != 8 {
			t.Errorf("file %q %v, size %d", f, err, run.Size)
		}
		if js, err := s.Jobs(ctx, access.JobFilter{Kind: schedule.JobReportRun}); err != nil || len(js) != 1 {
			t.Errorf("report jobs: %+v %v", js, err)
		}
	})
}

// An undelivered delivery left without a live job (made before deliveries
// were jobs, or its job cancelled) gets one; a delivery with one does not.
func TestAdoptDeliveries(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		h := alerts.Webhook{URL: "https://example.org/hook", Secret: "s", Enabled: true, CreatedAt: time.Now().UTC()}
		if err := s.CreateWebhook(ctx, &h); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		for _, id := range []string{"tag:a", "tag:b"} {
			if err := s.Enqueue(ctx, alerts.Delivery{WebhookID: h.ID, EventID: id, Kind: alerts.KindReportReady, Payload: []byte("{}"),
				Status: alerts.DeliveryPending, NextAttemptAt: &now, CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
		}
		js, err := s.Jobs(ctx, access.JobFilter{Kind: alerts.JobDeliver})
		if err != nil || len(js) != 2 {
			t.Fatalf("jobs: %+v %v", js, err)
		}
		if n, err := s.AdoptDeliveries(ctx); err != nil || n != 0 {
			t.Fatalf("adopted %d (%v), want 0: both have a queued job", n, err)
		}
		if _, err := s.CancelJob(ctx, js[0].ID); err != nil {
			t.Fatal(err)
		}
		if n, err := s.AdoptDeliveries(ctx); err != nil || n != 1 {
			t.Fatalf("adopted %d (%v), want 1", n, err)
		}
		if n, err := s.AdoptDeliveries(ctx); err != nil || n != 0 {
			t.Fatalf("adopted again %d (%v), want 0", n, err)
		}
	})
}
