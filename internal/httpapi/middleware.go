package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/gin-contrib/cors"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

// RequestIDHeader carries the request id in and out.
const RequestIDHeader = "X-Request-ID"

const ctxRequestID = "reliefgap.request_id"

// saneRequestID accepts ids a proxy or client might send, and nothing that
// could forge a log line.
var saneRequestID = regexp.MustCompile(`^[A-Za-z0-9._:\-]{1,128}$`)

func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader(RequestIDHeader)
	if !saneRequestID.MatchString(id) {
		var b [12]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	c.Set(ctxRequestID, id)
	c.Header(RequestIDHeader, id)
	c.Next()
}

func requestIDOf(c *gin.Context) string { return c.GetString(ctxRequestID) }

// recovery turns a panic into a 500 problem document.
func (s *Server) recovery(c *gin.Context) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v)
		}
		s.metrics.panics.Inc()
		s.log.ErrorContext(c.Request.Context(), "panic", "panic", v, "request_id", requestIDOf(c),
			"route", c.FullPath(), "stack", string(debug.Stack()))
		if c.Writer.Written() {
			c.Abort()
			return
		}
		s.writeError(c, errors.New("panic"))
	}()
	c.Next()
}

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	panics   prometheus.Counter
}

func newMetrics(reg *prometheus.Registry) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "reliefgap_http_requests_total",
			Help: "HTTP requests by route template, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "reliefgap_http_request_duration_seconds",
			Help:    "HTTP request latency by route template and status.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method", "status"}),
	}
	m.panics = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "reliefgap_http_panics_total",
		Help: "Requests whose handler panicked (answered 500).",
	})
	for _, col := range []prometheus.Collector{m.requests, m.latency, m.panics} {
		if err := reg.Register(col); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// observe logs every request and counts it by route template.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	elapsed := time.Since(start)
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	st := strconv.Itoa(status)
	s.metrics.requests.WithLabelValues(route, c.Request.Method, st).Inc()
	s.metrics.latency.WithLabelValues(route, c.Request.Method, st).Observe(elapsed.Seconds())
	attrs := []any{"method", c.Request.Method, "route", route, "path", c.Request.URL.Path, "status", status,
		"latency_seconds", elapsed.Seconds(), "request_id", requestIDOf(c), "ip", c.ClientIP(),
		"bytes", c.Writer.Size(), "user_agent", c.Request.UserAgent()}
	if p, ok := principalOf(c); ok && p.KeyID != 0 {
		attrs = append(attrs, "key_id", p.KeyID, "role", string(p.Role))
	}
	level := s.log.InfoContext
	if status >= 500 {
		level = s.log.ErrorContext
	}
	level(c.Request.Context(), "request", attrs...)
}

// limitBody bounds JSON bodies; uploads set their own, larger, limit.
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.Body != nil && c.Request.Method != http.MethodGet && c.FullPath() != APIPrefix+"/uploads" {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxJSONBody)
	}
	c.Next()
}

func corsMiddleware(origins []string) (gin.HandlerFunc, error) {
	cfg := cors.Config{
		AllowOrigins:     origins,
		AllowMethods:     []string{http.MethodGet, http.MethodPost, http.MethodDelete, http.MethodOptions},
		AllowHeaders:     []string{"Authorization", "Content-Type", "If-None-Match", RequestIDHeader},
		ExposeHeaders:    []string{"ETag", "Location", "Retry-After", RequestIDHeader},
		AllowCredentials: false,
		MaxAge:           10 * time.Minute,
	}
	if len(origins) == 1 && origins[0] == "*" {
		cfg.AllowOrigins, cfg.AllowAllOrigins = nil, true
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cors.New(cfg), nil
}

// jsonEncode writes v as JSON without HTML escaping.
func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
