package httpapi

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/schedule"
)

// scheduleRequest creates a schedule; scheduleDTO answers one.
type scheduleRequest struct {
	Name     string `json:"name" binding:"required,max=200"`
	Cron     string `json:"cron" binding:"required,max=100"`
	TimeZone string `json:"time_zone" binding:"max=64"`
	Scope    string `json:"scope" binding:"required,oneof=country region income world"`
	Target   string `json:"target" binding:"max=8"`
	Years    string `json:"years" binding:"omitempty,oneof=fixed latest"`
	YearFrom int    `json:"year_from" binding:"omitempty,min=1900,max=2100"`
	YearTo   int    `json:"year_to" binding:"omitempty,min=1900,max=2100"`
	LatestN  int    `json:"latest_n" binding:"omitempty,min=1,max=50"`
	Model    string `json:"model" binding:"max=64"`
	Enabled  *bool  `json:"enabled"`
	KeepRuns int    `json:"keep_runs" binding:"omitempty,min=1,max=1000"`
}

// schedulePatch changes the fields it names.
type schedulePatch struct {
	Name     *string `json:"name" binding:"omitempty,max=200"`
	Cron     *string `json:"cron" binding:"omitempty,max=100"`
	TimeZone *string `json:"time_zone" binding:"omitempty,max=64"`
	Scope    *string `json:"scope" binding:"omitempty,oneof=country region income world"`
	Target   *string `json:"target" binding:"omitempty,max=8"`
	Years    *string `json:"years" binding:"omitempty,oneof=fixed latest"`
	YearFrom *int    `json:"year_from" binding:"omitempty,min=0,max=2100"`
	YearTo   *int    `json:"year_to" binding:"omitempty,min=0,max=2100"`
	LatestN  *int    `json:"latest_n" binding:"omitempty,min=1,max=50"`
	Model    *string `json:"model" binding:"omitempty,max=64"`
	Enabled  *bool   `json:"enabled"`
	KeepRuns *int    `json:"keep_runs" binding:"omitempty,min=1,max=1000"`
}

type scheduleDTO struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Cron      string    `json:"cron"`
	TimeZone  string    `json:"time_zone"`
	Scope     string    `json:"scope"`
	Target    string    `json:"target,omitempty"`
	Years     string    `json:"years"`
	YearFrom  int       `json:"year_from,omitempty"`
	YearTo    int       `json:"year_to,omitempty"`
	LatestN   int       `json:"latest_n,omitempty"`
	Model     string    `json:"model,omitempty"`
	Enabled   bool      `json:"enabled"`
	KeepRuns  int       `json:"keep_runs"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Runs      string    `json:"runs"`
}

type runDTO struct {
	ID            int64      `json:"id"`
	ScheduleID    int64      `json:"schedule_id"`
	Slot          time.Time  `json:"slot"`
	StartedAt     time.Time  `json:"started_at"`
	FinishedAt    *time.Time `json:"finished_at"`
	Status        string     `json:"status"`
	Error         string     `json:"error,omitempty"`
	Attempt       int        `json:"attempt"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	DataVersion   int64      `json:"data_version"`
	Size          int64      `json:"size"`
	SameAs        int64      `json:"same_as,omitempty"`
	File          string     `json:"file,omitempty"`
}

func toScheduleDTO(s schedule.Schedule) scheduleDTO {
	d := scheduleDTO{ID: s.ID, Name: s.Name, Cron: s.Cron, TimeZone: s.TimeZone, Scope: string(s.Scope), Target: s.Target,
		Years: s.YearsMode, Model: s.Model, Enabled: s.Enabled, KeepRuns: s.KeepRuns, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
		Runs: fmt.Sprintf("%s/schedules/%d/runs", APIPrefix, s.ID)}
	if s.YearsMode == schedule.YearsFixed {
		d.YearFrom, d.YearTo = s.YearFrom, s.YearTo
	} else {
		d.LatestN = s.LatestN
	}
	return d
}

func toRunDTO(r schedule.Run) runDTO {
	d := runDTO{ID: r.ID, ScheduleID: r.ScheduleID, Slot: r.Slot, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, Status: r.Status,
		Error: r.Error, Attempt: r.Attempt, NextAttemptAt: r.NextAttemptAt, DataVersion: r.DataVersion, Size: r.Size, SameAs: r.SameAs}
	if r.FileSHA256 != "" {
		d.File = fmt.Sprintf("%s/report-runs/%d/file", APIPrefix, r.ID)
	}
	return d
}

func (s *Server) schedules() (*schedule.Service, error) {
	if s.cfg.Schedules == nil {
		return nil, access.Errorf(access.NotFound, "", "scheduled reports are not configured on this server")
	}
	return s.cfg.Schedules, nil
}

func (s *Server) createSchedule(c *gin.Context) error {
	svc, err := s.schedules()
	if err != nil {
		return err
	}
	var req scheduleRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		return invalid(err)
	}
	in := schedule.Schedule{Name: req.Name, Cron: req.Cron, TimeZone: req.TimeZone, Scope: schedule.Scope(req.Scope), Target: req.Target,
		YearsMode: req.Years, YearFrom: req.YearFrom, YearTo: req.YearTo, LatestN: req.LatestN, Model: req.Model, Enabled: true, KeepRuns: req.KeepRuns}
	if req.Enabled != nil {
		in.Enabled = *req.Enabled
	}
	out, err := svc.Create(c.Request.Context(), who(c), in)
	if err != nil {
		return err
	}
	c.Header("Location", fmt.Sprintf("%s/schedules/%d", APIPrefix, out.ID))
	c.JSON(http.StatusCreated, toScheduleDTO(out))
	return nil
}

func (s *Server) listSchedules(c *gin.Context) error {
	svc, err := s.schedules()
	if err != nil {
		return err
	}
	all, err := svc.List(c.Request.Context(), who(c))
	if err != nil {
		return err
	}
	writeList(c, all, toScheduleDTO)
	return nil
}

func (s *Server) getSchedule(c *gin.Context) error {
	svc, err := s.schedules()
	if err != nil {
		return err
	}
	id, err := idParam(c, "schedule")
	if err != nil {
		return err
	}
	x, err := svc.Get(c.Request.Context(), who(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toScheduleDTO(x))
	return nil
}

func (s *Server) patchSchedule(c *gin.Context) error {
	svc, err := s.schedules()
	if err != nil {
		return err
	}
	id, err := idParam(c, "schedule")
	if err != nil {
		return err
	}
	var p schedulePatch
	if err := c.ShouldBindJSON(&p); err != nil {
		return invalid(err)
	}
	x, err := svc.Update(c.Request.Context(), who(c), id, func(sch *schedule.Schedule) {
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		seti := func(dst *int, v *int) {
			if v != nil {
				*dst = *v
			}
		}
		set(&sch.Name, p.Name)
		set(&sch.Cron, p.Cron)
		set(&sch.TimeZone, p.TimeZone)
		set(&sch.Target, p.Target)
		set(&sch.YearsMode, p.Years)
		set(&sch.Model, p.Model)
		if p.Scope != nil {
			sch.Scope = schedule.Scope(*p.Scope)
		}
		seti(&sch.YearFrom, p.YearFrom)
		seti(&sch.YearTo, p.YearTo)
		seti(&sch.LatestN, p.LatestN)
		seti(&sch.KeepRuns, p.KeepRuns)
		if p.Enabled != nil {
			sch.Enabled = *p.Enabled
		}
	})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toScheduleDTO(x))
	return nil
}

func (s *Server) deleteSchedule(c *gin.Context) error {
	svc, err := s.schedules()
	if err != nil {
		return err
	}
	id, err := idParam(c, "schedule")
	if err != nil {
		return err
	}
	if err := svc.Delete(c.Request.Context(), who(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) runSchedule(c *gin.Context) error {
	svc, err := s.schedules()
	if err != nil {
		return err
	}
	id, err := idParam(c, "schedule")
	if err != nil {
		return err
	}
	r, err := svc.RunNow(c.Request.Context(), who(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toRunDTO(r))
	return nil
}

type runsQuery struct {
	Limit int `form:"limit" binding:"omitempty,min=1,max=1000"`
}

func (s *Server) scheduleRuns(c *gin.Context) error {
	svc, err := s.schedules()
	if err != nil {
		return err
	}
	id, err := idParam(c, "schedule")
	if err != nil {
		return err
	}
	var q runsQuery
	if err := c.ShouldBindQuery(&q); err != nil {
		return invalid(err)
	}
	if q.Limit == 0 {
		q.Limit = 100
	}
	runs, err := svc.Runs(c.Request.Context(), who(c), id, q.Limit)
	if err != nil {
		return err
	}
	writeList(c, runs, toRunDTO)
	return nil
}

func (s *Server) runFile(c *gin.Context) error {
	svc, err := s.schedules()
	if err != nil {
		return err
	}
	id, err := idParam(c, "run")
	if err != nil {
		return err
	}
	r, b, err := svc.File(c.Request.Context(), who(c), id)
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", fmt.Sprintf("attachment; filename=%q", safeName(r.Filename)))
	c.Data(http.StatusOK, xlsxContentType, b)
	return nil
}
