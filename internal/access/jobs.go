package access

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// JobStatus is where a background job stands: queued → running → done |
// failed | cancelled. A running job whose process stops (a crash, SIGTERM)
// is not failed: it goes back to queued and is resumed.
type JobStatus string

const (
	JobQueued    JobStatus = "queued"
	JobRunning   JobStatus = "running"
	JobDone      JobStatus = "done"
	JobFailed    JobStatus = "failed"
	JobCancelled JobStatus = "cancelled"
)

// Job is one piece of durable background work, recorded in the database so
// that any process may run it and none loses it.
type Job struct {
	ID       int64
	Kind     string // selects the handler, e.g. JobImport
	Ref      string // what it works on, e.g. "upload:12"
	Payload  []byte // the handler's input, JSON
	Status   JobStatus
	Attempts int
	Owner    string // the process running it: host/pid/nonce
	// LeaseUntil: a running job whose lease has passed was interrupted
	// (PostgreSQL; on SQLite a dead owner process tells it).
	LeaseUntil time.Time
	RunAfter   time.Time
	Progress   int64 // rows read so far, or the handler's own measure
	Error      string
	CreatedAt  time.Time
	StartedAt  *time.Time
	FinishedAt *time.Time
}

// Finished reports whether the job will not run again unless retried.
func (j Job) Finished() bool {
	return j.Status == JobDone || j.Status == JobFailed || j.Status == JobCancelled
}

// JobFilter selects jobs; zero fields select everything.
type JobFilter struct {
	Kind   string
	Status JobStatus
	Ref    string
	Before int64 // cursor: only ids below this
	Limit  int
}

// ErrJobLost reports that a running job is no longer its runner's: it was
// cancelled, or another process took it over after its lease ran out.
var ErrJobLost = errors.New("the job is no longer this runner's")

// ErrJobCancelled is the cause of a running job's context when an
// administrator cancels it; ErrShutdown when its process stops.
var (
	ErrJobCancelled = errors.New("job cancelled by an administrator")
	ErrShutdown     = errors.New("shutting down")
)

// JobQueue is the durable queue the store provides.
type JobQueue interface {
	// Claim takes the oldest runnable job of one of kinds (queued, or
	// running but interrupted) for owner, or reports false. On SQLite at
	// most one job runs at a time across every process.
	Claim(ctx context.Context, owner string, kinds []string, lease time.Duration) (Job, bool, error)
	// ClaimID takes job id for owner if it is runnable now, or reports false.
	ClaimID(ctx context.Context, id int64, owner string, lease time.Duration) (Job, bool, error)
	// Heartbeat extends the lease and records progress; ErrJobLost if the
	// job is no longer running for owner.
	Heartbeat(ctx context.Context, id int64, owner string, lease time.Duration, progress int64) error
	// Complete ends a running job as done or failed.
	Complete(ctx context.Context, id int64, owner string, status JobStatus, msg string) error
	// Release puts a running job back in the queue (shutdown).
	Release(ctx context.Context, id int64, owner string) error
	// Requeue puts a running job that failed back in the queue, due at
	// runAfter, with its error kept (a retry with backoff).
	Requeue(ctx context.Context, id int64, owner string, runAfter time.Time, msg string) error
	Job(ctx context.Context, id int64) (Job, error)
	Jobs(ctx context.Context, f JobFilter) ([]Job, error)
	// CancelJob cancels a queued or running job (Conflict otherwise).
	CancelJob(ctx context.Context, id int64) (Job, error)
	// RetryJob queues a failed or cancelled job again (Conflict otherwise).
	RetryJob(ctx context.Context, id int64) (Job, error)
	// PurgeJobs deletes jobs that finished before t.
	PurgeJobs(ctx context.Context, before time.Time) (int64, error)
	// Interrupted lists the jobs a process that stopped left running.
	Interrupted(ctx context.Context) ([]Job, error)
}

// JobService is what administrators do with jobs: list, cancel, retry.
type JobService struct {
	Queue JobQueue
	// OnCancel, by job kind, tidies up what a cancelled job leaves (an
	// upload no job will process any more).
	OnCancel map[string]func(ctx context.Context, j Job) error
}

func requireAdmin(who Principal, what string) error {
	return Authorize(who, ActManageJobs, "")
}

// Allowed says whether who may manage jobs at all: adapters that must act
// before the service is called (stopping a job running in this process)
// ask it first.
func (s *JobService) Allowed(who Principal) error {
	return Authorize(who, ActManageJobs, "")
}

// Jobs lists jobs, newest first.
func (s *JobService) Jobs(ctx context.Context, who Principal, f JobFilter) ([]Job, error) {
	if err := requireAdmin(who, "list jobs"); err != nil {
		return nil, err
	}
	return s.Queue.Jobs(ctx, f)
}

// Job returns one job.
func (s *JobService) Job(ctx context.Context, who Principal, id int64) (Job, error) {
	if err := requireAdmin(who, "see jobs"); err != nil {
		return Job{}, err
	}
	return s.Queue.Job(ctx, id)
}

// Cancel stops a queued or running job. A running one stops at its next
// heartbeat; what it did is rolled back.
func (s *JobService) Cancel(ctx context.Context, who Principal, id int64) (j Job, err error) {
	return s.CancelWith(ctx, who, id, nil)
}

// CancelWith is Cancel for a process that may be running the job itself:
// stop, if given, stops it here at once (its runner then records the
// cancellation). It is called only once the job is known to be running,
// so that a job its runner has just recorded as cancelled is not taken
// for one cancelled earlier.
func (s *JobService) CancelWith(ctx context.Context, who Principal, id int64, stop func(id int64) bool) (j Job, err error) {
	defer Wrap(&err, "JobService.Cancel(%d)", id)
	if err := requireAdmin(who, "cancel jobs"); err != nil {
		return j, err
	}
	before, err := s.Queue.Job(ctx, id)
	if err != nil {
		return j, err
	}
	if before.Status == JobRunning && stop != nil {
		stop(id)
	}
	if j, err = s.Queue.CancelJob(ctx, id); err != nil {
		if ErrorCode(err) == Conflict && before.Status == JobRunning && j.Status == JobCancelled {
			return j, nil // its runner, told first, recorded it
		}
		return j, err
	}
	if before.Status == JobQueued {
		// Nothing is running it: tidy up here. A running job tidies up
		// itself when it sees ErrJobCancelled.
		if fn := s.OnCancel[j.Kind]; fn != nil {
			if err := fn(ctx, j); err != nil {
				return j, err
			}
		}
	}
	return j, nil
}

// Retry queues a failed or cancelled job again.
func (s *JobService) Retry(ctx context.Context, who Principal, id int64) (Job, error) {
	if err := requireAdmin(who, "retry jobs"); err != nil {
		return Job{}, err
	}
	return s.Queue.RetryJob(ctx, id)
}

// processOwner names this process as a job owner: host/pid/start, so that
// a job left running by a process that is gone (or an earlier process with
// the same pid, as in a restarted container) can be told apart.
var processOwner = func() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%d", host, os.Getpid(), time.Now().UnixNano())
}()

// ProcessOwner is the owner name of the jobs this process runs.
func ProcessOwner() string { return processOwner }

// JobImport is the kind of the job that validates and stages an upload.
const JobImport = "import"

// importJob is the payload of an import job: who sent the upload and how
// it is to be imported; the upload is the job's Ref.
type importJob struct {
	Who        Principal `json:"who"`
	DryRun     bool      `json:"dry_run,omitempty"`
	Publish    bool      `json:"publish,omitempty"`
	RemoteAddr string    `json:"remote_addr,omitempty"`
	Locale     string    `json:"locale,omitempty"`
}

// UploadRef is the Ref of the job that imports upload id.
func UploadRef(id int64) string { return "upload:" + strconv.FormatInt(id, 10) }

func uploadOfRef(ref string) (int64, bool) {
	s, ok := strings.CutPrefix(ref, "upload:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

func newImportJob(who Principal, opt ImportOptions) Job {
	p, _ := json.Marshal(importJob{Who: who, DryRun: opt.DryRun, Publish: opt.Publish, RemoteAddr: opt.RemoteAddr, Locale: opt.Locale})
	return Job{Kind: JobImport, Payload: p, Status: JobQueued}
}

// RunImportJob is the handler of JobImport jobs: it processes the upload
// the job refers to. An upload already settled (its process stopped after
// the commit) is left alone. The job fails only when the upload does
// (a system fault); a rejected file is a job done.
func (s *ImportService) RunImportJob(ctx context.Context, j Job, progress func(n int64)) (err error) {
	id, ok := uploadOfRef(j.Ref)
	if !ok {
		return Errorf(Invalid, "RunImportJob", "job %d refers to %q, not an upload", j.ID, j.Ref)
	}
	// A cancel may come at any point, before processing began included:
	// the upload then ends failed (retryable) unless it was settled.
	defer func() {
		if errors.Is(context.Cause(ctx), ErrJobCancelled) {
			bg := context.WithoutCancel(ctx)
			if cur, e := s.Store.Upload(bg, id); e == nil {
				s.Abandon(bg, cur, "cancelled by an administrator")
			}
			err = ErrJobCancelled
		}
	}()
	var p importJob
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return Errorf(Invalid, "RunImportJob", "job %d has a malformed payload", j.ID)
	}
	u, err := s.Store.Upload(ctx, id)
	if err != nil {
		return err
	}
	switch u.Status {
	case StatusReceived, StatusValidating, StatusFailed:
	default:
		return nil // settled already
	}
	c, cleanup, err := s.jobContent(ctx, u)
	if err != nil {
		return err
	}
	defer cleanup()
	opt := ImportOptions{Kind: u.Kind, Country: u.Country, DryRun: p.DryRun, Publish: p.Publish,
		Replace: u.Replace, Supplement: u.Supplement, RemoteAddr: p.RemoteAddr, Locale: p.Locale}
	if progress != nil {
		opt.Progress = func(done, _ int64) { progress(done) }
	}
	out, err := s.process(ctx, p.Who, u, c, opt)
	if err != nil && out.Status == StatusRejected {
		return nil // the file's fault, recorded on the upload
	}
	if err != nil && ctx.Err() != nil {
		// Interrupted: unless the commit went through before the
		// interruption reached the client (then the upload is settled and
		// the job is done), the job goes back to the queue.
		if cur, e := s.Store.Upload(context.WithoutCancel(ctx), id); e == nil && settled(cur.Status) {
			return nil
		}
	}
	return err
}

// settled reports whether an upload's processing is over for good.
func settled(st UploadStatus) bool {
	switch st {
	case StatusSubmitted, StatusRejected, StatusPublished, StatusSuperseded, StatusDryRun:
		return true
	}
	return false
}

// jobContent reads a stored upload back for its job: a small one into
// memory, a large one into a temporary file, a part at a time, so that it
// is parsed as a stream. cleanup removes the file.
func (s *ImportService) jobContent(ctx context.Context, u Upload) (c content, cleanup func(), err error) {
	cleanup = func() {}
	if u.Size <= spoolThreshold {
		c.data, err = s.Store.Blob(ctx, u.SHA256)
		return c, cleanup, err
	}
	path, err := spoolFrom(func(w io.Writer) error { return s.Store.BlobTo(ctx, u.SHA256, w) })
	if err != nil {
		return c, cleanup, err
	}
	return content{path: path}, func() { os.Remove(path) }, nil
}

// Abandon marks an upload that no job will process any more as failed
// (retryable), if it has not been settled.
func (s *ImportService) Abandon(ctx context.Context, u Upload, why string) {
	now := s.now()
	u.Status, u.DecidedAt, u.Reason = StatusFailed, &now, why+"; nothing was stored, it may be retried"
	_ = s.Store.TransitionUpload(ctx, u, StatusReceived, StatusValidating)
}

// AbandonJob is the JobService.OnCancel hook of import jobs.
func (s *ImportService) AbandonJob(ctx context.Context, j Job) error {
	id, ok := uploadOfRef(j.Ref)
	if !ok {
		return nil
	}
	u, err := s.Store.Upload(ctx, id)
	if err != nil {
		return err
	}
	s.Abandon(ctx, u, "cancelled by an administrator")
	return nil
}

// RunNow processes a received upload in the calling goroutine, as its job:
// it claims the job (waiting up to wait while another holds the database;
// SQLite runs one job at a time), processes and completes it. If the job
// could not be claimed in time, claimed is false and the job stays queued
// for a runner. Import and the HTTP adapter's small uploads use it.
func (s *ImportService) RunNow(ctx context.Context, who Principal, res ImportResult, data []byte, opt ImportOptions, wait time.Duration) (out Upload, claimed bool, err error) {
	return s.runNow(ctx, who, res, content{data: data}, opt, wait)
}

func (s *ImportService) runNow(ctx context.Context, who Principal, res ImportResult, c content, opt ImportOptions, wait time.Duration) (out Upload, claimed bool, err error) {
	out = res.Upload
	owner := ProcessOwner()
	deadline := time.Now().Add(wait)
	for {
		j, ok, err := s.Store.ClaimID(ctx, res.Job, owner, time.Hour)
		if err != nil {
			return out, false, err
		}
		if ok {
			break
		}
		if j.Finished() || time.Now().After(deadline) {
			if j.Finished() {
				out, err = s.Store.Upload(ctx, res.Upload.ID)
			}
			return out, false, err
		}
		select {
		case <-ctx.Done():
			return out, false, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	out, err = s.process(ctx, who, res.Upload, c, opt)
	bg := context.WithoutCancel(ctx)
	if out.Status == StatusValidating || out.Status == StatusReceived {
		// Interrupted: back to the queue, to be resumed.
		_ = s.Store.Release(bg, res.Job, owner)
		return out, true, err
	}
	status, msg := JobDone, ""
	if out.Status == StatusFailed {
		status, msg = JobFailed, out.Reason
	}
	if cerr := s.Store.Complete(bg, res.Job, owner, status, msg); cerr != nil && err == nil {
		err = cerr
	}
	return out, true, err
}
