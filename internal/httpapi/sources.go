package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/reliefgap/reliefgap/internal/access"
)

type sourcesQuery struct {
	AsOf int64 `form:"as_of" binding:"omitempty,min=1"`
}

type sourcesDTO struct {
	Items []access.Series `json:"items"`
}

// listSources lists every population and deaths series with its terms,
// marking the default of each measure.
func (s *Server) listSources(c *gin.Context) error {
	var q sourcesQuery
	if err := c.ShouldBindQuery(&q); err != nil {
		return invalid(err)
	}
	if done, err := s.figuresConditional(c, "", "", q.AsOf); done || err != nil {
		return err
	}
	items, err := s.cfg.Gaps.At(q.AsOf).Sources(c.Request.Context())
	if err != nil {
		return err
	}
	if items == nil {
		items = []access.Series{}
	}
	c.JSON(http.StatusOK, sourcesDTO{Items: items})
	return nil
}

type sourceRequest struct {
	Source string `json:"source" binding:"max=200"`
}

// putSource chooses the default series of a measure (administrators): a
// setting, so the data version moves and figures name the new series.
func (s *Server) putSource(c *gin.Context) error {
	m := access.Measure(c.Param("measure"))
	if m != access.MeasurePopulation && m != access.MeasureDeaths {
		return access.Errorf(access.NotFound, "", "no measure %q: use population or deaths", m)
	}
	var req sourceRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		return invalid(err)
	}
	svc, err := s.settings()
	if err != nil {
		return err
	}
	if err := svc.Set(c.Request.Context(), who(c), access.SettingSource(m), req.Source, c.ClientIP()); err != nil {
		return err
	}
	items, err := s.cfg.Gaps.Sources(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, sourcesDTO{Items: items})
	return nil
}
