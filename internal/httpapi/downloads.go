package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/reports"
)

const (
	xlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	csvContentType  = "text/csv; charset=utf-8"
)

// wantsCSV reports whether the client asked for CSV: ?format=csv or an
// Accept header naming text/csv. Any other format but json is refused.
func wantsCSV(c *gin.Context) (bool, error) {
	switch f := c.Query("format"); f {
	case "csv":
		return true, nil
	case "json":
		return false, nil
	case "":
		return strings.Contains(c.GetHeader("Accept"), "text/csv"), nil
	default:
		return false, access.Errorf(access.Invalid, "", "unknown format %q: use json or csv", f)
	}
}

// safeName keeps letters, digits, '-' and '.' of a file name part.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '.':
			return r
		}
		return '_'
	}, s)
}

// cachedFile answers with the bytes kept for the response's ETag (set by
// conditional) or renders, keeps and sends them as an attachment.
func (s *Server) cachedFile(c *gin.Context, cache *respCache, contentType, filename string, render func() ([]byte, error)) error {
	etag := c.Writer.Header().Get("ETag")
	body, ok := cache.get(etag)
	if !ok || etag == "" {
		key := etag
		if key == "" {
			key = c.Request.URL.String()
		}
		// Concurrent requests for the same cold file render it once.
		v, err, _ := cache.flight.Do(key, func() (any, error) {
			b, err := render()
			if err != nil {
				return nil, err
			}
			cb := cachedBody{plain: b}
			if etag != "" {
				cache.put(etag, cb)
			}
			return cb, nil
		})
		if err != nil {
			return err
		}
		body = v.(cachedBody)
	}
	b := body.plain
	// conditional set a JSON content type; this one replaces it.
	c.Header("Content-Type", contentType)
	c.Header("Content-Disposition", fmt.Sprintf("attachment; filename=%q", safeName(filename)))
	c.Data(http.StatusOK, contentType, b)
	return nil
}

// csvOf renders a CSV writer function to bytes.
func csvOf(write func(*bytes.Buffer) error) ([]byte, error) {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// countryReport serves a country's report pack.
func (s *Server) countryReport(c *gin.Context) error {
	iso3, err := iso3Param(c)
	if err != nil {
		return err
	}
	var q countryGapsQuery
	if err := c.ShouldBindQuery(&q); err != nil {
		return invalid(err)
	}
	if done, err := s.figuresConditional(c, q.Model, "xlsx", q.AsOf); done || err != nil {
		return err
	}
	return s.cachedFile(c, s.cache, xlsxContentType, fmt.Sprintf("reliefgap-%s-%d-%d.xlsx", iso3, q.From, q.To), func() ([]byte, error) {
		r, err := s.reports.At(q.AsOf).CountryReport(c.Request.Context(), iso3, q.From, q.To, q.Model)
		if err != nil {
			return nil, err
		}
		return reports.CountryReportXLSX(r)
	})
}

// groupKind reads the kind and code of a group route.
func groupKind(c *gin.Context) (access.GroupKind, string) {
	switch {
	case strings.HasPrefix(c.FullPath(), APIPrefix+"/regions/"):
		return access.GroupRegion, strings.ToUpper(c.Param("code"))
	case strings.HasPrefix(c.FullPath(), APIPrefix+"/income-groups/"):
		return access.GroupIncome, strings.ToUpper(c.Param("code"))
	}
	return access.GroupWorld, access.WorldCode
}

// groupReport serves a region's, income group's or the world's pack.
func (s *Server) groupReport(c *gin.Context) error {
	var q groupGapsQuery
	if err := c.ShouldBindQuery(&q); err != nil {
		return invalid(err)
	}
	kind, code := groupKind(c)
	if done, err := s.figuresConditional(c, q.Model, "xlsx", q.AsOf); done || err != nil {
		return err
	}
	return s.cachedFile(c, s.cache, xlsxContentType, fmt.Sprintf("reliefgap-%s-%s-%d.xlsx", kind, code, q.Year), func() ([]byte, error) {
		r, err := s.reports.At(q.AsOf).GroupReport(c.Request.Context(), kind, code, q.Year, q.Model)
		if err != nil {
			return nil, err
		}
		return reports.GroupReportXLSX(r)
	})
}

type downloadQuery struct {
	Model string `form:"model" binding:"max=64"`
	AsOf  int64  `form:"as_of" binding:"omitempty,min=1"`
}

// downloadGaps serves the full data set as CSV or xlsx, built once per data
// version (and need model): the ETag includes the data version.
func (s *Server) downloadGaps(c *gin.Context) error {
	var q downloadQuery
	if err := c.ShouldBindQuery(&q); err != nil {
		return invalid(err)
	}
	asCSV := strings.HasSuffix(c.FullPath(), ".csv")
	if done, err := s.figuresConditional(c, q.Model, "", q.AsOf); done || err != nil {
		return err
	}
	ct, name := xlsxContentType, "reliefgap-gaps.xlsx"
	if asCSV {
		ct, name = csvContentType, "reliefgap-gaps.csv"
		// One Link header: the describing workbook, then the permalink.
		link := fmt.Sprintf("<%s/download/gaps.xlsx>; rel=\"describedby\"", APIPrefix)
		if canon := c.Writer.Header().Get("Link"); canon != "" {
			link += ", " + canon
		}
		c.Header("Link", link)
	}
	return s.cachedFile(c, s.downloads, ct, name, func() ([]byte, error) {
		d, err := s.reports.At(q.AsOf).DataSet(c.Request.Context(), q.Model)
		if err != nil {
			return nil, err
		}
		if asCSV {
			return csvOf(func(b *bytes.Buffer) error { return reports.DataSetCSV(b, d) })
		}
		return reports.DataSetXLSX(d)
	})
}

// countryGapsCSV answers /countries/:iso3/gaps as CSV, one row per year.
func (s *Server) countryGapsCSV(c *gin.Context, iso3 string, q countryGapsQuery) error {
	if done, err := s.figuresConditional(c, q.Model, "csv", q.AsOf); done || err != nil {
		return err
	}
	return s.cachedFile(c, s.cache, csvContentType, fmt.Sprintf("reliefgap-%s-gaps.csv", iso3), func() ([]byte, error) {
		g, err := s.cfg.Gaps.At(q.AsOf).Country(c.Request.Context(), iso3, q.From, q.To, q.Model)
		if err != nil {
			return nil, err
		}
		return csvOf(func(b *bytes.Buffer) error { return reports.CountryCSV(b, g) })
	})
}

// countryDrugsCSV serves /countries/:iso3/drugs.csv: one row per year and drug.
func (s *Server) countryDrugsCSV(c *gin.Context) error {
	iso3, err := iso3Param(c)
	if err != nil {
		return err
	}
	var q countryGapsQuery
	if err := c.ShouldBindQuery(&q); err != nil {
		return invalid(err)
	}
	if done, err := s.figuresConditional(c, q.Model, "csv", q.AsOf); done || err != nil {
		return err
	}
	return s.cachedFile(c, s.cache, csvContentType, fmt.Sprintf("reliefgap-%s-drugs.csv", iso3), func() ([]byte, error) {
		g, err := s.cfg.Gaps.At(q.AsOf).Country(c.Request.Context(), iso3, q.From, q.To, q.Model)
		if err != nil {
			return nil, err
		}
		return csvOf(func(b *bytes.Buffer) error { return reports.DrugsCSV(b, []access.CountryGaps{g}) })
	})
}

// groupGapsCSV answers a group's figures as CSV: its ranking, one row per
// ranked country.
func (s *Server) groupGapsCSV(c *gin.Context, kind access.GroupKind, code string, q groupGapsQuery) error {
	if done, err := s.conditional(c, q.Model, "csv"); done || err != nil {
		return err
	}
	return s.cachedFile(c, s.cache, csvContentType, fmt.Sprintf("reliefgap-%s-%s-%d.csv", kind, code, q.Year), func() ([]byte, error) {
		g, err := s.cfg.Gaps.Group(c.Request.Context(), kind, code, q.Year, q.Model)
		if err != nil {
			return nil, err
		}
		return csvOf(func(b *bytes.Buffer) error { return reports.GroupRankingCSV(b, g) })
	})
}

// rankCSV answers /gaps as CSV: every ranked country, not one page.
func (s *Server) rankCSV(c *gin.Context, q rankQuery) error {
	if done, err := s.conditional(c, q.Model, "csv"); done || err != nil {
		return err
	}
	return s.cachedFile(c, s.cache, csvContentType, fmt.Sprintf("reliefgap-gaps-%d.csv", q.Year), func() ([]byte, error) {
		all, err := s.cfg.Gaps.All(c.Request.Context(), q.Year, q.Year, q.Model)
		if err != nil {
			return nil, err
		}
		rows, _, err := access.Rank(all, access.RankQuery{Year: q.Year, Region: q.Region, Income: q.Income, Sort: q.Sort})
		if err != nil {
			return nil, err
		}
		return csvOf(func(b *bytes.Buffer) error { return reports.RankingCSV(b, rows) })
	})
}
