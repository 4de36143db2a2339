package store_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/reliefgap/reliefgap/internal/schedule"
	"github.com/reliefgap/reliefgap/internal/store"
)

// clock is a settable time for a scheduler.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func TestScheduledRuns(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		t0 := time.Date(2026, 1, 1, 0, 30, 0, 0, time.UTC)
		sch := schedule.Schedule{Name: "hourly world", Cron: "0 * * * *", Scope: schedule.ScopeWorld, YearsMode: schedule.YearsFixed,
			YearTo: 2020, Enabled: true, KeepRuns: 3, CreatedAt: t0}
		if err := sch.Normalize(); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateSchedule(ctx, &sch); err != nil {
			t.Fatal(err)
		}
		clk := &clock{t: t0.Add(40 * time.Minute)} // 01:10
		renders, fail := 0, false
		sc := &schedule.Scheduler{Store: s, Now: clk.now, Instance: "a", Backoff: time.Minute, MaxAttempts: 2,
			Render: func(ctx context.Context, _ schedule.Schedule) ([]byte, error) {
				renders++
				if fail {
					return nil, errors.New("the renderer broke")
				}
				return []byte(fmt.Sprintf("workbook %d", renders)), nil
			}}
		pass := func(at time.Time) {
			t.Helper()
			clk.set(at)
			if err := sc.Pass(ctx); err != nil {
				t.Fatal(err)
			}
		}
		runs := func() []schedule.Run {
			t.Helper()
			rs, err := s.Runs(ctx, sch.ID, 100)
			if err != nil {
				t.Fatal(err)
			}
			return rs
		}

		// 01:10: the 01:00 occurrence runs (00:00 was before the schedule existed).
		pass(clk.now())
		pass(clk.now()) // claimed already: nothing new
		rs := runs()
		if len(rs) != 1 || rs[0].Status != schedule.StatusSucceeded || !rs[0].Slot.Equal(t0.Add(30*time.Minute)) || renders != 1 {
			t.Fatalf("after 01:10: %d renders, runs %+v", renders, rs)
		}
		first := rs[0]
		if b, err := s.Blob(ctx, first.FileSHA256); err != nil || string(b) != "workbook 1" || first.Size != 10 {
			t.Fatalf("file of the first run: %q %v (size %d)", b, err, first.Size)
		}

		// 02:05, data unchanged: recorded unchanged, pointing at the first run's file.
		pass(t0.Add(95 * time.Minute))
		rs = runs()
		if len(rs) != 2 || rs[0].Status != schedule.StatusUnchanged || rs[0].SameAs != first.ID || rs[0].FileSHA256 != first.FileSHA256 || renders != 1 {
			t.Fatalf("after 02:05: %d renders, runs %+v", renders, rs)
		}

		// 03:05, new data and a broken renderer: failed, due again at 03:06.
		if err := s.SetSetting(ctx, "note", "new data"); err != nil {
			t.Fatal(err)
		}
		fail = true
		pass(t0.Add(155 * time.Minute))
		rs = runs()
		if rs[0].Status != schedule.StatusFailed || rs[0].Error != "the renderer broke" || rs[0].NextAttemptAt == nil ||
			!rs[0].NextAttemptAt.Equal(t0.Add(156*time.Minute)) || rs[0].Attempt != 1 {
			t.Fatalf("after 03:05: %+v", rs[0])
		}
		// 03:05:30: not due yet. 03:06:30: the second attempt fails too, and is the last.
		pass(t0.Add(155*time.Minute + 30*time.Second))
		if renders != 2 {
			t.Fatalf("retried before its time: %d renders", renders)
		}
		pass(t0.Add(156*time.Minute + 30*time.Second))
		rs = runs()
		if renders != 3 || rs[0].Status != schedule.StatusFailed || rs[0].Attempt != 2 || rs[0].NextAttemptAt != nil {
			t.Fatalf("second attempt: %d renders, %+v", renders, rs[0])
		}
		// 04:05 with the renderer mended: a new file. Retention keeps 3 runs;
		// the first run's file stays while the unchanged run uses it.
		fail = false
		pass(t0.Add(215 * time.Minute))
		rs = runs()
		if len(rs) != 3 || rs[0].Status != schedule.StatusSucceeded || rs[2].ID == first.ID {
			t.Fatalf("after 04:05: %+v", rs)
		}
		if _, err := s.Blob(ctx, first.FileSHA256); err != nil {
			t.Errorf("the first file was removed while an unchanged run uses it: %v", err)
		}
		pass(t0.Add(275 * time.Minute)) // 05:05: unchanged, and the old unchanged run goes
		if _, err := s.Blob(ctx, first.FileSHA256); err == nil {
			t.Errorf("the first file outlived every run that used it")
		}

		// Run now, and deletion.
		r, err := sc.RunNow(ctx, sch.ID)
		if err != nil || r.Status != schedule.StatusUnchanged {
			t.Fatalf("run now: %+v %v", r, err)
		}
		if err := s.DeleteSchedule(ctx, sch.ID); err != nil {
			t.Fatal(err)
		}
		if rs := runs(); len(rs) != 0 {
			t.Errorf("runs outlive their schedule: %d", len(rs))
		}
	})
}

// openPostgresTwice makes a fresh PostgreSQL database and opens it twice,
// as two serve processes would.
func openPostgresTwice(t *testing.T, dsn string) (*store.Store, *store.Store) {
	t.Helper()
	admin, err := gorm.Open(postgres.Open(dsn), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "rgtest_" + hex.EncodeToString(b)
	if err := admin.Exec("CREATE DATABASE " + name).Error; err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(dsn)
	u.Path = "/" + name
	s1, err := store.Open(context.Background(), u.String(), store.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	s2, err := store.Open(context.Background(), u.String(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s1.Close()
		s2.Close()
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		if db, err := admin.DB(); err == nil {
			db.Close()
		}
	})
	return s1, s2
}

// Two schedulers on one PostgreSQL database, as two serve processes: each
// occurrence of an every-minute schedule, and each retry, runs exactly once.
func TestTwoSchedulersRunEachOccurrenceOnce(t *testing.T) {
	dsn := os.Getenv("RELIEFGAP_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("RELIEFGAP_TEST_POSTGRES is not set")
	}
	ctx := context.Background()
	s1, s2 := openPostgresTwice(t, dsn)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sch := schedule.Schedule{Name: "every minute", Cron: "* * * * *", Scope: schedule.ScopeWorld, YearsMode: schedule.YearsFixed,
		YearTo: 2020, Enabled: true, KeepRuns: 1000, CreatedAt: t0}
	if err := sch.Normalize(); err != nil {
		t.Fatal(err)
	}
	if err := s1.CreateSchedule(ctx, &sch); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	rendered := map[string]int{} // slot → renders
	clk := &clock{}
	mk := func(s *store.Store, who string) *schedule.Scheduler {
		return &schedule.Scheduler{Store: s, Now: clk.now, Instance: who, Backoff: time.Second, MaxAttempts: 3,
			Render: func(ctx context.Context, _ schedule.Schedule) ([]byte, error) {
				mu.Lock()
				defer mu.Unlock()
				slot := clk.now().Truncate(time.Minute).Format(time.RFC3339)
				rendered[slot]++
				// Each data version differs (below), so every slot renders; the
				// bytes differ per slot.
				return []byte("workbook for " + slot), nil
			}}
	}
	a, b := mk(s1, "a"), mk(s2, "b")
	const minutes = 12
	for m := 1; m <= minutes; m++ {
		clk.set(t0.Add(time.Duration(m)*time.Minute + 20*time.Second))
		if err := s1.SetSetting(ctx, "tick", fmt.Sprint(m)); err != nil { // new data each minute
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, sc := range []*schedule.Scheduler{a, b} {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = sc.Pass(ctx) }()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
	}
	runs, err := s1.Runs(ctx, sch.ID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != minutes {
		t.Fatalf("%d runs, want %d", len(runs), minutes)
	}
	by := map[string]int{}
	for _, r := range runs {
		if r.Status != schedule.StatusSucceeded {
			t.Errorf("run %d: %s %s", r.ID, r.Status, r.Error)
		}
		by[r.ClaimedBy]++
	}
	for slot, n := range rendered {
		if n != 1 {
			t.Errorf("slot %s rendered %d times", slot, n)
		}
	}
	if len(rendered) != minutes {
		t.Errorf("%d slots rendered, want %d", len(rendered), minutes)
	}
	t.Logf("runs claimed by process: %v", by)
}
