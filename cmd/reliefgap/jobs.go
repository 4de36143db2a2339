package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/jobs"
)

// defaultJobLease is how long a claimed job is a process's without a
// heartbeat (PostgreSQL); RELIEFGAP_JOB_LEASE overrides it.
const defaultJobLease = 30 * time.Second

// newRunner builds the job runner of a process: the import handler
// registered, a lease from RELIEFGAP_JOB_LEASE.
func (c *cli) newRunner(a *app) (*jobs.Runner, error) {
	lease := defaultJobLease
	if v := c.getenv("RELIEFGAP_JOB_LEASE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 100*time.Millisecond {
			return nil, usageErr("RELIEFGAP_JOB_LEASE %q: want a duration of at least 100ms, e.g. 30s", v)
		}
		lease = d
	}
	r := &jobs.Runner{Queue: a.store, Lease: lease, Log: a.log}
	r.Register(access.JobImport, a.imports.RunImportJob)
	return r, nil
}

// jobService is what administrators do with jobs, with import jobs' tidying.
func (a *app) jobService() *access.JobService {
	return &access.JobService{Queue: a.store, OnCancel: map[string]func(context.Context, access.Job) error{
		access.JobImport: a.imports.AbandonJob,
	}}
}

// reportInterrupted tells of the jobs a stopped process left behind;
// "reliefgap serve" resumes them.
func reportInterrupted(ctx context.Context, a *app, w io.Writer, resumes bool) {
	js, err := a.store.Interrupted(ctx)
	if err != nil || len(js) == 0 {
		return
	}
	if resumes {
		a.log.Info("resuming interrupted jobs", "count", len(js))
		return
	}
	fmt.Fprintf(w, "%d background jobs are waiting or were interrupted (", len(js))
	for i, j := range js {
		if i == 5 {
			fmt.Fprintf(w, ", …")
			break
		}
		if i > 0 {
			fmt.Fprint(w, ", ")
		}
		fmt.Fprintf(w, "%s %s", j.Kind, j.Ref)
	}
	fmt.Fprintln(w, "); \"reliefgap serve\" resumes them")
}
