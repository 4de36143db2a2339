package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/reliefgap/reliefgap/internal/schedule"
	"github.com/reliefgap/reliefgap/internal/store"
)

// fullDisk is a store whose blob writes fail, as on a full disk.
type fullDisk struct {
	*store.Store
	full bool
}

func (f *fullDisk) FinishRun(ctx context.Context, r schedule.Run, data []byte) error {
	if f.full && data != nil {
		return errors.New("no space left on device")
	}
	return f.Store.FinishRun(ctx, r, data)
}

// A scheduled run whose file cannot be stored is recorded failed with the
// error (not left running), and its retry succeeds once space is back.
func TestScheduledRunFileNotStored(t *testing.T) {
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
		fs := &fullDisk{Store: s, full: true}
		clk := &clock{t: t0.Add(40 * time.Minute)} // 01:10
		sc := &schedule.Scheduler{Store: fs, Now: clk.now, Instance: "a", Backoff: time.Minute, MaxAttempts: 3,
			Render: func(ctx context.Context, _ schedule.Schedule) ([]byte, error) { return []byte("workbook"), nil }}
		if err := sc.Pass(ctx); err != nil {
			t.Fatal(err)
		}
		rs, err := s.Runs(ctx, sch.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 || rs[0].Status != schedule.StatusFailed || !strings.Contains(rs[0].Error, "no space left on device") ||
			rs[0].NextAttemptAt == nil || rs[0].FileSHA256 != "" {
			t.Fatalf("runs with the disk full: %+v", rs)
		}
		// The backoff is a minute after the failure at 01:10.
		if want := clk.now().Add(time.Minute); !rs[0].NextAttemptAt.Equal(want) {
			t.Fatalf("retry at %v, want %v", rs[0].NextAttemptAt, want)
		}
		fs.full = false
		clk.set(t0.Add(42 * time.Minute))
		if err := sc.Pass(ctx); err != nil {
			t.Fatal(err)
		}
		r, err := s.Run(ctx, rs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != schedule.StatusSucceeded || r.Attempt != 2 || r.Size != int64(len("workbook")) {
			t.Fatalf("the retry: %+v", r)
		}
		if b, err := s.Blob(ctx, r.FileSHA256); err != nil || string(b) != "workbook" {
			t.Fatalf("stored file %q, %v", b, err)
		}
	})
}
