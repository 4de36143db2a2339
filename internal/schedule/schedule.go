// Package schedule runs report packs on a schedule.
//
// A Schedule is data (a cron spec read in a time zone, a scope, the years
// and the need model). The Scheduler, started by "reliefgap serve", wakes
// every Tick, works out each enabled schedule's latest occurrence (its
// slot) and claims it by inserting the run's (schedule_id, slot) row, which
// the database keeps unique: on PostgreSQL several serve processes may run
// schedulers and each occurrence still runs exactly once, by whichever
// process inserted the row. On SQLite one process is assumed (SQLite is
// the single-node default), though the claim would hold there too.
//
// A run whose inputs (the data version) have not changed since the last
// successful run of the same schedule records "unchanged" and points at
// that run's file. A failed run is retried with exponential backoff by
// claiming its row again (a conditional update, so once). Files are kept in
// the database's blob store, so a backup holds them, and only the newest
// KeepRuns runs of a schedule are kept.
//
// Each claimed attempt renders through a durable job of kind JobReportRun
// on the shared job runner (internal/jobs): the claim decides that the
// attempt happens, once; the job makes sure it finishes. A render
// interrupted by a shutdown goes back to the job queue and is resumed by
// the next runner, in this process or another, rather than lost.
package schedule

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/reliefgap/reliefgap/internal/access"
)

// Scope is what a schedule reports on.
type Scope string

const (
	ScopeCountry Scope = "country" // Target: ISO3
	ScopeRegion  Scope = "region"  // Target: a WHO region
	ScopeIncome  Scope = "income"  // Target: a World Bank income group
	ScopeWorld   Scope = "world"   // no target
)

// Years modes.
const (
	YearsFixed  = "fixed"  // YearFrom..YearTo (a group report: YearTo)
	YearsLatest = "latest" // the latest LatestN years with data (a group report: the latest)
)

// Schedule is one scheduled report.
type Schedule struct {
	ID        int64
	Name      string
	Cron      string // five fields (minute hour day month weekday) or a descriptor such as @daily
	TimeZone  string // IANA name; "UTC" when empty
	Scope     Scope
	Target    string
	YearsMode string
	YearFrom  int
	YearTo    int
	LatestN   int
	Model     string
	Enabled   bool
	KeepRuns  int // runs kept, newest first (default 30)
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Run statuses.
const (
	StatusRunning   = "running"
	StatusSucceeded = "succeeded"
	StatusUnchanged = "unchanged" // inputs unchanged since SameAs, whose file it serves
	StatusFailed    = "failed"    // retried at NextAttemptAt; none when attempts are spent
)

// Run is one run of a schedule for one slot.
type Run struct {
	ID            int64
	ScheduleID    int64
	Slot          time.Time // the occurrence it ran for; a manual run's is its start
	StartedAt     time.Time
	FinishedAt    *time.Time
	Status        string
	Error         string
	Attempt       int
	NextAttemptAt *time.Time
	ClaimedBy     string
	DataVersion   int64
	Filename      string
	FileSHA256    string
	Size          int64
	SameAs        int64 // for unchanged: the run whose file this is
}

// parser reads five-field specs and descriptors (@daily, @every 1h).
var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Normalize fills defaults and checks s, returning an Invalid error naming
// the first problem.
func (s *Schedule) Normalize() error {
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" || len(s.Name) > 200 {
		return access.Errorf(access.Invalid, "schedule", "a name of 1 to 200 characters is needed")
	}
	if s.TimeZone == "" {
		s.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil {
		return access.Errorf(access.Invalid, "schedule", "unknown time zone %q", s.TimeZone)
	}
	if strings.HasPrefix(strings.TrimSpace(s.Cron), "TZ=") || strings.HasPrefix(strings.TrimSpace(s.Cron), "CRON_TZ=") {
		return access.Errorf(access.Invalid, "schedule", "give the time zone in time_zone, not in the cron spec")
	}
	if _, err := parser.Parse(s.Cron); err != nil {
		return access.Errorf(access.Invalid, "schedule", "cron spec %q: %v", s.Cron, err)
	}
	s.Target = strings.ToUpper(strings.TrimSpace(s.Target))
	switch s.Scope {
	case ScopeCountry:
		if len(s.Target) != 3 {
			return access.Errorf(access.Invalid, "schedule", "a country schedule needs an ISO3 target")
		}
	case ScopeRegion:
		if !contains(access.WHORegions, s.Target) {
			return access.Errorf(access.Invalid, "schedule", "unknown WHO region %q", s.Target)
		}
	case ScopeIncome:
		if !contains(access.IncomeGroups, s.Target) {
			return access.Errorf(access.Invalid, "schedule", "unknown income group %q", s.Target)
		}
	case ScopeWorld:
		s.Target = ""
	default:
		return access.Errorf(access.Invalid, "schedule", "scope must be country, region, income or world, not %q", s.Scope)
	}
	switch s.YearsMode {
	case "", YearsLatest:
		s.YearsMode = YearsLatest
		if s.LatestN == 0 {
			s.LatestN = 1
		}
		if s.LatestN < 1 || s.LatestN > 50 {
			return access.Errorf(access.Invalid, "schedule", "latest_n must be between 1 and 50")
		}
	case YearsFixed:
		if s.YearTo < 1900 || s.YearTo > 2100 || s.YearFrom != 0 && (s.YearFrom < 1900 || s.YearFrom > s.YearTo) {
			return access.Errorf(access.Invalid, "schedule", "fixed years need 1900 ≤ year_from ≤ year_to ≤ 2100")
		}
		if s.YearFrom == 0 {
			s.YearFrom = s.YearTo
		}
	default:
		return access.Errorf(access.Invalid, "schedule", "years must be fixed or latest, not %q", s.YearsMode)
	}
	if len(s.Model) > 64 {
		return access.Errorf(access.Invalid, "schedule", "model name too long")
	}
	if s.KeepRuns == 0 {
		s.KeepRuns = 30
	}
	if s.KeepRuns < 1 || s.KeepRuns > 1000 {
		return access.Errorf(access.Invalid, "schedule", "keep_runs must be between 1 and 1000")
	}
	return nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// LatestSlot is the latest occurrence of s at or before now and after
// since (the schedule's creation or last change, so that a new schedule
// does not run for an occurrence before it existed); ok is false when
// there is none. Occurrences are computed in the schedule's time zone and
// returned in UTC.
func (s Schedule) LatestSlot(since, now time.Time) (time.Time, bool, error) {
	spec, err := parser.Parse(s.Cron)
	if err != nil {
		return time.Time{}, false, err
	}
	loc, err := time.LoadLocation(or(s.TimeZone, "UTC"))
	if err != nil {
		return time.Time{}, false, err
	}
	// Look back at most a day: an occurrence missed for longer is not
	// made up, the next one runs.
	from := now.Add(-24 * time.Hour)
	if since.After(from) {
		from = since
	}
	var last time.Time
	t := from.In(loc)
	for i := 0; i < 100_000; i++ {
		n := spec.Next(t)
		if n.IsZero() || n.After(now) {
			break
		}
		last, t = n, n
	}
	if last.IsZero() {
		return time.Time{}, false, nil
	}
	return last.UTC(), true, nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Filename is the file name of a run's workbook.
func (s Schedule) Filename(slot time.Time) string {
	t := s.Target
	if t == "" {
		t = "WLD"
	}
	return fmt.Sprintf("reliefgap-%s-%s-%s.xlsx", s.Scope, t, slot.UTC().Format("20060102T1504Z"))
}

// Store is what the scheduler needs of the database.
type Store interface {
	Schedules(ctx context.Context) ([]Schedule, error)
	Schedule(ctx context.Context, id int64) (Schedule, error)
	// ClaimSlot inserts the run of (schedule, slot) as running, claimed by
	// who; ok is false when the row exists (another process claimed it).
	ClaimSlot(ctx context.Context, scheduleID int64, slot time.Time, who string, now time.Time) (Run, bool, error)
	// ClaimRetries claims failed runs due for another attempt (and running
	// runs started before stale, whose process died), one conditional
	// update each, and returns those this caller won.
	ClaimRetries(ctx context.Context, who string, now, stale time.Time) ([]Run, error)
	// LastSuccess is the newest succeeded run of a schedule; ok false if none.
	LastSuccess(ctx context.Context, scheduleID int64) (Run, bool, error)
	// FinishRun records a run's outcome; data, when not nil, is put in the
	// blob store under r.FileSHA256 in the same transaction.
	FinishRun(ctx context.Context, r Run, data []byte) error
	// PruneRuns removes all but the newest keep runs of a schedule, and the
	// files no remaining run or upload uses.
	PruneRuns(ctx context.Context, scheduleID int64, keep int) (int, error)
	DataVersion(ctx context.Context) (int64, error)
	// Run returns one run.
	Run(ctx context.Context, id int64) (Run, error)
	// EnqueueJob records a queued job and sets its ID.
	EnqueueJob(ctx context.Context, j *access.Job) error
	access.JobQueue
}
