package schedule

import (
	"context"
	"fmt"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
)

// ServiceStore is what the Service needs of the database.
type ServiceStore interface {
	CreateSchedule(ctx context.Context, s *Schedule) error
	UpdateSchedule(ctx context.Context, s Schedule) error
	DeleteSchedule(ctx context.Context, id int64) error
	Schedules(ctx context.Context) ([]Schedule, error)
	Schedule(ctx context.Context, id int64) (Schedule, error)
	Runs(ctx context.Context, scheduleID int64, limit int) ([]Run, error)
	Run(ctx context.Context, id int64) (Run, error)
	Blob(ctx context.Context, sha string) ([]byte, error)
	AppendAudit(ctx context.Context, e access.AuditEntry) error
}

// Service manages schedules for administrators; every method refuses
// anyone else.
type Service struct {
	Store     ServiceStore
	Scheduler *Scheduler // runs "run now"
	Now       func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func admin(who access.Principal) error {
	return access.Authorize(who, access.ActManageSchedules, "")
}

// Create checks and stores a new schedule.
func (s *Service) Create(ctx context.Context, who access.Principal, sch Schedule) (Schedule, error) {
	if err := admin(who); err != nil {
		return Schedule{}, err
	}
	if err := sch.Normalize(); err != nil {
		return Schedule{}, err
	}
	sch.ID, sch.CreatedAt, sch.UpdatedAt = 0, s.now(), s.now()
	if err := s.Store.CreateSchedule(ctx, &sch); err != nil {
		return Schedule{}, err
	}
	return sch, s.audit(ctx, who, "schedule.create", sch.ID, sch.Name)
}

// List returns every schedule.
func (s *Service) List(ctx context.Context, who access.Principal) ([]Schedule, error) {
	if err := admin(who); err != nil {
		return nil, err
	}
	return s.Store.Schedules(ctx)
}

// Get returns one schedule.
func (s *Service) Get(ctx context.Context, who access.Principal, id int64) (Schedule, error) {
	if err := admin(who); err != nil {
		return Schedule{}, err
	}
	return s.Store.Schedule(ctx, id)
}

// Update applies change to the stored schedule, checks and saves it. A
// changed schedule's next run renders afresh even if data did not change.
func (s *Service) Update(ctx context.Context, who access.Principal, id int64, change func(*Schedule)) (Schedule, error) {
	if err := admin(who); err != nil {
		return Schedule{}, err
	}
	sch, err := s.Store.Schedule(ctx, id)
	if err != nil {
		return Schedule{}, err
	}
	change(&sch)
	sch.ID = id
	if err := sch.Normalize(); err != nil {
		return Schedule{}, err
	}
	sch.UpdatedAt = s.now()
	if err := s.Store.UpdateSchedule(ctx, sch); err != nil {
		return Schedule{}, err
	}
	return sch, s.audit(ctx, who, "schedule.update", sch.ID, sch.Name)
}

// Delete removes a schedule with its runs and their files.
func (s *Service) Delete(ctx context.Context, who access.Principal, id int64) error {
	if err := admin(who); err != nil {
		return err
	}
	if err := s.Store.DeleteSchedule(ctx, id); err != nil {
		return err
	}
	return s.audit(ctx, who, "schedule.delete", id, "")
}

// audit records an administrator's change to a schedule.
func (s *Service) audit(ctx context.Context, who access.Principal, action string, id int64, detail string) error {
	return s.Store.AppendAudit(ctx, access.AuditEntry{At: s.now(), Actor: who.Name, KeyID: who.KeyID, Role: who.Role,
		Action: action, Target: fmt.Sprintf("schedule:%d", id), Detail: detail})
}

// RunNow runs a schedule at once and returns the run.
func (s *Service) RunNow(ctx context.Context, who access.Principal, id int64) (Run, error) {
	if err := admin(who); err != nil {
		return Run{}, err
	}
	if s.Scheduler == nil {
		return Run{}, access.Errorf(access.Internal, "schedule", "no scheduler is configured")
	}
	return s.Scheduler.RunNow(ctx, id)
}

// Runs lists a schedule's runs, newest first.
func (s *Service) Runs(ctx context.Context, who access.Principal, id int64, limit int) ([]Run, error) {
	if err := admin(who); err != nil {
		return nil, err
	}
	if _, err := s.Store.Schedule(ctx, id); err != nil {
		return nil, err
	}
	return s.Store.Runs(ctx, id, limit)
}

// File returns a run's workbook (for an unchanged run, the earlier file).
func (s *Service) File(ctx context.Context, who access.Principal, runID int64) (Run, []byte, error) {
	if err := admin(who); err != nil {
		return Run{}, nil, err
	}
	r, err := s.Store.Run(ctx, runID)
	if err != nil {
		return Run{}, nil, err
	}
	if r.FileSHA256 == "" {
		return r, nil, access.Errorf(access.NotFound, "schedule", "run %d has no file (status %s)", runID, r.Status)
	}
	b, err := s.Store.Blob(ctx, r.FileSHA256)
	if err != nil {
		return r, nil, err
	}
	return r, b, nil
}
