package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// APIPrefix is where every API route lives.
const APIPrefix = "/api/v1"

func (s *Server) routes() error {
	e := s.engine
	s.precompressed = map[string]bool{}
	for _, p := range []string{"/countries/:iso3/gaps", "/regions/:code/gaps", "/income-groups/:code/gaps", "/world/gaps"} {
		s.precompressed[APIPrefix+p] = true
	}
	s.precompressed["/metrics"] = true // promhttp compresses by itself
	e.Use(s.requestID, s.observe, s.recovery, s.gzipMiddleware())
	if len(s.cfg.CORSOrigins) > 0 {
		mw, err := corsMiddleware(s.cfg.CORSOrigins)
		if err != nil {
			return err
		}
		e.Use(mw)
	}
	e.NoRoute(s.handle(func(c *gin.Context) error {
		if s.site != nil && wantsPage(c.Request) {
			s.site.NotFound(c.Writer, c.Request)
			return nil
		}
		return problemf(http.StatusNotFound, "no route %s %s", c.Request.Method, c.Request.URL.Path)
	}))
	e.NoMethod(s.handle(func(c *gin.Context) error {
		return problemf(http.StatusMethodNotAllowed, "method %s is not allowed here", c.Request.Method)
	}))

	s.operationsRoutes(e)
	s.feedRoutes(e)

	api := e.Group(APIPrefix, s.authenticate, s.rateLimit, s.limitBody)
	api.GET("/openapi.json", s.openAPI)
	api.GET("/problems", s.listProblemTypes)

	s.referenceRoutes(api)
	s.figuresRoutes(api)
	s.scheduleRoutes(api)
	s.dataRoutes(api)
	s.uploadRoutes(api)
	s.adminRoutes(api)

	// HTML pages for people (internal/web).
	return s.mountPages(e)
}

// operationsRoutes registers the routes of health, readiness and metrics.
func (s *Server) operationsRoutes(e *gin.Engine) {
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	if !s.cfg.MetricsElsewhere {
		e.GET("/metrics", gin.WrapH(promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{})))
	}
}

// feedRoutes registers the routes of the Atom feeds.
func (s *Server) feedRoutes(e *gin.Engine) {
	feeds := e.Group("/feeds", s.authenticate, s.rateLimit)
	feeds.GET("/countries/:file", s.handle(s.countryFeed))
	feeds.GET("/regions/:file", s.handle(s.regionFeed))
	feeds.GET("/world.atom", s.handle(s.worldFeed))
}

// referenceRoutes registers the routes of reference data.
func (s *Server) referenceRoutes(api *gin.RouterGroup) {
	// Reference data.
	api.GET("/countries", s.handle(s.listCountries))
	api.GET("/countries/:iso3", s.handle(s.getCountry))
	api.GET("/drugs", s.handle(s.listDrugs))
	api.GET("/factor-tables", s.handle(s.listFactorTables))
	api.GET("/factor-tables/:name/:version", s.handle(s.getFactorTable))
	api.GET("/glossary", s.handle(s.glossary))
}

// figuresRoutes registers the routes of the gap figures, report packs and downloads.
func (s *Server) figuresRoutes(api *gin.RouterGroup) {
	// Gap figures.
	api.GET("/countries/:iso3/gaps", s.handle(s.countryGaps))
	api.GET("/gaps", s.handle(s.rankGaps))
	api.GET("/regions/:code/gaps", s.handle(s.groupGaps))
	api.GET("/income-groups/:code/gaps", s.handle(s.groupGaps))
	api.GET("/world/gaps", s.handle(s.groupGaps))
	api.GET("/countries/:iso3/supply-estimate", s.handle(s.supplyEstimate))

	// Report packs and downloads.
	api.GET("/countries/:iso3/report.xlsx", s.handle(s.countryReport))
	api.GET("/countries/:iso3/drugs.csv", s.handle(s.countryDrugsCSV))
	api.GET("/regions/:code/report.xlsx", s.handle(s.groupReport))
	api.GET("/income-groups/:code/report.xlsx", s.handle(s.groupReport))
	api.GET("/world/report.xlsx", s.handle(s.groupReport))
	api.GET("/download/gaps.csv", s.handle(s.downloadGaps))
	api.GET("/download/gaps.xlsx", s.handle(s.downloadGaps))
}

// scheduleRoutes registers the routes of scheduled reports and webhooks.
func (s *Server) scheduleRoutes(api *gin.RouterGroup) {
	// Scheduled reports (admin).
	api.POST("/schedules", s.handle(s.createSchedule))
	api.GET("/schedules", s.handle(s.listSchedules))
	api.GET("/schedules/:id", s.handle(s.getSchedule))
	api.PATCH("/schedules/:id", s.handle(s.patchSchedule))
	api.DELETE("/schedules/:id", s.handle(s.deleteSchedule))
	api.POST("/schedules/:id/run", s.handle(s.runSchedule))
	api.GET("/schedules/:id/runs", s.handle(s.scheduleRuns))
	api.GET("/report-runs/:id/file", s.handle(s.runFile))

	// Webhooks (admin).
	api.POST("/webhooks", s.handle(s.createWebhook))
	api.GET("/webhooks", s.handle(s.listWebhooks))
	api.DELETE("/webhooks/:id", s.handle(s.deleteWebhook))
	api.GET("/webhooks/:id/deliveries", s.handle(s.webhookDeliveries))
}

// dataRoutes registers the routes of published values with lineage.
func (s *Server) dataRoutes(api *gin.RouterGroup) {
	// Published values with lineage.
	api.GET("/countries/:iso3/consumption", s.handle(s.countryConsumption))
	api.GET("/countries/:iso3/estimates", s.handle(s.countryEstimates))
	api.GET("/countries/:iso3/population", s.handle(s.countryPopulation))
	api.GET("/countries/:iso3/deaths", s.handle(s.countryDeaths))
	api.GET("/countries/:iso3/availability", s.handle(s.countryAvailability))
	api.GET("/medicines", s.handle(s.listMedicines))
}

// uploadRoutes registers the routes of uploads and publication.
func (s *Server) uploadRoutes(api *gin.RouterGroup) {
	// Uploads and publication.
	api.POST("/uploads", s.handle(s.createUpload))
	api.GET("/uploads", s.handle(s.listUploads))
	api.GET("/uploads/:id", s.handle(s.getUpload))
	api.GET("/uploads/:id/file", s.handle(s.uploadFile))
	api.GET("/uploads/:id/annotated.xlsx", s.handle(s.annotatedUpload))
	api.POST("/uploads/:id/publish", s.handle(s.publishUpload))
	api.POST("/uploads/:id/reject", s.handle(s.rejectUpload))
	api.GET("/templates/:file", s.handle(s.template))
}

// adminRoutes registers the routes of jobs, settings, sources, keys and the audit log.
func (s *Server) adminRoutes(api *gin.RouterGroup) {
	// Background jobs (admin).
	api.GET("/jobs", s.handle(s.listJobs))
	api.GET("/jobs/:id", s.handle(s.getJob))
	api.POST("/jobs/:id/cancel", s.handle(s.cancelJob))
	api.POST("/jobs/:id/retry", s.handle(s.retryJob))

	// Settings that shape the figures (administrators).
	api.GET("/settings", s.handle(s.listSettings))
	api.PUT("/settings/:key", s.handle(s.putSetting))

	// Denominator series and their terms; choosing a default (administrators).
	api.GET("/sources", s.handle(s.listSources))
	api.PUT("/sources/:measure", s.handle(s.putSource))

	// API keys.
	api.POST("/keys", s.handle(s.createKey))
	api.GET("/keys", s.handle(s.listKeys))
	api.DELETE("/keys/:id", s.handle(s.revokeKey))
	api.POST("/keys/:id/rotate", s.handle(s.rotateKey))
	api.GET("/audit", s.handle(s.listAudit))
}

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok", "version": s.cfg.Version})
}

func (s *Server) readyz(c *gin.Context) {
	if err := s.cfg.Store.Ping(c.Request.Context()); err != nil {
		s.log.WarnContext(c.Request.Context(), "not ready", "err", err, "request_id", requestIDOf(c))
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}
