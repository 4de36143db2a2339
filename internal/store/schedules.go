package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/reliefgap/reliefgap/internal/schedule"
)

type scheduleRow struct {
	ID        int64      `gorm:"column:id;primaryKey"`
	Name      string     `gorm:"column:name"`
	Scope     string     `gorm:"column:scope"`
	Target    string     `gorm:"column:target"`
	Cron      string     `gorm:"column:cron"`
	Enabled   bool       `gorm:"column:enabled"`
	CreatedAt time.Time  `gorm:"column:created_at"`
	TimeZone  string     `gorm:"column:time_zone"`
	YearsMode string     `gorm:"column:years_mode"`
	YearFrom  int        `gorm:"column:year_from"`
	YearTo    int        `gorm:"column:year_to"`
	LatestN   int        `gorm:"column:latest_n"`
	Model     string     `gorm:"column:model"`
	KeepRuns  int        `gorm:"column:keep_runs"`
	UpdatedAt *time.Time `gorm:"column:updated_at;autoUpdateTime:false"`
}

func (scheduleRow) TableName() string { return "report_schedules" }

func scheduleToRow(s schedule.Schedule) scheduleRow {
	r := scheduleRow{ID: s.ID, Name: s.Name, Scope: string(s.Scope), Target: s.Target, Cron: s.Cron, Enabled: s.Enabled,
		CreatedAt: s.CreatedAt.UTC(), TimeZone: s.TimeZone, YearsMode: s.YearsMode, YearFrom: s.YearFrom, YearTo: s.YearTo,
		LatestN: s.LatestN, Model: s.Model, KeepRuns: s.KeepRuns}
	if !s.UpdatedAt.IsZero() {
		t := s.UpdatedAt.UTC()
		r.UpdatedAt = &t
	}
	return r
}

func (r scheduleRow) toDomain() schedule.Schedule {
	s := schedule.Schedule{ID: r.ID, Name: r.Name, Scope: schedule.Scope(r.Scope), Target: r.Target, Cron: r.Cron, Enabled: r.Enabled,
		CreatedAt: r.CreatedAt.UTC(), TimeZone: r.TimeZone, YearsMode: r.YearsMode, YearFrom: r.YearFrom, YearTo: r.YearTo,
		LatestN: r.LatestN, Model: r.Model, KeepRuns: r.KeepRuns}
	if r.UpdatedAt != nil {
		s.UpdatedAt = r.UpdatedAt.UTC()
	}
	return s
}

type runRow struct {
	ID            int64      `gorm:"column:id;primaryKey"`
	ScheduleID    int64      `gorm:"column:schedule_id"`
	Slot          time.Time  `gorm:"column:slot"`
	StartedAt     time.Time  `gorm:"column:started_at"`
	FinishedAt    *time.Time `gorm:"column:finished_at"`
	Status        string     `gorm:"column:status"`
	Output        string     `gorm:"column:output"`
	Error         string     `gorm:"column:error"`
	Attempt       int        `gorm:"column:attempt"`
	NextAttemptAt *time.Time `gorm:"column:next_attempt_at"`
	ClaimedBy     string     `gorm:"column:claimed_by"`
	DataVersion   int64      `gorm:"column:data_version"`
	Filename      string     `gorm:"column:filename"`
	FileSHA256    string     `gorm:"column:file_sha256"`
	Size          int64      `gorm:"column:size"`
	SameAs        *int64     `gorm:"column:same_as"`
}

func (runRow) TableName() string { return "report_runs" }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (r runRow) toDomain() schedule.Run {
	out := schedule.Run{ID: r.ID, ScheduleID: r.ScheduleID, Slot: r.Slot.UTC(), StartedAt: r.StartedAt.UTC(), FinishedAt: utcPtr(r.FinishedAt),
		Status: r.Status, Error: r.Error, Attempt: r.Attempt, NextAttemptAt: utcPtr(r.NextAttemptAt), ClaimedBy: r.ClaimedBy,
		DataVersion: r.DataVersion, Filename: r.Filename, FileSHA256: r.FileSHA256, Size: r.Size}
	if r.SameAs != nil {
		out.SameAs = *r.SameAs
	}
	return out
}

// CreateSchedule stores a new schedule and sets its ID.
func (s *Store) CreateSchedule(ctx context.Context, sch *schedule.Schedule) error {
	r := scheduleToRow(*sch)
	r.ID = 0
	if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
		return translate(err, "store.CreateSchedule")
	}
	sch.ID = r.ID
	return nil
}

// UpdateSchedule saves every field of a schedule but its creation time.
func (s *Store) UpdateSchedule(ctx context.Context, sch schedule.Schedule) error {
	r := scheduleToRow(sch)
	res := s.db.WithContext(ctx).Model(&scheduleRow{ID: sch.ID}).Select("*").Omit("id", "created_at").Updates(&r)
	if res.Error == nil && res.RowsAffected == 0 {
		res.Error = gorm.ErrRecordNotFound
	}
	return translate(res.Error, "store.UpdateSchedule")
}

// DeleteSchedule removes a schedule, its runs and the files only they used.
func (s *Store) DeleteSchedule(ctx context.Context, id int64) error {
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		var shas []string
		if err := tx.Model(&runRow{}).Where("schedule_id = ? AND file_sha256 <> ''", id).Distinct().Pluck("file_sha256", &shas).Error; err != nil {
			return err
		}
		if err := tx.Where("schedule_id = ?", id).Delete(&runRow{}).Error; err != nil {
			return err
		}
		res := tx.Where("id = ?", id).Delete(&scheduleRow{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return gorm.ErrRecordNotFound
		}
		return dropUnusedBlobs(tx, shas)
	})
	return translate(err, "store.DeleteSchedule")
}

// dropUnusedBlobs removes the blobs of shas that no run and no upload uses.
func dropUnusedBlobs(tx *gorm.DB, shas []string) error {
	for _, sha := range shas {
		err := tx.Exec(`DELETE FROM upload_blob_parts WHERE sha256 = ?
			AND NOT EXISTS (SELECT 1 FROM report_runs WHERE file_sha256 = ?)
			AND NOT EXISTS (SELECT 1 FROM uploads WHERE sha256 = ?)`, sha, sha, sha).Error
		if err != nil {
			return err
		}
		err = tx.Exec(`DELETE FROM upload_blobs WHERE sha256 = ?
			AND NOT EXISTS (SELECT 1 FROM report_runs WHERE file_sha256 = ?)
			AND NOT EXISTS (SELECT 1 FROM uploads WHERE sha256 = ?)`, sha, sha, sha).Error
		if err != nil {
			return err
		}
	}
	return nil
}

// Schedules lists every schedule by id.
func (s *Store) Schedules(ctx context.Context) ([]schedule.Schedule, error) {
	var rows []scheduleRow
	if err := s.db.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "store.Schedules")
	}
	out := make([]schedule.Schedule, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// Schedule returns one schedule.
func (s *Store) Schedule(ctx context.Context, id int64) (schedule.Schedule, error) {
	var r scheduleRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return schedule.Schedule{}, translate(err, "store.Schedule")
	}
	return r.toDomain(), nil
}

// ClaimSlot inserts the run of (scheduleID, slot) as running; the unique
// (schedule_id, slot) makes exactly one caller win.
func (s *Store) ClaimSlot(ctx context.Context, scheduleID int64, slot time.Time, who string, now time.Time) (schedule.Run, bool, error) {
	r := runRow{ScheduleID: scheduleID, Slot: slot.UTC(), StartedAt: now.UTC(), Status: schedule.StatusRunning, Attempt: 1, ClaimedBy: who}
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "schedule_id"}, {Name: "slot"}}, DoNothing: true}).Create(&r)
	if res.Error != nil {
		return schedule.Run{}, false, translate(res.Error, "store.ClaimSlot")
	}
	if res.RowsAffected == 0 {
		return schedule.Run{}, false, nil
	}
	return r.toDomain(), true, nil
}

// ClaimRetries claims, one conditional update each, the failed runs due
// again and the running runs started before stale.
func (s *Store) ClaimRetries(ctx context.Context, who string, now, stale time.Time) ([]schedule.Run, error) {
	const due = `(status = 'failed' AND next_attempt_at IS NOT NULL AND next_attempt_at <= ?) OR (status = 'running' AND started_at < ?)`
	db := s.db.WithContext(ctx)
	var ids []int64
	if err := db.Model(&runRow{}).Where(due, now.UTC(), stale.UTC()).Order("id").Limit(100).Pluck("id", &ids).Error; err != nil {
		return nil, translate(err, "store.ClaimRetries")
	}
	var out []schedule.Run
	for _, id := range ids {
		res := db.Model(&runRow{}).Where("id = ? AND ("+due+")", id, now.UTC(), stale.UTC()).Updates(map[string]any{
			"status": schedule.StatusRunning, "attempt": gorm.Expr("attempt + 1"), "claimed_by": who,
			"started_at": now.UTC(), "finished_at": nil, "next_attempt_at": nil,
		})
		if res.Error != nil {
			return out, translate(res.Error, "store.ClaimRetries")
		}
		if res.RowsAffected != 1 {
			continue // another process won it
		}
		var r runRow
		if err := db.Where("id = ?", id).Take(&r).Error; err != nil {
			return out, translate(err, "store.ClaimRetries")
		}
		out = append(out, r.toDomain())
	}
	return out, nil
}

// LastSuccess returns the newest succeeded run of a schedule.
func (s *Store) LastSuccess(ctx context.Context, scheduleID int64) (schedule.Run, bool, error) {
	var rows []runRow
	err := s.db.WithContext(ctx).Where("schedule_id = ? AND status = ?", scheduleID, schedule.StatusSucceeded).Order("id DESC").Limit(1).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return schedule.Run{}, false, translate(err, "store.LastSuccess")
	}
	return rows[0].toDomain(), true, nil
}

// FinishRun records a run's outcome, and its file in the blob store.
func (s *Store) FinishRun(ctx context.Context, r schedule.Run, data []byte) error {
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		if data != nil {
			b := blobRow{SHA256: r.FileSHA256, Size: int64(len(data)), Data: data, CreatedAt: time.Now().UTC()}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&b).Error; err != nil {
				return err
			}
		}
		var sameAs *int64
		if r.SameAs != 0 {
			sameAs = &r.SameAs
		}
		return tx.Model(&runRow{ID: r.ID}).Updates(map[string]any{
			"status": r.Status, "error": r.Error, "finished_at": utcPtr(r.FinishedAt), "next_attempt_at": utcPtr(r.NextAttemptAt),
			"data_version": r.DataVersion, "filename": r.Filename, "file_sha256": r.FileSHA256, "size": r.Size, "same_as": sameAs,
		}).Error
	})
	return translate(err, "store.FinishRun")
}

// PruneRuns keeps the newest keep finished runs of a schedule, removing the
// rest and the files no remaining run or upload uses.
func (s *Store) PruneRuns(ctx context.Context, scheduleID int64, keep int) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		var old []runRow
		if err := tx.Where("schedule_id = ? AND status <> ?", scheduleID, schedule.StatusRunning).Order("id DESC").Offset(keep).Find(&old).Error; err != nil {
			return err
		}
		if len(old) == 0 {
			return nil
		}
		ids := make([]int64, len(old))
		var shas []string
		for i, r := range old {
			ids[i] = r.ID
			if r.FileSHA256 != "" {
				shas = append(shas, r.FileSHA256)
			}
		}
		if err := tx.Model(&runRow{}).Where("same_as IN ?", ids).Update("same_as", nil).Error; err != nil {
			return err
		}
		if err := tx.Where("id IN ?", ids).Delete(&runRow{}).Error; err != nil {
			return err
		}
		n = len(ids)
		return dropUnusedBlobs(tx, shas)
	})
	return n, translate(err, "store.PruneRuns")
}

// Runs lists a schedule's runs, newest first.
func (s *Store) Runs(ctx context.Context, scheduleID int64, limit int) ([]schedule.Run, error) {
	var rows []runRow
	if err := s.db.WithContext(ctx).Where("schedule_id = ?", scheduleID).Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, translate(err, "store.Runs")
	}
	out := make([]schedule.Run, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// Run returns one run.
func (s *Store) Run(ctx context.Context, id int64) (schedule.Run, error) {
	var r runRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return schedule.Run{}, translate(err, "store.Run")
	}
	return r.toDomain(), nil
}

// LatestConsumptionYear is the latest year with published consumption, of
// one country or (iso3 "") of any; 0 when there is none.
func (s *Store) LatestConsumptionYear(ctx context.Context, iso3 string) (int, error) {
	q := s.db.WithContext(ctx).Table("consumption").Where("active")
	if iso3 != "" {
		q = q.Where("iso3 = ?", iso3)
	}
	var y *int
	if err := q.Select("MAX(year)").Row().Scan(&y); err != nil {
		return 0, translate(err, "store.LatestConsumptionYear")
	}
	if y == nil {
		return 0, nil
	}
	return *y, nil
}
