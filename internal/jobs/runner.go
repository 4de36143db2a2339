// Package jobs runs durable background work recorded in the database.
//
// A job (access.Job) is a row in the jobs table: a kind, a Ref naming what
// it works on, a JSON payload, and a status that moves queued → running →
// done | failed | cancelled. Any process with a Runner may run any job;
// none is lost when a process stops:
//
//   - On PostgreSQL, runners claim jobs with FOR UPDATE SKIP LOCKED, so
//     several processes share one queue and each job runs once; a running
//     job holds a lease it extends every Lease/3, and a job whose lease has
//     passed (its process crashed) is claimed again.
//   - On SQLite one job runs at a time across every process on the file
//     (a CLI import and a running serve take turns); a job whose owner
//     process is gone is claimed again.
//   - On SIGTERM (ctx cancelled) a running job is cancelled and put back in
//     the queue, not failed: the next runner resumes it.
//
// Using it: register a handler per kind, then Run until the context ends.
//
//	r := &jobs.Runner{Queue: store, Log: log}
//	r.Register(access.JobImport, imports.RunImportJob)
//	r.Register(schedule.JobReportRun, sc.RunReportJob) // another kind, same queue
//	r.RegisterRetrying(alerts.JobDeliver, hooks.RunDeliveryJob,
//		jobs.Retry{MaxAttempts: 8, Backoff: 30 * time.Second}) // failures retried with backoff
//	go r.Run(ctx)
//
// A handler gets the job and a progress function; it returns nil (done) or
// an error (failed; an administrator may retry it). A kind registered with
// a Retry policy (RegisterRetrying) is not failed at once: its job goes
// back to the queue, due after a backoff that doubles with each failed
// attempt, until its attempts are spent (a shutdown is no attempt spent
// in vain: the job resumes, though Attempts counts the claim). Its context is
// cancelled with cause access.ErrJobCancelled when an administrator cancels
// the job, and access.ErrShutdown when the process stops; a handler must
// leave its work all-or-nothing (one transaction) so that either may
// happen at any point. Work is enqueued with the store's EnqueueJob (or, for
// uploads, together with the upload by CreateUpload). Finished jobs are
// deleted after Keep.
package jobs

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
)

// Handler does one job. progress records how far it has got (rows read).
type Handler func(ctx context.Context, j access.Job, progress func(n int64)) error

// Runner claims jobs from Queue and runs them with the handler of their kind.
type Runner struct {
	Queue access.JobQueue
	// Owner names this process in the jobs table (default
	// access.ProcessOwner()).
	Owner string
	// Workers is how many jobs run at once in this process (default 1;
	// on SQLite the queue runs one at a time whatever this says).
	Workers int
	// Lease is how long a claimed job is this runner's without a
	// heartbeat (default 30 s); Poll how often an idle worker looks for
	// work (default 1 s); Keep how long finished jobs are kept (default
	// 7 days).
	Lease, Poll, Keep time.Duration
	// Timeout, if set, bounds one run of a job: past it the handler's
	// context ends with context.DeadlineExceeded (a failure, retryable).
	Timeout time.Duration
	Log     *slog.Logger

	mu       sync.Mutex
	handlers map[string]Handler
	retries  map[string]Retry
	progress sync.Map // job id → *atomic.Int64, for the jobs running here
	cancels  sync.Map // job id → context.CancelCauseFunc, for the jobs running here
	wake     chan struct{}
}

// Register sets the handler of kind. Register every kind before Run.
func (r *Runner) Register(kind string, h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.handlers == nil {
		r.handlers = map[string]Handler{}
	}
	r.handlers[kind] = h
}

// Retry is how the failed jobs of a kind are tried again.
type Retry struct {
	// MaxAttempts counts every run of a job, the first included; a job
	// that fails on its last attempt is failed (an administrator may
	// still retry it). 1 or less: never retried.
	MaxAttempts int
	// Backoff is the wait after the first failure (default 1 minute); it
	// doubles with each later one, up to MaxBackoff (default 1 hour).
	Backoff, MaxBackoff time.Duration
}

// Delay is the wait before the attempt after failed attempt n (n ≥ 1).
func (p Retry) Delay(n int) time.Duration {
	b, most := p.Backoff, p.MaxBackoff
	if b <= 0 {
		b = time.Minute
	}
	if most <= 0 {
		most = time.Hour
	}
	d := b << min(max(n-1, 0), 30)
	if d <= 0 || d > most {
		d = most
	}
	return d
}

// RegisterRetrying sets the handler of kind and how its failed jobs are
// retried.
func (r *Runner) RegisterRetrying(kind string, h Handler, p Retry) {
	r.Register(kind, h)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.retries == nil {
		r.retries = map[string]Retry{}
	}
	r.retries[kind] = p
}

func (r *Runner) retry(kind string) (Retry, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.retries[kind]
	return p, ok
}

func (r *Runner) kinds() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.handlers))
	for k := range r.handlers {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (r *Runner) handler(kind string) Handler {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.handlers[kind]
}

func (r *Runner) defaults() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Owner == "" {
		r.Owner = access.ProcessOwner()
	}
	if r.Workers <= 0 {
		r.Workers = 1
	}
	if r.Lease <= 0 {
		r.Lease = 30 * time.Second
	}
	if r.Poll <= 0 {
		r.Poll = time.Second
	}
	if r.Keep <= 0 {
		r.Keep = 7 * 24 * time.Hour
	}
	if r.Log == nil {
		r.Log = slog.New(slog.DiscardHandler)
	}
	if r.wake == nil {
		r.wake = make(chan struct{}, 1)
	}
}

// Wake tells an idle worker to look for work now (a job was just enqueued).
func (r *Runner) Wake() {
	r.defaults()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// CancelLocal cancels job id if it runs in this process, so that it stops
// (and its transaction rolls back) at once rather than at its next
// heartbeat; on SQLite that also frees the write lock that recording the
// cancellation needs. It reports whether the job was running here.
func (r *Runner) CancelLocal(id int64) bool {
	v, ok := r.cancels.Load(id)
	if ok {
		v.(context.CancelCauseFunc)(access.ErrJobCancelled)
	}
	return ok
}

// Progress reports the progress of a job running in this process.
func (r *Runner) Progress(id int64) (int64, bool) {
	v, ok := r.progress.Load(id)
	if !ok {
		return 0, false
	}
	return v.(*atomic.Int64).Load(), true
}

// Run claims and runs jobs until ctx ends, then puts back in the queue the
// jobs it was running (after their handlers return) and returns.
func (r *Runner) Run(ctx context.Context) error {
	r.defaults()
	var wg sync.WaitGroup
	for range r.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.work(ctx)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.purge(ctx)
	}()
	wg.Wait()
	return nil
}

func (r *Runner) work(ctx context.Context) {
	for ctx.Err() == nil {
		j, ok, err := r.Queue.Claim(ctx, r.Owner, r.kinds(), r.Lease)
		if err != nil && ctx.Err() == nil {
			r.Log.Warn("cannot claim a job", "err", err)
		}
		if ok {
			r.runClaimed(ctx, j)
			continue
		}
		select {
		case <-ctx.Done():
		case <-r.wake:
		case <-time.After(r.Poll):
		}
	}
}

// runClaimed runs a job this runner holds, keeps its lease and progress
// up to date, and records how it ended.
func (r *Runner) runClaimed(parent context.Context, j access.Job) {
	h := r.handler(j.Kind)
	bg := context.WithoutCancel(parent)
	if h == nil {
		_ = r.Queue.Complete(bg, j.ID, r.Owner, access.JobFailed, "no handler for job kind "+j.Kind)
		return
	}
	ctx, cancel := context.WithCancelCause(bg)
	defer cancel(nil)
	hctx := ctx
	if r.Timeout > 0 {
		var stopTimer context.CancelFunc
		hctx, stopTimer = context.WithTimeout(ctx, r.Timeout)
		defer stopTimer()
	}
	stop := context.AfterFunc(parent, func() { cancel(access.ErrShutdown) })
	defer stop()

	r.cancels.Store(j.ID, cancel)
	defer r.cancels.Delete(j.ID)
	var done atomic.Int64
	done.Store(j.Progress)
	r.progress.Store(j.ID, &done)
	defer r.progress.Delete(j.ID)

	beat := make(chan struct{})
	go func() {
		defer close(beat)
		t := time.NewTicker(r.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				err := r.Queue.Heartbeat(bg, j.ID, r.Owner, r.Lease, done.Load())
				if errors.Is(err, access.ErrJobLost) {
					cur, jerr := r.Queue.Job(bg, j.ID)
					if jerr == nil && cur.Status == access.JobCancelled {
						cancel(access.ErrJobCancelled)
					} else {
						cancel(access.ErrJobLost)
					}
					return
				}
				if err != nil {
					r.Log.Warn("job heartbeat failed", "job_id", j.ID, "err", err)
				}
			}
		}
	}()
	start := time.Now()
	err := h(hctx, j, func(n int64) { done.Store(n) })
	cause := context.Cause(ctx)
	cancel(nil)
	<-beat
	log := r.Log.With("job_id", j.ID, "kind", j.Kind, "ref", j.Ref, "elapsed", time.Since(start))
	switch {
	case err == nil:
		// Done, whatever happened to the context after.
		if cerr := r.Queue.Complete(bg, j.ID, r.Owner, access.JobDone, ""); cerr != nil {
			log.Warn("cannot record a finished job", "err", cerr)
		}
		log.Info("job done")
	case errors.Is(cause, access.ErrShutdown):
		// Not a failure: back to the queue, resumed by the next runner.
		if rerr := r.Queue.Release(bg, j.ID, r.Owner); rerr != nil {
			log.Warn("cannot put an interrupted job back in the queue", "err", rerr)
		}
		log.Info("job interrupted by shutdown; queued again")
	case errors.Is(cause, access.ErrJobCancelled):
		// Recorded by whoever cancelled it; if that did not happen (the
		// job had just finished, say), this makes sure it is not left
		// running: a no-op when the row is no longer this runner's.
		_ = r.Queue.Complete(bg, j.ID, r.Owner, access.JobCancelled, access.ErrJobCancelled.Error())
		log.Info("job stopped", "cause", cause)
	case errors.Is(cause, access.ErrJobLost):
		log.Info("job stopped", "cause", cause)
	default:
		if p, ok := r.retry(j.Kind); ok && j.Attempts < p.MaxAttempts {
			next := time.Now().Add(p.Delay(j.Attempts))
			if rerr := r.Queue.Requeue(bg, j.ID, r.Owner, next, err.Error()); rerr != nil {
				log.Warn("cannot queue a failed job again", "err", rerr)
			}
			log.Warn("job failed; queued again", "err", err, "attempt", j.Attempts, "next", next)
			return
		}
		if cerr := r.Queue.Complete(bg, j.ID, r.Owner, access.JobFailed, err.Error()); cerr != nil {
			log.Warn("cannot record a failed job", "err", cerr)
		}
		log.Warn("job failed", "err", err)
	}
}

// RunNow claims job id and runs it in the calling goroutine, waiting up to
// wait (for ever when wait is 0) while the queue cannot give it: on SQLite
// while another job runs. ran reports whether it ran here; the job is
// returned as it ended, or as it stands when it did not run here (already
// finished, or left queued for a runner after wait).
func (r *Runner) RunNow(ctx context.Context, id int64, wait time.Duration) (j access.Job, ran bool, err error) {
	r.defaults()
	var deadline time.Time
	if wait > 0 {
		deadline = time.Now().Add(wait)
	}
	for {
		j, ok, err := r.Queue.ClaimID(ctx, id, r.Owner, r.Lease)
		if err != nil {
			return j, false, err
		}
		if ok {
			r.runClaimed(ctx, j)
			j, err = r.Queue.Job(context.WithoutCancel(ctx), id)
			return j, true, err
		}
		if j.Finished() || !deadline.IsZero() && time.Now().After(deadline) {
			return j, false, nil
		}
		select {
		case <-ctx.Done():
			return j, false, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Drain claims and runs, in the calling goroutine, the jobs of kinds that
// are due now, one after another, until none is left or ctx ends; it
// returns how many it ran. A job it requeues for later is not run again.
// At most limit jobs are run (no limit when limit ≤ 0).
func (r *Runner) Drain(ctx context.Context, limit int, kinds ...string) (int, error) {
	r.defaults()
	n := 0
	for ctx.Err() == nil && (limit <= 0 || n < limit) {
		j, ok, err := r.Queue.Claim(ctx, r.Owner, kinds, r.Lease)
		if err != nil || !ok {
			return n, err
		}
		r.runClaimed(ctx, j)
		n++
	}
	return n, ctx.Err()
}

func (r *Runner) purge(ctx context.Context) {
	for {
		if n, err := r.Queue.PurgeJobs(ctx, time.Now().Add(-r.Keep)); err != nil && ctx.Err() == nil {
			r.Log.Warn("cannot purge finished jobs", "err", err)
		} else if n > 0 {
			r.Log.Info("purged finished jobs", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Hour):
		}
	}
}
