package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/reliefgap/reliefgap/internal/alerts"
	"github.com/reliefgap/reliefgap/internal/jobs"
	"github.com/reliefgap/reliefgap/internal/schedule"
	"github.com/reliefgap/reliefgap/internal/store"
	"github.com/reliefgap/reliefgap/reports"
)

// startSchedules starts serve's report scheduler and webhook deliveries,
// and returns the services the API manages them through and a function
// that stops both and waits for them. Report renders (report.run) and
// webhook deliveries (webhook.deliver) are jobs of runner, the process's
// shared job runner, whose handlers it registers.
func (a *app) startSchedules(ctx context.Context, guard alerts.Guard, runner *jobs.Runner) (*schedule.Service, *alerts.Webhooks, func()) {
	b := &reports.Builder{Gaps: a.gaps, Store: a.store}
	hooks := &alerts.Webhooks{Store: a.store, Guard: guard, Log: a.log.With("component", "webhooks"), Runner: runner}
	hooks.Register(runner)
	sc := &schedule.Scheduler{Store: a.store, Render: schedule.NewRenderer(b, a.store.LatestConsumptionYear), Log: a.log.With("component", "schedule"),
		Runner: runner}
	sc.Register(runner)
	sc.OnFinish = func(s schedule.Schedule, r schedule.Run) {
		if r.Status != schedule.StatusSucceeded {
			return
		}
		scope := "world"
		if s.Scope != schedule.ScopeWorld {
			scope = string(s.Scope) + ":" + s.Target
		}
		ev := alerts.Event{ID: fmt.Sprintf("tag:reliefgap.org,2026:report-run:%d", r.ID), Kind: alerts.KindReportReady, Scope: scope,
			Title: "Report ready: " + s.Name, Summary: fmt.Sprintf("Data version %d, %d bytes.", r.DataVersion, r.Size),
			Link: fmt.Sprintf("/api/v1/report-runs/%d/file", r.ID), At: time.Now().UTC()}
		if err := hooks.Notify(ctx, ev); err != nil {
			a.log.Warn("queueing a webhook event", "err", err)
		}
	}
	if a.store.Dialect() == store.SQLite {
		a.log.Info("scheduled reports and webhooks: SQLite assumes a single serve process; use PostgreSQL to run several")
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = sc.Run(ctx) }()
	go func() { defer wg.Done(); hooks.Run(ctx, 15*time.Second) }()
	return &schedule.Service{Store: a.store, Scheduler: sc}, hooks, func() { cancel(); wg.Wait() }
}
