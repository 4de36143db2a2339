package httpapi

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/alerts"
)

const atomContentType = "application/atom+xml; charset=utf-8"

// feedName reads ":file" as CODE.atom.
func feedName(c *gin.Context) (string, error) {
	code, ok := strings.CutSuffix(c.Param("file"), ".atom")
	if !ok || code == "" {
		return "", access.Errorf(access.NotFound, "", "feeds end in .atom")
	}
	return strings.ToUpper(code), nil
}

// countryFeed serves /feeds/countries/{ISO3}.atom.
func (s *Server) countryFeed(c *gin.Context) error {
	iso3, err := feedName(c)
	if err != nil {
		return err
	}
	c.Params = append(c.Params, gin.Param{Key: "iso3", Value: iso3})
	if iso3, err = iso3Param(c); err != nil {
		return err
	}
	return s.serveFeed(c, func() (alerts.Feed, error) { return s.feeds.CountryFeed(c.Request.Context(), iso3) })
}

// regionFeed serves /feeds/regions/{CODE}.atom.
func (s *Server) regionFeed(c *gin.Context) error {
	code, err := feedName(c)
	if err != nil {
		return err
	}
	return s.serveFeed(c, func() (alerts.Feed, error) { return s.feeds.GroupFeed(c.Request.Context(), access.GroupRegion, code) })
}

// worldFeed serves /feeds/world.atom.
func (s *Server) worldFeed(c *gin.Context) error {
	return s.serveFeed(c, func() (alerts.Feed, error) {
		return s.feeds.GroupFeed(c.Request.Context(), access.GroupWorld, access.WorldCode)
	})
}

func (s *Server) serveFeed(c *gin.Context, build func() (alerts.Feed, error)) error {
	if s.feeds == nil {
		return access.Errorf(access.NotFound, "", "feeds are not configured on this server")
	}
	f, err := build()
	if err != nil {
		return err
	}
	b, err := f.Atom()
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, atomContentType, b)
	return nil
}
