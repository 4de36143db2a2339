package httpapi

import (
	"context"
	"net/http"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/web"
)

// newSite builds the HTML pages on the same services as the API. Without
// a session service in the config, one is made when the store keeps
// sessions.
func (s *Server) newSite() (*web.Site, error) {
	sessions := s.cfg.Sessions
	if sessions == nil {
		if ss, ok := s.cfg.Store.(access.SessionStore); ok {
			sessions = &access.SessionService{Store: ss, Keys: s.cfg.Keys}
		}
	}
	return web.New(web.Deps{
		Store: s.cfg.Store, Gaps: s.cfg.Gaps, Imports: s.cfg.Imports, Sessions: sessions,
		Annotate: s.cfg.Annotate, Supply: s.pageSupply(),
		StatusFor: statusFor, TrustedProxies: s.cfg.TrustedProxies,
		MaxUploadBytes: s.cfg.MaxUploadBytes, Logger: s.log, Version: s.cfg.Version,
	})
}

var netHTTPParam = regexp.MustCompile(`\{([A-Za-z0-9_]+)\}`)

// mountPages routes every page through gin to the site's own mux.
func (s *Server) mountPages(e *gin.Engine) error {
	site, err := s.newSite()
	if err != nil {
		return err
	}
	s.site = site
	mux := site.Handler()
	// The client address as gin resolved it (trusted proxies considered)
	// goes along in the context, for the audit log.
	h := func(c *gin.Context) {
		mux.ServeHTTP(c.Writer, c.Request.WithContext(web.WithClientIP(c.Request.Context(), c.ClientIP())))
	}
	for _, r := range site.Routes() {
		path := netHTTPParam.ReplaceAllString(r.Path, ":$1")
		if r.Method == http.MethodPost {
			// Forms (sign-in, uploads, decisions) count against the
			// per-address limit of the API's public callers.
			e.Handle(r.Method, path, s.rateLimit, h)
		} else {
			e.Handle(r.Method, path, h)
		}
		if r.Gzipped {
			s.precompressed[path] = true // pages gzip themselves, once per ETag
		}
	}
	return nil
}

// pagesOpenAPI documents the pages: text/html for people, beside the API.
func pagesOpenAPI(site []web.Route, add func(path, method string, o obj)) {
	for _, r := range site {
		var params []obj
		for _, m := range netHTTPParam.FindAllStringSubmatch(r.Path, -1) {
			params = append(params, pathParam(m[1], m[1]))
		}
		o := obj{"operationId": "page " + r.Method + " " + r.Path, "summary": r.Summary, "tags": []string{"pages"},
			"security": []obj{{}},
			"responses": obj{
				"200": obj{"description": "an HTML page or a file", "content": obj{"text/html": obj{"schema": obj{"type": "string"}}}},
				"303": obj{"description": "redirected: to sign in, or after a form"},
			}}
		if len(params) > 0 {
			o["parameters"] = params
		}
		add(r.Path, map[string]string{"GET": "get", "POST": "post"}[r.Method], o)
	}
}

// wantsPage reports whether a request for an unknown path came from a
// browser (outside the API), which gets a page rather than a problem.
func wantsPage(r *http.Request) bool {
	return r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, APIPrefix+"/") &&
		strings.Contains(r.Header.Get("Accept"), "text/html")
}

// pageSupply is the supply estimate a country page shows: the service's,
// as the public sees it, with the default options.
func (s *Server) pageSupply() func(ctx context.Context, iso3 string, year int, model string) (*access.SupplyEstimate, error) {
	if s.cfg.Supply == nil {
		return nil
	}
	return func(ctx context.Context, iso3 string, year int, model string) (*access.SupplyEstimate, error) {
		e, err := s.cfg.Supply.Estimate(ctx, access.Principal{}, access.SupplyRequest{ISO3: iso3, Year: year, Model: model})
		if err != nil {
			return nil, err
		}
		return &e, nil
	}
}
