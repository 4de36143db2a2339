package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/alerts"
	"github.com/reliefgap/reliefgap/internal/jobs"
	"github.com/reliefgap/reliefgap/internal/schedule"
	"github.com/reliefgap/reliefgap/internal/web"
	"github.com/reliefgap/reliefgap/reports"
)

// Store is what the HTTP adapter reads directly; *store.Store satisfies it.
// Writes go through the services in internal/access, which audit them.
type Store interface {
	Ping(ctx context.Context) error
	Countries(ctx context.Context) ([]access.Country, error)
	Country(ctx context.Context, iso3 string) (access.Country, error)
	Drugs(ctx context.Context) ([]access.Drug, error)
	FactorTables(ctx context.Context) ([]access.FactorTable, error)
	FactorTable(ctx context.Context, name string, version int) (access.FactorTable, error)
	Inputs(ctx context.Context, f access.InputFilter) (map[string]*access.CountryInputs, error)
	DataVersion(ctx context.Context) (int64, error)
	Upload(ctx context.Context, id int64) (access.Upload, error)
	Uploads(ctx context.Context, f access.UploadFilter) ([]access.Upload, error)
	Blob(ctx context.Context, sha string) ([]byte, error)
	Jobs(ctx context.Context, f access.JobFilter) ([]access.Job, error)
}

// Config is what New needs. Store, Imports, Gaps and Keys are required.
type Config struct {
	Store   Store
	Imports *access.ImportService
	Gaps    *access.GapService
	Keys    *access.KeyService
	// Jobs lets administrators list, cancel and retry background jobs;
	// Runner runs them (New starts it, Close stops it, putting unfinished
	// jobs back in the queue). Without a Runner, uploads are processed in
	// the request, and jobs left queued wait for a process that has one.
	Jobs   *access.JobService
	Runner *jobs.Runner
	// Annotate returns the uploaded file as a workbook with its problems
	// marked in place; Template returns an empty workbook for a kind.
	Annotate func(filename string, data []byte, problems []access.Problem) ([]byte, error)
	Template func(kind access.ImportKind) ([]byte, error)
	// CountryTemplate returns a template with the country filled in; a
	// ministry key gets its own country's. Supply computes supply
	// estimates; when nil it is built on Store if Store can serve it.
	CountryTemplate func(kind access.ImportKind, iso3 string) ([]byte, error)
	Supply          *access.SupplyService
	Logger          *slog.Logger
	Version         string
	// MaxUploadBytes bounds an uploaded file (default 20 MiB).
	MaxUploadBytes int64
	// TrustedProxies are the proxies whose X-Forwarded-For is believed;
	// none by default, so the client IP is the peer address.
	TrustedProxies []string
	// CORSOrigins may call the API from a browser; none by default.
	CORSOrigins []string
	RateLimit   RateLimits
	// AsyncThreshold: uploads larger than this are parsed in the background
	// (default 256 KiB).
	AsyncThreshold int64
	// ProcessTimeout bounds the processing of one upload (default 10
	// minutes); past it the upload fails, retryable.
	ProcessTimeout time.Duration
	// Registry receives the HTTP metrics; a private one is made when nil.
	Registry *prometheus.Registry
	// Sessions signs browsers in to the ministry pages; made from Store and
	// Keys when nil and the store keeps sessions.
	Sessions *access.SessionService
	// Reports assembles report packs and the full data set; when nil, one
	// is made from Gaps and Store (which must then satisfy reports.BuildStore).
	Reports *reports.Builder
	// Schedules manages scheduled reports; without it the schedule routes
	// answer 404.
	Schedules *schedule.Service
	// Feeds builds the Atom feeds; when nil, one is made from Gaps and
	// Store if Store offers what alerts.Store needs.
	Feeds *alerts.Service
	// Webhooks manages administrators' webhooks; without it their routes
	// answer 404.
	Webhooks *alerts.Webhooks
	// MetricsElsewhere leaves /metrics off this handler: the registry is
	// served on a separate listener (serve --metrics-addr).
	MetricsElsewhere bool
	// Settings changes the figures settings; when nil it is built on the
	// gap service's store, if that store can write settings.
	Settings *access.SettingsService
}

const (
	defaultMaxUpload      = 20 << 20
	defaultAsyncThreshold = 256 << 10
	defaultProcessTimeout = 10 * time.Minute
	// multipartOverhead is what a multipart body may hold beyond the file:
	// boundaries, part headers and the small form fields.
	multipartOverhead = 1 << 20
	// maxJSONBody bounds every JSON request body.
	maxJSONBody = 64 << 10
)

// Server is the HTTP API. Handler serves it; Close waits for background
// upload processing.
type Server struct {
	cfg     Config
	log     *slog.Logger
	engine  *gin.Engine
	limits  *limiters
	metrics *metrics
	cache   *respCache // encoded gap responses by ETag
	site    *web.Site  // the HTML pages
	// downloads keeps the full data set by ETag (so once per data version).
	downloads *respCache
	reports   *reports.Builder
	feeds     *alerts.Service
	// precompressed names the routes answered through cachedJSON, which
	// gzips once and keeps the bytes; the gzip middleware skips them.
	precompressed map[string]bool

	// The job runner's life.
	bgCancel context.CancelFunc
	bgDone   chan struct{}
}

// New builds the API from cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Imports == nil || cfg.Gaps == nil || cfg.Keys == nil {
		return nil, errors.New("httpapi.New: Store, Imports, Gaps and Keys are required")
	}
	if cfg.Imports.Annotate == nil {
		cfg.Imports.Annotate = cfg.Annotate // rejected uploads' workbooks built once, by the service
	}
	if ss, ok := cfg.Store.(access.SupplyStore); ok && cfg.Supply == nil {
		cfg.Supply = &access.SupplyService{Store: ss}
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = defaultMaxUpload
	}
	if cfg.AsyncThreshold <= 0 {
		cfg.AsyncThreshold = defaultAsyncThreshold
	}
	if cfg.ProcessTimeout <= 0 {
		cfg.ProcessTimeout = defaultProcessTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
		cfg.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	if st, ok := cfg.Gaps.Store.(access.SettingsStore); ok && cfg.Settings == nil {
		cfg.Settings = &access.SettingsService{Store: st}
	}
	cfg.RateLimit = cfg.RateLimit.withDefaults()
	m, err := newMetrics(cfg.Registry)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger, limits: newLimiters(cfg.RateLimit), metrics: m, cache: newRespCache(1024),
		downloads: newRespCache(4), reports: cfg.Reports}
	if s.reports == nil {
		bs, ok := cfg.Store.(reports.BuildStore)
		if !ok {
			return nil, errors.New("httpapi.New: Reports is required when Store cannot list keys")
		}
		s.reports = &reports.Builder{Gaps: cfg.Gaps, Store: bs}
	}
	s.feeds = cfg.Feeds
	if fs, ok := cfg.Store.(alerts.Store); ok && s.feeds == nil {
		s.feeds = &alerts.Service{Gaps: cfg.Gaps, Store: fs}
	}
	s.bgDone = make(chan struct{})
	if r := cfg.Runner; r != nil {
		if r.Timeout <= 0 {
			r.Timeout = cfg.ProcessTimeout
		}
		r.Register(access.JobImport, cfg.Imports.RunImportJob)
		var bg context.Context
		bg, s.bgCancel = context.WithCancel(context.Background())
		go func() {
			defer close(s.bgDone)
			_ = r.Run(bg)
		}()
	} else {
		close(s.bgDone)
	}

	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.ContextWithFallback = true
	e.HandleMethodNotAllowed = true
	e.RedirectTrailingSlash = false
	e.MaxMultipartMemory = 8 << 20
	if err := e.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, err
	}
	s.engine = e
	if err := s.routes(); err != nil {
		return nil, err
	}
	return s, nil
}

// Registry is the Prometheus registry the server's metrics are in.
func (s *Server) Registry() *prometheus.Registry { return s.cfg.Registry }

// Handler returns the http.Handler serving every route.
func (s *Server) Handler() http.Handler { return headAsGet(s.engine) }

// Close stops the job runner: a job still running is cancelled, its
// transaction rolls back, and it goes back to the queue (its upload stays
// validating) to be resumed by the next process; shutdown is no failure.
// Close waits for that, or for ctx.
func (s *Server) Close(ctx context.Context) error {
	if s.bgCancel != nil {
		s.bgCancel()
	}
	select {
	case <-s.bgDone:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Route is one registered method and path, in gin's :param syntax.
type Route struct{ Method, Path string }

// Routes lists every registered route.
func (s *Server) Routes() []Route {
	var out []Route
	for _, r := range s.engine.Routes() {
		out = append(out, Route{Method: r.Method, Path: r.Path})
	}
	return out
}
