package httpapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/reliefgap/reliefgap/internal/httpapi"
	"github.com/reliefgap/reliefgap/internal/schedule"
	"github.com/reliefgap/reliefgap/internal/store"
	"github.com/reliefgap/reliefgap/reports"
)

// withSchedules wires scheduled reports as serve does.
func withSchedules(cfg *httpapi.Config) {
	st := cfg.Store.(*store.Store)
	b := &reports.Builder{Gaps: cfg.Gaps, Store: st}
	sc := &schedule.Scheduler{Store: st, Render: schedule.NewRenderer(b, st.LatestConsumptionYear)}
	cfg.Schedules = &schedule.Service{Store: st, Scheduler: sc}
}

func TestScheduleRoutes(t *testing.T) {
	e := newEnv(t, withSchedules)
	e.publishKEN()

	body := map[string]any{"name": "Kenya weekly", "cron": "0 6 * * 1", "time_zone": "Africa/Nairobi", "scope": "country", "target": "KEN", "years": "latest", "latest_n": 2}
	for _, role := range []string{"public", "advocate", "ministry KEN"} {
		if r := e.postJSON(role, "/api/v1/schedules", body); r.Code != http.StatusUnauthorized && r.Code != http.StatusForbidden {
			t.Errorf("create as %s: %d", role, r.Code)
		}
	}
	if r := e.postJSON("admin", "/api/v1/schedules", map[string]any{"name": "bad", "cron": "every day", "scope": "world"}); r.Code != http.StatusBadRequest {
		t.Errorf("bad cron: %d %s", r.Code, r.Body.String())
	}
	r := e.postJSON("admin", "/api/v1/schedules", body)
	if r.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Code, r.Body.String())
	}
	var sch struct {
		ID      int64  `json:"id"`
		Years   string `json:"years"`
		LatestN int    `json:"latest_n"`
		Enabled bool   `json:"enabled"`
	}
	r.json(t, &sch)
	if sch.ID == 0 || sch.Years != "latest" || sch.LatestN != 2 || !sch.Enabled {
		t.Fatalf("created: %s", r.Body.String())
	}
	if r := e.do("admin", http.MethodPatch, fmt.Sprintf("/api/v1/schedules/%d", sch.ID), bytes.NewReader([]byte(`{"enabled": false}`)), "application/json"); r.Code != 200 {
		t.Fatalf("patch: %d %s", r.Code, r.Body.String())
	}

	// Run now: KEN's latest year with data is 2020, so the pack covers 2019–2020.
	var run struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
		Error  string `json:"error"`
		File   string `json:"file"`
		SameAs int64  `json:"same_as"`
	}
	r = e.postJSON("admin", fmt.Sprintf("/api/v1/schedules/%d/run", sch.ID), nil)
	r.json(t, &run)
	if r.Code != 200 || run.Status != "succeeded" || run.File == "" {
		t.Fatalf("run now: %d %s", r.Code, r.Body.String())
	}
	f := e.get("admin", run.File)
	if f.Code != 200 {
		t.Fatalf("file: %d", f.Code)
	}
	x, err := excelize.OpenReader(bytes.NewReader(f.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if v, _ := x.GetCellValue("Trend", "A6"); v != "2020" {
		t.Errorf("Trend!A6 = %q, want 2020 (the years 2019–2020)", v)
	}
	if r := e.get("advocate", run.File); r.Code != http.StatusForbidden {
		t.Errorf("file as advocate: %d", r.Code)
	}
	// Unchanged data: the next run serves the same file. (A second run in
	// the same second would collide on the slot, so wait for the next.)
	first := run.ID
	for i := 0; i < 30; i++ {
		r = e.postJSON("admin", fmt.Sprintf("/api/v1/schedules/%d/run", sch.ID), nil)
		if r.Code != http.StatusConflict {
			break
		}
		sleepBriefly()
	}
	r.json(t, &run)
	if run.Status != "unchanged" || run.SameAs != first {
		t.Errorf("second run: %s", r.Body.String())
	}
	var runs struct{ Items []map[string]any }
	e.get("admin", fmt.Sprintf("/api/v1/schedules/%d/runs", sch.ID)).json(t, &runs)
	if len(runs.Items) != 2 {
		t.Errorf("runs: %v", runs.Items)
	}
	if r := e.do("admin", http.MethodDelete, fmt.Sprintf("/api/v1/schedules/%d", sch.ID), nil, ""); r.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Code, r.Body.String())
	}
	if r := e.get("admin", fmt.Sprintf("/api/v1/schedules/%d", sch.ID)); r.Code != http.StatusNotFound {
		t.Errorf("after delete: %d", r.Code)
	}
}

func sleepBriefly() { time.Sleep(100 * time.Millisecond) }
