package main

import (
	"context"
	"sync"

	"github.com/reliefgap/reliefgap/internal/schedule"
	"github.com/reliefgap/reliefgap/internal/store"
	"github.com/reliefgap/reliefgap/reports"
)

// startSchedules starts the report scheduler of serve and returns the
// service the API manages schedules through, and a function that stops the
// scheduler and waits for it.
func (a *app) startSchedules(ctx context.Context) (*schedule.Service, func()) {
	b := &reports.Builder{Gaps: a.gaps, Store: a.store}
	sc := &schedule.Scheduler{Store: a.store, Render: schedule.NewRenderer(b, a.store.LatestConsumptionYear), Log: a.log.With("component", "schedule")}
	if a.store.Dialect() == store.SQLite {
		a.log.Info("scheduled reports: SQLite assumes a single serve process; use PostgreSQL to run several")
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = sc.Run(ctx)
	}()
	return &schedule.Service{Store: a.store, Scheduler: sc}, func() { cancel(); wg.Wait() }
}
