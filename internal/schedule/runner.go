package schedule

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/reports"
)

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
}

func (s *Scheduler) defaults() {
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
			s.execute(ctx, sch, run)
		}
	}
	retries, err := s.Store.ClaimRetries(ctx, s.Instance, now, now.Add(-s.StaleAfter))
	if err != nil {
		return err
	}
	for _, r := range retries {
		if sch, ok := byID[r.ScheduleID]; ok {
			s.execute(ctx, sch, r)
		}
	}
	return nil
}

// RunNow runs schedule id at once (enabled or not), for the slot now.
func (s *Scheduler) RunNow(ctx context.Context, id int64) (Run, error) {
	s.defaults()
	sch, err := s.Store.Schedule(ctx, id)
	if err != nil {
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
	return s.execute(ctx, sch, run), nil
}

// execute makes the run's file (or finds its inputs unchanged), records the
// outcome and prunes old runs.
func (s *Scheduler) execute(ctx context.Context, sch Schedule, run Run) Run {
	log := s.Log.With("schedule", sch.ID, "run", run.ID, "slot", run.Slot, "attempt", run.Attempt)
	finish := func(data []byte) Run {
		t := s.Now().UTC()
		run.FinishedAt = &t
		if err := s.Store.FinishRun(ctx, run, data); err != nil {
			log.ErrorContext(ctx, "recording a scheduled run", "err", err)
			return run
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
	v, err := s.Store.DataVersion(ctx)
	if err != nil {
		return finish(s.failed(&run, err))
	}
	run.DataVersion = v
	if last, ok, err := s.Store.LastSuccess(ctx, sch.ID); err != nil {
		return finish(s.failed(&run, err))
	} else if ok && last.DataVersion == v && !sch.UpdatedAt.After(last.StartedAt) {
		run.Status, run.SameAs = StatusUnchanged, last.ID
		run.Filename, run.FileSHA256, run.Size = last.Filename, last.FileSHA256, last.Size
		log.InfoContext(ctx, "scheduled report unchanged", "same_as", last.ID, "data_version", v)
		return finish(nil)
	}
	data, err := s.render(ctx, sch)
	if err != nil {
		log.WarnContext(ctx, "scheduled report failed", "err", err)
		return finish(s.failed(&run, err))
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
