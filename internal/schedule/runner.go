package schedule

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/jobs"
	"github.com/reliefgap/reliefgap/reports"
)

// JobReportRun is the kind of the durable job that renders one attempt of
// a scheduled run; its Ref is RunRef(run id).
const JobReportRun = "report.run"

// RunRef is the Ref of the job that renders run id.
func RunRef(id int64) string { return "report-run:" + strconv.FormatInt(id, 10) }

// reportJob is the payload of a JobReportRun job: the attempt it renders,
// so that a job outlived by a later claim of the same run does nothing.
type reportJob struct {
	Attempt int `json:"attempt"`
}

// Renderer makes the workbook of one run of a schedule.
type Renderer func(ctx context.Context, s Schedule) ([]byte, error)

// Scheduler claims and runs the occurrences of every enabled schedule.
type Scheduler struct {
	Store  Store
	Render Renderer
	Log    *slog.Logger
	// Instance names this process in claimed_by (host and pid by default).
	Instance string
	// Tick is how often schedules are looked at (30 s by default).
	Tick time.Duration
	// MaxAttempts bounds the attempts of a failing run (5 by default);
	// attempt n+1 waits Backoff × 2^(n−1), at most an hour.
	MaxAttempts int
	Backoff     time.Duration // 1 minute by default
	// StaleAfter: a run still "running" after this long is taken to have
	// lost its process and is claimed again (1 hour by default).
	StaleAfter time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// OnFinish, if set, is told of every finished run (for feeds).
	OnFinish func(Schedule, Run)
	// Runner runs the JobReportRun jobs (Register adds their handler);
	// when nil, the Scheduler makes one of its own on Store. Wait is how
	// long Pass and RunNow wait for the job queue to take a render in
	// this goroutine (on SQLite, while another job runs) before leaving it
	// to the runner (1 minute by default).
	Runner *jobs.Runner
	Wait   time.Duration

	once sync.Once
}

// Register adds the JobReportRun handler to r.
func (s *Scheduler) Register(r *jobs.Runner) {
	r.Register(JobReportRun, s.RunReportJob)
}

func (s *Scheduler) defaults() { s.once.Do(s.setDefaults) }

func (s *Scheduler) setDefaults() {
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	if s.Instance == "" {
		h, _ := os.Hostname()
		s.Instance = fmt.Sprintf("%s-%d", h, os.Getpid())
	}
	if s.Tick <= 0 {
		s.Tick = 30 * time.Second
	}
	if s.MaxAttempts <= 0 {
		s.MaxAttempts = 5
	}
	if s.Backoff <= 0 {
		s.Backoff = time.Minute
	}
	if s.StaleAfter <= 0 {
		s.StaleAfter = time.Hour
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Wait <= 0 {
		s.Wait = time.Minute
	}
	if s.Runner == nil {
		s.Runner = &jobs.Runner{Queue: s.Store, Log: s.Log}
		s.Register(s.Runner)
	}
}

// Run looks at the schedules every Tick until ctx ends.
func (s *Scheduler) Run(ctx context.Context) error {
	s.defaults()
	t := time.NewTicker(s.Tick)
	defer t.Stop()
	for {
		if err := s.Pass(ctx); err != nil && ctx.Err() == nil {
			s.Log.ErrorContext(ctx, "scheduled reports", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Pass claims and runs, one after another, every due occurrence this
// process wins and every failed run due for another attempt.
func (s *Scheduler) Pass(ctx context.Context) error {
	s.defaults()
	now := s.Now().UTC()
	all, err := s.Store.Schedules(ctx)
	if err != nil {
		return err
	}
	byID := map[int64]Schedule{}
	for _, sch := range all {
		byID[sch.ID] = sch
		if !sch.Enabled {
			continue
		}
		since := sch.CreatedAt
		if sch.UpdatedAt.After(since) {
			since = sch.UpdatedAt
		}
		slot, ok, err := sch.LatestSlot(since, now)
		if err != nil {
			s.Log.WarnContext(ctx, "schedule with a bad spec", "schedule", sch.ID, "err", err)
			continue
		}
		if !ok {
			continue
		}
		run, won, err := s.Store.ClaimSlot(ctx, sch.ID, slot, s.Instance, now)
		if err != nil {
			return err
		}
		if won {
			if _, err := s.dispatch(ctx, run); err != nil {
				return err
			}
		}
	}
	retries, err := s.Store.ClaimRetries(ctx, s.Instance, now, now.Add(-s.StaleAfter))
	if err != nil {
		return err
	}
	for _, r := range retries {
		if _, ok := byID[r.ScheduleID]; ok {
			if _, err := s.dispatch(ctx, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// dispatch hands a claimed attempt of a run to a JobReportRun job and
// runs that job here, waiting up to Wait for the queue; a job not taken in
// time stays queued for the runner. It returns the run as it stands after.
// A run whose job cannot be queued is recorded failed (retried later).
func (s *Scheduler) dispatch(ctx context.Context, run Run) (Run, error) {
	p, _ := json.Marshal(reportJob{Attempt: run.Attempt})
	j := access.Job{Kind: JobReportRun, Ref: RunRef(run.ID), Payload: p}
	if err := s.Store.EnqueueJob(ctx, &j); err != nil {
		t := s.Now().UTC()
		run.FinishedAt = &t
		s.failed(&run, err)
		return run, errors.Join(err, s.Store.FinishRun(context.WithoutCancel(ctx), run, nil))
	}
	if _, _, err := s.Runner.RunNow(ctx, j.ID, s.Wait); err != nil {
		return run, err
	}
	return s.Store.Run(context.WithoutCancel(ctx), run.ID)
}

// RunReportJob is the handler of JobReportRun jobs: it renders the attempt
// of the run the job names, unless the run was settled or claimed again
// since (or its schedule deleted). A render stopped by a shutdown leaves
// the run running and returns, so the job is resumed; one stopped by an
// administrator's cancellation is recorded failed.
func (s *Scheduler) RunReportJob(ctx context.Context, j access.Job, _ func(int64)) error {
	s.defaults()
	ref, ok := strings.CutPrefix(j.Ref, "report-run:")
	id, err := strconv.ParseInt(ref, 10, 64)
	var p reportJob
	if !ok || err != nil || json.Unmarshal(j.Payload, &p) != nil {
		return access.Errorf(access.Invalid, "RunReportJob", "job %d is not a report run (%q)", j.ID, j.Ref)
	}
	run, err := s.Store.Run(ctx, id)
	if access.ErrorCode(err) == access.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if run.Status != StatusRunning || run.Attempt != p.Attempt {
		return nil // finished before an interruption, or taken over
	}
	sch, err := s.Store.Schedule(ctx, run.ScheduleID)
	if access.ErrorCode(err) == access.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = s.execute(ctx, sch, run)
	return err
}

// RunNow runs schedule id at once (enabled or not), for the slot now.
func (s *Scheduler) RunNow(ctx context.Context, id int64) (Run, error) {
	s.defaults()
	if _, err := s.Store.Schedule(ctx, id); err != nil {
		return Run{}, err
	}
	now := s.Now().UTC()
	run, won, err := s.Store.ClaimSlot(ctx, id, now.Truncate(time.Second), s.Instance, now)
	if err != nil {
		return Run{}, err
	}
	if !won {
		return Run{}, access.Errorf(access.Conflict, "schedule", "schedule %d is already running for this second", id)
	}
	return s.dispatch(ctx, run)
}

// execute makes the run's file (or finds its inputs unchanged), records the
// outcome and prunes old runs. When ctx is stopped by a shutdown (or the
// job was lost to another runner) it records nothing and returns the
// cause: the job resumes the run.
func (s *Scheduler) execute(ctx context.Context, sch Schedule, run Run) (Run, error) {
	log := s.Log.With("schedule", sch.ID, "run", run.ID, "slot", run.Slot, "attempt", run.Attempt)
	stopped := func() error {
		cause := context.Cause(ctx)
		if errors.Is(cause, access.ErrShutdown) || errors.Is(cause, access.ErrJobLost) {
			return cause
		}
		return nil
	}
	fin := func(data []byte) Run {
		ctx := context.WithoutCancel(ctx)
		t := s.Now().UTC()
		run.FinishedAt = &t
		if err := s.Store.FinishRun(ctx, run, data); err != nil {
			log.ErrorContext(ctx, "recording a scheduled run", "err", err)
			if data == nil {
				return run
			}
			// The file could not be stored (disk full, say): record the
			// run failed with the error, to be retried, rather than leave
			// it running.
			s.failed(&run, fmt.Errorf("storing the file: %w", err))
			run.Filename, run.FileSHA256, run.Size = "", "", 0
			if err := s.Store.FinishRun(ctx, run, nil); err != nil {
				log.ErrorContext(ctx, "recording a scheduled run", "err", err)
				return run
			}
		}
		if s.OnFinish != nil {
			s.OnFinish(sch, run)
		}
		if n, err := s.Store.PruneRuns(ctx, sch.ID, sch.KeepRuns); err != nil {
			log.WarnContext(ctx, "pruning scheduled runs", "err", err)
		} else if n > 0 {
			log.InfoContext(ctx, "pruned scheduled runs", "removed", n)
		}
		return run
	}
	finish := func(data []byte) (Run, error) { return fin(data), nil }
	failed := func(err error) (Run, error) {
		if cause := stopped(); cause != nil {
			log.InfoContext(ctx, "scheduled report interrupted; its job resumes it", "cause", cause)
			return run, cause
		}
		cancelled := errors.Is(context.Cause(ctx), access.ErrJobCancelled)
		if cancelled {
			err = access.ErrJobCancelled
		}
		s.failed(&run, err)
		if cancelled {
			run.NextAttemptAt = nil // an administrator's decision: not retried
		}
		return finish(nil)
	}
	v, err := s.Store.DataVersion(ctx)
	if err != nil {
		return failed(err)
	}
	run.DataVersion = v
	if last, ok, err := s.Store.LastSuccess(ctx, sch.ID); err != nil {
		return failed(err)
	} else if ok && last.DataVersion == v && !sch.UpdatedAt.After(last.StartedAt) {
		run.Status, run.SameAs = StatusUnchanged, last.ID
		run.Filename, run.FileSHA256, run.Size = last.Filename, last.FileSHA256, last.Size
		log.InfoContext(ctx, "scheduled report unchanged", "same_as", last.ID, "data_version", v)
		return finish(nil)
	}
	data, err := s.render(ctx, sch)
	if err != nil {
		if stopped() == nil {
			log.WarnContext(ctx, "scheduled report failed", "err", err)
		}
		return failed(err)
	}
	sum := sha256.Sum256(data)
	run.Status, run.Error, run.NextAttemptAt = StatusSucceeded, "", nil
	run.Filename, run.FileSHA256, run.Size = sch.Filename(run.Slot), hex.EncodeToString(sum[:]), int64(len(data))
	log.InfoContext(ctx, "scheduled report ready", "size", run.Size, "data_version", v)
	return finish(data)
}

// render calls Render, turning a panic into an error.
func (s *Scheduler) render(ctx context.Context, sch Schedule) (data []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return s.Render(ctx, sch)
}

// failed marks run failed, due again after the backoff unless its attempts
// are spent. It returns nil: a failed run has no file.
func (s *Scheduler) failed(run *Run, err error) []byte {
	msg := err.Error()
	if len(msg) > 2000 {
		msg = msg[:2000]
	}
	run.Status, run.Error, run.NextAttemptAt = StatusFailed, msg, nil
	if run.Attempt < s.MaxAttempts {
		t := s.retryAt(run.Attempt, s.Now().UTC())
		run.NextAttemptAt = &t
	}
	return nil
}

// retryAt returns when the attempt after attempt n, failed at now, is due.
func (s *Scheduler) retryAt(attempt int, now time.Time) time.Time {
	d := s.Backoff << min(attempt-1, 10)
	if d > time.Hour || d <= 0 {
		d = time.Hour
	}
	return now.Add(d)
}

// LatestYear reports the latest year with published consumption, of one
// country (iso3) or of any ("").
type LatestYear func(ctx context.Context, iso3 string) (int, error)

// NewRenderer renders schedules with the report builder; latest finds the
// years of "latest N" schedules.
func NewRenderer(b *reports.Builder, latest LatestYear) Renderer {
	return func(ctx context.Context, s Schedule) ([]byte, error) {
		from, to := s.YearFrom, s.YearTo
		if s.YearsMode == YearsLatest {
			iso3 := ""
			if s.Scope == ScopeCountry {
				iso3 = s.Target
			}
			y, err := latest(ctx, iso3)
			if err != nil {
				return nil, err
			}
			if y == 0 {
				return nil, access.Errorf(access.NotFound, "schedule", "no published consumption to report on")
			}
			from, to = y-s.LatestN+1, y
		}
		if s.Scope == ScopeCountry {
			r, err := b.CountryReport(ctx, s.Target, from, to, s.Model)
			if err != nil {
				return nil, err
			}
			return reports.CountryReportXLSX(r)
		}
		kind, code := access.GroupWorld, access.WorldCode
		switch s.Scope {
		case ScopeRegion:
			kind, code = access.GroupRegion, s.Target
		case ScopeIncome:
			kind, code = access.GroupIncome, s.Target
		}
		r, err := b.GroupReport(ctx, kind, code, to, s.Model)
		if err != nil {
			return nil, err
		}
		return reports.GroupReportXLSX(r)
	}
}
