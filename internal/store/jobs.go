package store

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gorm.io/gorm"

	"github.com/reliefgap/reliefgap/internal/access"
)

type jobRow struct {
	ID         int64  `gorm:"column:id;primaryKey"`
	Kind       string `gorm:"column:kind"`
	Ref        string `gorm:"column:ref"`
	Payload    string `gorm:"column:payload"`
	Status     string `gorm:"column:status"`
	Attempts   int    `gorm:"column:attempts"`
	Owner      string `gorm:"column:owner"`
	LeaseUntil int64  `gorm:"column:lease_until"`
	RunAfter   int64  `gorm:"column:run_after"`
	Progress   int64  `gorm:"column:progress"`
	Error      string `gorm:"column:error"`
	CreatedAt  int64  `gorm:"column:created_at"`
	StartedAt  int64  `gorm:"column:started_at"`
	FinishedAt int64  `gorm:"column:finished_at"`
}

func (jobRow) TableName() string { return "jobs" }

const jobColumns = "id, kind, ref, payload, status, attempts, owner, lease_until, run_after, progress, error, created_at, started_at, finished_at"

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

func optMS(v int64) *time.Time {
	if v == 0 {
		return nil
	}
	t := fromMS(v)
	return &t
}

func (r jobRow) toDomain() access.Job {
	return access.Job{ID: r.ID, Kind: r.Kind, Ref: r.Ref, Payload: []byte(r.Payload), Status: access.JobStatus(r.Status),
		Attempts: r.Attempts, Owner: r.Owner, LeaseUntil: fromMS(r.LeaseUntil), RunAfter: fromMS(r.RunAfter),
		Progress: r.Progress, Error: r.Error, CreatedAt: fromMS(r.CreatedAt), StartedAt: optMS(r.StartedAt), FinishedAt: optMS(r.FinishedAt)}
}

func jobToRow(j access.Job, now time.Time) jobRow {
	p := string(j.Payload)
	if p == "" {
		p = "{}"
	}
	st := j.Status
	if st == "" {
		st = access.JobQueued
	}
	return jobRow{Kind: j.Kind, Ref: j.Ref, Payload: p, Status: string(st), RunAfter: ms(j.RunAfter), CreatedAt: ms(now)}
}

// EnqueueJob records a new queued job and sets its ID.
func (s *Store) EnqueueJob(ctx context.Context, j *access.Job) error {
	return translate(enqueue(s.db.WithContext(ctx), j), "store.EnqueueJob")
}

func enqueue(tx *gorm.DB, j *access.Job) error {
	now := time.Now()
	row := jobToRow(*j, now)
	if err := tx.Create(&row).Error; err != nil {
		return err
	}
	j.ID, j.Status, j.CreatedAt = row.ID, access.JobStatus(row.Status), fromMS(row.CreatedAt)
	return nil
}

// runnable is the condition of a job that may be claimed now: queued and
// due, or running but interrupted. On PostgreSQL an interrupted job is one
// whose lease has passed; on SQLite, one whose owner process is gone (the
// owners are given, found by deadOwners), since an SQLite import holds the
// only write lock and no lease could be extended meanwhile.
func (s *Store) runnable(dead []string) (string, []any) {
	now := ms(time.Now())
	if s.dialect == Postgres {
		return "(status = 'queued' AND run_after <= ? OR status = 'running' AND lease_until < ?)", []any{now, now}
	}
	if len(dead) == 0 {
		return "(status = 'queued' AND run_after <= ?)", []any{now}
	}
	return "(status = 'queued' AND run_after <= ? OR status = 'running' AND owner IN ?)", []any{now, dead}
}

// deadOwners lists the owners of running jobs whose process is gone. Only
// processes on this host can be checked; others are taken to be alive.
func (s *Store) deadOwners(ctx context.Context) ([]string, error) {
	var owners []string
	if err := s.reader().WithContext(ctx).Raw("SELECT DISTINCT owner FROM jobs WHERE status = 'running'").Scan(&owners).Error; err != nil {
		return nil, err
	}
	var dead []string
	for _, o := range owners {
		if !ownerAlive(o) {
			dead = append(dead, o)
		}
	}
	return dead, nil
}

// ownerAlive reports whether the process named by owner (host/pid/start)
// may still be running.
func ownerAlive(owner string) bool {
	parts := strings.Split(owner, "/")
	if len(parts) != 3 {
		return false
	}
	host, _ := os.Hostname()
	if parts[0] != host {
		return true
	}
	if owner == access.ProcessOwner() {
		return true
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil || pid <= 0 {
		return false
	}
	if pid == os.Getpid() {
		return false // an earlier process that had this pid
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}

func (s *Store) claim(ctx context.Context, owner string, lease time.Duration, pick string, pickArgs []any) (access.Job, bool, error) {
	var dead []string
	if s.dialect == SQLite {
		var err error
		if dead, err = s.deadOwners(ctx); err != nil {
			return access.Job{}, false, err
		}
	}
	cond, args := s.runnable(dead)
	now := time.Now()
	q := "UPDATE jobs SET status = 'running', owner = ?, lease_until = ?, attempts = attempts + 1, started_at = ?, error = ''" +
		" WHERE id = (SELECT id FROM jobs WHERE " + cond + " AND " + pick + " ORDER BY id LIMIT 1"
	all := []any{owner, ms(now.Add(lease)), ms(now)}
	all = append(append(all, args...), pickArgs...)
	if s.dialect == Postgres {
		q += " FOR UPDATE SKIP LOCKED)"
	} else {
		// One job at a time across every process on an SQLite file.
		q += ") AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.status = 'running'"
		if len(dead) > 0 {
			q += " AND r.owner NOT IN ?"
			all = append(all, dead)
		}
		q += ")"
	}
	q += " RETURNING " + jobColumns
	var rows []jobRow
	if err := s.db.WithContext(ctx).Raw(q, all...).Scan(&rows).Error; err != nil {
		return access.Job{}, false, err
	}
	if len(rows) == 0 {
		return access.Job{}, false, nil
	}
	return rows[0].toDomain(), true, nil
}

// Claim takes the oldest runnable job of one of kinds for owner.
func (s *Store) Claim(ctx context.Context, owner string, kinds []string, lease time.Duration) (access.Job, bool, error) {
	j, ok, err := s.claim(ctx, owner, lease, "kind IN ?", []any{kinds})
	return j, ok, translate(err, "store.Claim")
}

// ClaimID takes job id for owner if it is runnable now. When it is not,
// the job is returned as it stands with false.
func (s *Store) ClaimID(ctx context.Context, id int64, owner string, lease time.Duration) (access.Job, bool, error) {
	j, ok, err := s.claim(ctx, owner, lease, "id = ?", []any{id})
	if err != nil || ok {
		return j, ok, translate(err, "store.ClaimID")
	}
	j, err = s.Job(ctx, id)
	return j, false, err
}

// Heartbeat extends a running job's lease and records its progress. On
// SQLite, where an import holds the only write lock, it only reads whether
// the job is still the owner's.
func (s *Store) Heartbeat(ctx context.Context, id int64, owner string, lease time.Duration, progress int64) error {
	if s.dialect == SQLite {
		var n int64
		err := s.reader().WithContext(ctx).Raw("SELECT COUNT(*) FROM jobs WHERE id = ? AND owner = ? AND status = 'running'", id, owner).Scan(&n).Error
		if err != nil {
			return translate(err, "store.Heartbeat")
		}
		if n == 0 {
			return access.ErrJobLost
		}
		return nil
	}
	res := s.db.WithContext(ctx).Exec("UPDATE jobs SET lease_until = ?, progress = ? WHERE id = ? AND owner = ? AND status = 'running'",
		ms(time.Now().Add(lease)), progress, id, owner)
	if res.Error != nil {
		return translate(res.Error, "store.Heartbeat")
	}
	if res.RowsAffected == 0 {
		return access.ErrJobLost
	}
	return nil
}

// Complete ends a running job as done or failed.
func (s *Store) Complete(ctx context.Context, id int64, owner string, status access.JobStatus, msg string) error {
	res := s.db.WithContext(ctx).Exec("UPDATE jobs SET status = ?, error = ?, finished_at = ?, lease_until = 0 WHERE id = ? AND owner = ? AND status = 'running'",
		string(status), msg, ms(time.Now()), id, owner)
	if res.Error != nil {
		return translate(res.Error, "store.Complete")
	}
	if res.RowsAffected == 0 {
		return access.ErrJobLost
	}
	return nil
}

// Release puts a running job back in the queue.
func (s *Store) Release(ctx context.Context, id int64, owner string) error {
	err := s.db.WithContext(ctx).Exec("UPDATE jobs SET status = 'queued', owner = '', lease_until = 0 WHERE id = ? AND owner = ? AND status = 'running'",
		id, owner).Error
	return translate(err, "store.Release")
}

// Requeue puts a running job that failed back in the queue, due at
// runAfter, keeping its error and its count of attempts.
func (s *Store) Requeue(ctx context.Context, id int64, owner string, runAfter time.Time, msg string) error {
	res := s.db.WithContext(ctx).Exec("UPDATE jobs SET status = 'queued', owner = '', lease_until = 0, run_after = ?, error = ? WHERE id = ? AND owner = ? AND status = 'running'",
		ms(runAfter), msg, id, owner)
	if res.Error != nil {
		return translate(res.Error, "store.Requeue")
	}
	if res.RowsAffected == 0 {
		return access.ErrJobLost
	}
	return nil
}

// Job returns one job.
func (s *Store) Job(ctx context.Context, id int64) (access.Job, error) {
	var row jobRow
	if err := s.reader().WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return access.Job{}, translate(err, "store.Job")
	}
	return row.toDomain(), nil
}

// Jobs lists jobs, newest first.
func (s *Store) Jobs(ctx context.Context, f access.JobFilter) ([]access.Job, error) {
	q := s.reader().WithContext(ctx).Order("id DESC")
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if f.Ref != "" {
		q = q.Where("ref = ?", f.Ref)
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var rows []jobRow
	if err := q.Limit(limit).Find(&rows).Error; err != nil {
		return nil, translate(err, "store.Jobs")
	}
	out := make([]access.Job, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

func (s *Store) moveJob(ctx context.Context, op string, id int64, set string, args []any, from ...access.JobStatus) (access.Job, error) {
	st := make([]string, len(from))
	for i, f := range from {
		st[i] = string(f)
	}
	res := s.db.WithContext(ctx).Exec("UPDATE jobs SET "+set+" WHERE id = ? AND status IN ?", append(args, id, st)...)
	if res.Error != nil {
		return access.Job{}, translate(res.Error, op)
	}
	j, err := s.Job(ctx, id)
	if err != nil {
		return j, err
	}
	if res.RowsAffected == 0 {
		return j, access.Errorf(access.Conflict, op, "job %d is %s", id, j.Status)
	}
	return j, nil
}

// CancelJob cancels a queued or running job.
func (s *Store) CancelJob(ctx context.Context, id int64) (access.Job, error) {
	return s.moveJob(ctx, "store.CancelJob", id, "status = 'cancelled', finished_at = ?, lease_until = 0", []any{ms(time.Now())},
		access.JobQueued, access.JobRunning)
}

// RetryJob queues a failed or cancelled job again.
func (s *Store) RetryJob(ctx context.Context, id int64) (access.Job, error) {
	return s.moveJob(ctx, "store.RetryJob", id, "status = 'queued', owner = '', finished_at = 0, run_after = ?, error = ''", []any{ms(time.Now())},
		access.JobFailed, access.JobCancelled)
}

// PurgeJobs deletes jobs that finished before t.
func (s *Store) PurgeJobs(ctx context.Context, before time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Exec("DELETE FROM jobs WHERE status IN ('done', 'failed', 'cancelled') AND finished_at > 0 AND finished_at < ?", ms(before))
	return res.RowsAffected, translate(res.Error, "store.PurgeJobs")
}

// Interrupted lists the jobs left running by processes that stopped, and
// queued jobs no process has taken.
func (s *Store) Interrupted(ctx context.Context) ([]access.Job, error) {
	var dead []string
	if s.dialect == SQLite {
		var err error
		if dead, err = s.deadOwners(ctx); err != nil {
			return nil, translate(err, "store.Interrupted")
		}
	}
	cond, args := s.runnable(dead)
	var rows []jobRow
	if err := s.reader().WithContext(ctx).Raw("SELECT "+jobColumns+" FROM jobs WHERE "+cond+" ORDER BY id", args...).Scan(&rows).Error; err != nil {
		return nil, translate(err, "store.Interrupted")
	}
	out := make([]access.Job, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// JobCounts is the number of jobs by kind and status, for the queue-depth
// gauge.
func (s *Store) JobCounts(ctx context.Context) (map[[2]string]int64, error) {
	var rows []struct {
		Kind   string
		Status string
		N      int64
	}
	if err := s.reader().WithContext(ctx).Raw("SELECT kind, status, COUNT(*) AS n FROM jobs GROUP BY kind, status").Scan(&rows).Error; err != nil {
		return nil, translate(err, "store.JobCounts")
	}
	out := make(map[[2]string]int64, len(rows))
	for _, r := range rows {
		out[[2]string{r.Kind, r.Status}] = r.N
	}
	return out, nil
}
