package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/jobs"
	"github.com/reliefgap/reliefgap/internal/store"
)

// Owners on another host are always taken to be alive.
const ownerA, ownerB = "elsewhere/1/1", "elsewhere/2/2"

func TestJobQueue(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var ids []int64
		for i := range 3 {
			j := access.Job{Kind: "test", Ref: fmt.Sprintf("thing:%d", i)}
			if err := s.EnqueueJob(ctx, &j); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, j.ID)
		}
		j1, ok, err := s.Claim(ctx, ownerA, []string{"test"}, time.Minute)
		if err != nil || !ok || j1.ID != ids[0] || j1.Status != access.JobRunning || j1.Attempts != 1 {
			t.Fatalf("first claim: %+v %v %v", j1, ok, err)
		}
		j2, ok, err := s.Claim(ctx, ownerB, []string{"test"}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if s.Dialect() == store.SQLite {
			// One job at a time on SQLite, whoever asks.
			if ok {
				t.Fatalf("SQLite gave a second job while one runs: %+v", j2)
			}
		} else if !ok || j2.ID != ids[1] {
			t.Fatalf("second claim: %+v %v", j2, ok)
		}
		if _, ok, _ := s.Claim(ctx, ownerB, []string{"other"}, time.Minute); ok {
			t.Fatal("claimed a job of a kind not asked for")
		}
		if err := s.Heartbeat(ctx, j1.ID, ownerA, time.Minute, 42); err != nil {
			t.Fatal(err)
		}
		if err := s.Heartbeat(ctx, j1.ID, ownerB, time.Minute, 1); !errors.Is(err, access.ErrJobLost) {
			t.Fatalf("heartbeat by a stranger: %v", err)
		}
		if err := s.Complete(ctx, j1.ID, ownerA, access.JobDone, ""); err != nil {
			t.Fatal(err)
		}
		// Cancel the last (queued) job, retry it, cancel a finished one.
		c, err := s.CancelJob(ctx, ids[2])
		if err != nil || c.Status != access.JobCancelled || c.FinishedAt == nil {
			t.Fatalf("cancel: %+v %v", c, err)
		}
		if _, err := s.CancelJob(ctx, ids[0]); access.ErrorCode(err) != access.Conflict {
			t.Fatalf("cancelling a done job: %v", err)
		}
		r, err := s.RetryJob(ctx, ids[2])
		if err != nil || r.Status != access.JobQueued {
			t.Fatalf("retry: %+v %v", r, err)
		}
		if _, err := s.RetryJob(ctx, ids[0]); access.ErrorCode(err) != access.Conflict {
			t.Fatalf("retrying a done job: %v", err)
		}
		// Finished jobs are purged after their time; others stay.
		n, err := s.PurgeJobs(ctx, time.Now().Add(time.Minute))
		if err != nil || n != 1 {
			t.Fatalf("purged %d, %v; want 1", n, err)
		}
		left, err := s.Jobs(ctx, access.JobFilter{})
		if err != nil || len(left) != 2 {
			t.Fatalf("left %+v %v", left, err)
		}
	})
}

// TestInterruptedJobIsResumed: a job whose owner process is gone (SQLite)
// or whose lease ran out (PostgreSQL) is claimed again, and listed as
// interrupted meanwhile.
func TestInterruptedJobIsResumed(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		j := access.Job{Kind: "test", Ref: "thing:1"}
		if err := s.EnqueueJob(ctx, &j); err != nil {
			t.Fatal(err)
		}
		host, _ := os.Hostname()
		dead := fmt.Sprintf("%s/%d/1", host, deadPID(t))
		lease := time.Hour
		if s.Dialect() == store.Postgres {
			lease = time.Millisecond
		}
		if _, ok, err := s.Claim(ctx, dead, []string{"test"}, lease); err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
		time.Sleep(5 * time.Millisecond)
		in, err := s.Interrupted(ctx)
		if err != nil || len(in) != 1 || in[0].ID != j.ID {
			t.Fatalf("interrupted = %+v, %v", in, err)
		}
		got, ok, err := s.Claim(ctx, ownerA, []string{"test"}, time.Minute)
		if err != nil || !ok || got.ID != j.ID || got.Attempts != 2 || got.Owner != ownerA {
			t.Fatalf("resumed claim: %+v %v %v", got, ok, err)
		}
	})
}

// deadPID is the pid of a process that has ended.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// TestRunnersShareQueue: two runners, each with its own connection pool (as
// two processes), work through a queue of uploads: every upload is
// processed, and every job runs exactly once. On PostgreSQL they run side by
// side; on SQLite one at a time.
func TestRunnersShareQueue(t *testing.T) {
	dsns := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "q.db")}
	if pg := os.Getenv("RELIEFGAP_TEST_POSTGRES"); pg != "" {
		dsns["postgres"] = newPostgresDatabase(t, pg)
	}
	for name, dsn := range dsns {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			open := func() *store.Store {
				s, err := store.Open(ctx, dsn, store.Options{Migrate: true})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			}
			s1, s2 := open(), open()
			const uploads = 12
			var ids []int64
			for i := range uploads {
				res, err := newImports(s1).Receive(ctx, access.Operator, "k.csv", []byte(fmt.Sprintf("KEN,%d,morphine,%d", 1990+i, i+1)),
					access.ImportOptions{Kind: access.KindConsumption})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, res.Upload.ID)
			}
			var mu sync.Mutex
			runs := map[int64]int{}
			rctx, stop := context.WithCancel(ctx)
			var wg sync.WaitGroup
			for i, s := range []*store.Store{s1, s2} {
				imp := newImports(s)
				r := &jobs.Runner{Queue: s, Owner: fmt.Sprintf("elsewhere/%d/1", i+1), Poll: 10 * time.Millisecond}
				r.Register(access.JobImport, func(ctx context.Context, j access.Job, p func(int64)) error {
					mu.Lock()
					runs[j.ID]++
					mu.Unlock()
					return imp.RunImportJob(ctx, j, p)
				})
				wg.Add(1)
				go func() { defer wg.Done(); _ = r.Run(rctx) }()
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				done := 0
				for _, id := range ids {
					u, err := s1.Upload(ctx, id)
					if err != nil {
						t.Fatal(err)
					}
					if u.Status == access.StatusSubmitted {
						done++
					}
				}
				if done == uploads {
					break
				}
				if time.Now().After(deadline) {
					for _, id := range ids {
						u, _ := s1.Upload(ctx, id)
						t.Logf("upload %d: %s %s %+v", id, u.Status, u.Reason, u.Problems)
					}
					js, _ := s1.Jobs(ctx, access.JobFilter{})
					for _, j := range js {
						t.Logf("job %d %s: %s, %d attempts, %q", j.ID, j.Ref, j.Status, j.Attempts, j.Error)
					}
					t.Fatalf("%d of %d uploads processed", done, uploads)
				}
				time.Sleep(20 * time.Millisecond)
			}
			stop()
			wg.Wait()
			if len(runs) != uploads {
				t.Fatalf("%d jobs ran, want %d", len(runs), uploads)
			}
			for id, n := range runs {
				if n != 1 {
					t.Fatalf("job %d ran %d times", id, n)
				}
			}
			js, err := s1.Jobs(ctx, access.JobFilter{Status: access.JobDone})
			if err != nil || len(js) != uploads {
				all, _ := s1.Jobs(ctx, access.JobFilter{})
				for _, j := range all {
					t.Logf("job %d %s %s owner %q: %s", j.ID, j.Kind, j.Status, j.Owner, j.Error)
				}
				t.Fatalf("%d jobs done, want %d (%v)", len(js), uploads, err)
			}
		})
	}
}
