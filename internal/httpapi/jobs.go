package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/reliefgap/reliefgap/internal/access"
)

// jobDTO is a background job as administrators see it.
type jobDTO struct {
	ID         int64      `json:"id"`
	Kind       string     `json:"kind"`
	Ref        string     `json:"ref"`
	Status     string     `json:"status"`
	Attempts   int        `json:"attempts"`
	Owner      string     `json:"owner,omitempty"`
	Progress   int64      `json:"progress"`
	Error      string     `json:"error,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

func (s *Server) toJobDTO(j access.Job) jobDTO {
	d := jobDTO{ID: j.ID, Kind: j.Kind, Ref: j.Ref, Status: string(j.Status), Attempts: j.Attempts, Owner: j.Owner,
		Progress: j.Progress, Error: j.Error, CreatedAt: j.CreatedAt, StartedAt: j.StartedAt, FinishedAt: j.FinishedAt}
	if s.cfg.Runner != nil {
		if n, ok := s.cfg.Runner.Progress(j.ID); ok {
			d.Progress = n
		}
	}
	return d
}

type jobsQuery struct {
	Kind   string `form:"kind" binding:"max=64"`
	Status string `form:"status" binding:"omitempty,oneof=queued running done failed cancelled"`
	Limit  int    `form:"limit" binding:"omitempty,min=1"`
	Cursor string `form:"cursor"`
}

const (
	defaultJobsPage = 50
	maxJobsPage     = 200
)

func (s *Server) jobService() (*access.JobService, error) {
	if s.cfg.Jobs == nil {
		return nil, access.Errorf(access.NotFound, "", "background jobs are not available")
	}
	return s.cfg.Jobs, nil
}

func (s *Server) listJobs(c *gin.Context) error {
	js, err := s.jobService()
	if err != nil {
		return err
	}
	var q jobsQuery
	if err := c.ShouldBindQuery(&q); err != nil {
		return invalid(err)
	}
	limit := min(max(q.Limit, 0), maxJobsPage)
	if limit == 0 {
		limit = defaultJobsPage
	}
	fp := queryFingerprint(q.Kind, q.Status)
	cur, err := decodeCursor(q.Cursor, fp)
	if err != nil {
		return err
	}
	list, err := js.Jobs(c.Request.Context(), who(c), access.JobFilter{Kind: q.Kind, Status: access.JobStatus(q.Status), Before: cur.Before, Limit: limit + 1})
	if err != nil {
		return err
	}
	resp := listResponse[jobDTO]{Items: []jobDTO{}}
	for i, j := range list {
		if i == limit {
			resp.NextCursor = encodeCursor(pageCursor{Before: list[i-1].ID, Query: fp})
			break
		}
		resp.Items = append(resp.Items, s.toJobDTO(j))
	}
	setNextLink(c, resp.NextCursor)
	c.JSON(http.StatusOK, resp)
	return nil
}

func (s *Server) getJob(c *gin.Context) error {
	return s.jobAction(c, func(js *access.JobService, id int64) (access.Job, error) {
		return js.Job(c.Request.Context(), who(c), id)
	})
}

func (s *Server) cancelJob(c *gin.Context) error {
	return s.jobAction(c, func(js *access.JobService, id int64) (access.Job, error) {
		var stop func(int64) bool
		if s.cfg.Runner != nil {
			// Running here: stop it now, so that its transaction (on
			// SQLite, the write lock) is released for the record.
			stop = s.cfg.Runner.CancelLocal
		}
		return js.CancelWith(c.Request.Context(), who(c), id, stop)
	})
}

func (s *Server) retryJob(c *gin.Context) error {
	return s.jobAction(c, func(js *access.JobService, id int64) (access.Job, error) {
		j, err := js.Retry(c.Request.Context(), who(c), id)
		if err == nil && s.cfg.Runner != nil {
			s.cfg.Runner.Wake()
		}
		return j, err
	})
}

func (s *Server) jobAction(c *gin.Context, fn func(js *access.JobService, id int64) (access.Job, error)) error {
	js, err := s.jobService()
	if err != nil {
		return err
	}
	if err := js.Allowed(who(c)); err != nil {
		return err
	}
	id, err := idParam(c, "job")
	if err != nil {
		return err
	}
	j, err := fn(js, id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, s.toJobDTO(j))
	return nil
}
