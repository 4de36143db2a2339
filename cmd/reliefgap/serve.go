package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/reliefgap/reliefgap/importers"
	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/alerts"
	"github.com/reliefgap/reliefgap/internal/demo"
	"github.com/reliefgap/reliefgap/internal/httpapi"
	"github.com/reliefgap/reliefgap/internal/store"
)

// serveOptions are the settings of "reliefgap serve".
type serveOptions struct {
	addr        string
	demo        bool
	maxUpload   int64
	proxies     string
	cors        string
	metricsAddr string
	// webhookAllow lists the private or loopback targets webhooks may reach.
	webhookAllow string
	retention    time.Duration
	// Rate limits as "PER_SECOND/BURST", per client IP (public), per
	// ministry key and per advocate or administrator key; "off" disables.
	ratePublic, rateMinistry, rateElevated string
	rates                                  httpapi.RateLimits
	importWorkers                          int
	quotaKey, quotaCountry                 int64
}

func (c *cli) serveCmd() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "run the HTTP service",
		Long: `Run the HTTP service. SQLite databases are migrated when opened; PostgreSQL ones
need "reliefgap migrate" first. --demo loads an illustrative data set into an
empty database.`,
		Example: `  reliefgap serve --demo
  reliefgap serve --addr 0.0.0.0:8080 --db postgres://reliefgap@db:5432/reliefgap`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.serve(c.ctx, o, c.stdout, c.stderr)
		},
	}
	c.serveFlags(cmd.Flags(), &o)
	cmd.PreRunE = func(cmd *cobra.Command, args []string) error {
		return o.settle(cmd.Flags(), c.getenv)
	}
	return cmd
}

// serveFlags registers serve's flags on fs, with their defaults from the
// environment; settle checks and completes them.
func (c *cli) serveFlags(fs *pflag.FlagSet, o *serveOptions) {
	fs.StringVar(&o.addr, "addr", or(c.getenv("RELIEFGAP_ADDR"), "127.0.0.1:8080"), "listen address (RELIEFGAP_ADDR)")
	fs.BoolVar(&o.demo, "demo", c.getenv("RELIEFGAP_DEMO") == "1", "load illustrative demo data into an empty database (RELIEFGAP_DEMO=1)")
	fs.Int64Var(&o.maxUpload, "max-upload-bytes", 20<<20, "largest accepted upload in bytes (RELIEFGAP_MAX_UPLOAD_BYTES)")
	fs.StringVar(&o.proxies, "trusted-proxies", c.getenv("RELIEFGAP_TRUSTED_PROXIES"), "comma-separated proxy addresses or CIDRs whose X-Forwarded-For is believed (RELIEFGAP_TRUSTED_PROXIES)")
	fs.StringVar(&o.cors, "cors-origins", c.getenv("RELIEFGAP_CORS_ORIGINS"), "comma-separated origins allowed by CORS (RELIEFGAP_CORS_ORIGINS)")
	fs.StringVar(&o.webhookAllow, "webhook-allow", c.getenv("RELIEFGAP_WEBHOOK_ALLOW"), "comma-separated addresses or CIDRs of loopback, link-local or private webhook targets to allow (RELIEFGAP_WEBHOOK_ALLOW); none by default")
	fs.DurationVar(&o.retention, "retention", defaultRetention, "remove the stored bytes of dry runs and rejected uploads older than this, once a day; 0 keeps them (RELIEFGAP_RETENTION)")
	fs.StringVar(&o.metricsAddr, "metrics-addr", c.getenv("RELIEFGAP_METRICS_ADDR"), "serve /metrics on this separate address instead of the public one (RELIEFGAP_METRICS_ADDR)")
	fs.IntVar(&o.importWorkers, "import-workers", access.DefaultImportWorkers, "uploads parsed at once; more wait their turn (RELIEFGAP_IMPORT_WORKERS)")
	fs.Int64Var(&o.quotaKey, "quota-key-bytes", 512<<20, "bytes of uploaded files a ministry key may keep stored; 0 for no quota (RELIEFGAP_QUOTA_KEY_BYTES)")
	fs.Int64Var(&o.quotaCountry, "quota-country-bytes", 1<<30, "bytes of uploaded files kept stored for one country's ministry keys; 0 for no quota (RELIEFGAP_QUOTA_COUNTRY_BYTES)")
	d := httpapi.DefaultRateLimits
	fs.StringVar(&o.ratePublic, "rate-public", or(c.getenv("RELIEFGAP_RATE_PUBLIC"), fmtRate(d.Public)), "requests per second/burst per client IP without a key, or off (RELIEFGAP_RATE_PUBLIC)")
	fs.StringVar(&o.rateMinistry, "rate-ministry", or(c.getenv("RELIEFGAP_RATE_MINISTRY"), fmtRate(d.Ministry)), "requests per second/burst per ministry key (RELIEFGAP_RATE_MINISTRY)")
	fs.StringVar(&o.rateElevated, "rate-elevated", or(c.getenv("RELIEFGAP_RATE_ELEVATED"), fmtRate(d.Elevated)), "requests per second/burst per advocate or administrator key (RELIEFGAP_RATE_ELEVATED)")
	for name, key := range map[string]string{"addr": "RELIEFGAP_ADDR", "demo": "RELIEFGAP_DEMO", "max-upload-bytes": "RELIEFGAP_MAX_UPLOAD_BYTES",
		"trusted-proxies": "RELIEFGAP_TRUSTED_PROXIES", "cors-origins": "RELIEFGAP_CORS_ORIGINS", "metrics-addr": "RELIEFGAP_METRICS_ADDR", "retention": "RELIEFGAP_RETENTION", "webhook-allow": "RELIEFGAP_WEBHOOK_ALLOW",
		"rate-public": "RELIEFGAP_RATE_PUBLIC", "rate-ministry": "RELIEFGAP_RATE_MINISTRY", "rate-elevated": "RELIEFGAP_RATE_ELEVATED", "import-workers": "RELIEFGAP_IMPORT_WORKERS",
		"quota-key-bytes": "RELIEFGAP_QUOTA_KEY_BYTES", "quota-country-bytes": "RELIEFGAP_QUOTA_COUNTRY_BYTES"} {
		bindEnv(fs, name, key)
	}
}

// settle reads the settings whose flag was not given from the environment
// and checks every value: a bad one is a usage error naming it.
func (o *serveOptions) settle(flags *pflag.FlagSet, getenv env) error {
	if err := o.settleLimits(flags, getenv); err != nil {
		return err
	}
	return o.settleRates()
}

// settleLimits: upload size, parse workers, quotas and retention.
func (o *serveOptions) settleLimits(flags *pflag.FlagSet, getenv env) error {
	if !flags.Changed("max-upload-bytes") {
		n, err := envPositive(getenv, "RELIEFGAP_MAX_UPLOAD_BYTES", o.maxUpload)
		if err != nil {
			return err
		}
		o.maxUpload = n
	}
	if o.maxUpload <= 0 {
		return usageErr("--max-upload-bytes must be a positive number of bytes, got %d", o.maxUpload)
	}
	if !flags.Changed("import-workers") {
		n, err := envPositive(getenv, "RELIEFGAP_IMPORT_WORKERS", int64(o.importWorkers))
		if err != nil {
			return err
		}
		o.importWorkers = int(n)
	}
	if o.importWorkers <= 0 || o.importWorkers > 64 {
		return usageErr("--import-workers must be between 1 and 64, got %d", o.importWorkers)
	}
	for _, q := range []struct {
		flag, key string
		into      *int64
	}{{"quota-key-bytes", "RELIEFGAP_QUOTA_KEY_BYTES", &o.quotaKey}, {"quota-country-bytes", "RELIEFGAP_QUOTA_COUNTRY_BYTES", &o.quotaCountry}} {
		if !flags.Changed(q.flag) {
			if v := strings.TrimSpace(getenv(q.key)); v != "" {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					return usageErr("%s=%q is not a number of bytes", q.key, v)
				}
				*q.into = n
			}
		}
		if *q.into < 0 {
			return usageErr("--%s cannot be negative", q.flag)
		}
	}
	if !flags.Changed("retention") {
		if v := strings.TrimSpace(getenv("RELIEFGAP_RETENTION")); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return usageErr("RELIEFGAP_RETENTION=%q is not a duration such as 2160h (0 keeps everything)", v)
			}
			o.retention = d
		}
	}
	if o.retention < 0 {
		return usageErr("--retention cannot be negative")
	}
	return nil
}

// settleRates parses the three rate limits; off turns them all off.
func (o *serveOptions) settleRates() error {
	o.rates = httpapi.DefaultRateLimits
	off := 0
	for _, r := range []struct {
		flag, val string
		into      *httpapi.Limit
	}{{"rate-public", o.ratePublic, &o.rates.Public}, {"rate-ministry", o.rateMinistry, &o.rates.Ministry}, {"rate-elevated", o.rateElevated, &o.rates.Elevated}} {
		if strings.EqualFold(r.val, "off") {
			off++
			continue
		}
		l, err := parseRate(r.val)
		if err != nil {
			return usageErr("--%s %q: %v", r.flag, r.val, err)
		}
		*r.into = l
	}
	if off == 3 {
		o.rates.Disabled = true
	} else if off > 0 {
		return usageErr("rate limits are turned off all together: give off to --rate-public, --rate-ministry and --rate-elevated, or to none")
	}
	return nil
}

func (c *cli) serve(ctx context.Context, o serveOptions, stdout, stderr io.Writer) error {
	g := &c.g
	addr, loadDemo, maxUpload, proxies, cors := &o.addr, &o.demo, &o.maxUpload, &o.proxies, &o.cors
	a, err := openApp(ctx, g, stderr, false)
	if err != nil {
		return err
	}
	defer a.Close()
	a.imports.Limits.MaxBytes = *maxUpload
	a.imports.Workers = o.importWorkers
	a.imports.Quota = access.StorageQuota{PerKey: o.quotaKey, PerCountry: o.quotaCountry}
	if *loadDemo {
		res, err := demo.Load(ctx, a.store, a.imports)
		if err != nil {
			return fmt.Errorf("loading demo data: %w", err)
		}
		if res.Loaded {
			a.log.Info("loaded illustrative demo data", "uploads", res.Uploads, "countries", res.Countries)
		} else {
			a.log.Info("demo data not loaded", "reason", res.Reason)
		}
	}
	runner, err := c.newRunner(a)
	if err != nil {
		return err
	}
	reportInterrupted(ctx, a, stderr, true)
	if len(g.secretKey) == 0 {
		a.log.Info("webhook secrets are stored as they are; set " + secretKeyEnv + " (openssl rand -base64 32) to seal them")
	}
	allow, err := alerts.ParseAllow(o.webhookAllow)
	if err != nil {
		return usageErr("--webhook-allow: %v", err)
	}
	schedules, hooks, stopSchedules := a.startSchedules(ctx, alerts.Guard{Allow: allow}, runner)
	defer stopSchedules()
	reg := newRegistry(a.store, buildVersion())
	a.imports.Observer = registerImportMetrics(reg, a.store)
	srv, err := httpapi.New(httpapi.Config{
		Schedules: schedules,
		Webhooks:  hooks,
		Store:     a.store, Imports: a.imports, Gaps: a.gaps, Keys: a.keys,
		Jobs: a.jobService(), Runner: runner,
		Annotate: importers.Annotate, Template: importers.Template,
		CountryTemplate: importers.CountryTemplate, Supply: &access.SupplyService{Store: a.store},
		Logger: a.log, Version: buildVersion(), MaxUploadBytes: *maxUpload,
		TrustedProxies: splitList(*proxies), CORSOrigins: splitList(*cors),
		RateLimit: o.rates, Registry: reg, MetricsElsewhere: o.metricsAddr != "",
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	a.log.Info("serving", "addr", ln.Addr().String(), "db", store.Redact(g.db), "version", buildVersion())
	if g.logFormat != "json" { // JSON logs stay pure JSON: the "serving" record carries the address
		fmt.Fprintf(stdout, "reliefgap listening on http://%s\n", ln.Addr())
	}
	if o.retention > 0 {
		go retentionLoop(ctx, a, o.retention)
	}
	errc := make(chan error, 2)
	go func() { errc <- hs.Serve(ln) }()
	if o.metricsAddr != "" {
		ms, err := serveMetrics(o.metricsAddr, srv.Registry(), errc)
		if err != nil {
			return err
		}
		defer ms.Close()
		a.log.Info("serving metrics", "addr", o.metricsAddr)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if err := srv.Close(sctx); err != nil {
		a.log.Warn("background jobs did not stop in time", "err", err)
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// envPositive reads a positive integer from the environment; a value that
// is set but not a positive integer is a usage error naming the variable.
func envPositive(getenv env, key string, def int64) (int64, error) {
	v := strings.TrimSpace(getenv(key))
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, usageErr("%s=%q is not a positive whole number", key, v)
	}
	return n, nil
}

func fmtRate(l httpapi.Limit) string {
	return strconv.FormatFloat(l.PerSecond, 'f', -1, 64) + "/" + strconv.Itoa(l.Burst)
}

// parseRate reads "PER_SECOND/BURST" (burst defaults to four seconds' worth).
func parseRate(v string) (httpapi.Limit, error) {
	rate, burst, hasBurst := strings.Cut(strings.TrimSpace(v), "/")
	r, err := strconv.ParseFloat(rate, 64)
	if err != nil || r <= 0 || math.IsInf(r, 0) || math.IsNaN(r) {
		return httpapi.Limit{}, fmt.Errorf("want PER_SECOND/BURST with a positive rate, e.g. 5/20")
	}
	l := httpapi.Limit{PerSecond: r, Burst: int(math.Ceil(r * 4))}
	if hasBurst {
		b, err := strconv.Atoi(burst)
		if err != nil || b <= 0 {
			return httpapi.Limit{}, fmt.Errorf("the burst must be a positive whole number")
		}
		l.Burst = b
	}
	return l, nil
}

// newRegistry is the process's Prometheus registry: Go runtime, process,
// database pool statistics and build information.
func newRegistry(s *store.Store, version string) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(s.SQL(), string(s.Dialect())),
		collectors.NewBuildInfoCollector(),
	)
	info := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "reliefgap_build_info", Help: "Always 1; labelled with the version of this build."}, []string{"version", "goversion"})
	info.WithLabelValues(version, runtime.Version()).Set(1)
	reg.MustRegister(info)
	return reg
}

// serveMetrics serves reg's /metrics on its own listener.
func serveMetrics(addr string, reg *prometheus.Registry, errc chan<- error) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	ms := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := ms.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	return ms, nil
}

// retentionLoop applies the retention rule a minute after start and then
// once a day. Several replicas may run it: it is idempotent.
func retentionLoop(ctx context.Context, a *app, keep time.Duration) {
	t := time.NewTimer(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		res, err := a.store.PruneBlobs(ctx, time.Now().UTC().Add(-keep),
			access.AuditEntry{Actor: "retention", Role: access.RoleAdmin, RemoteAddr: "serve"})
		if err != nil {
			a.log.Warn("retention run failed", "err", err)
		} else if res.Files > 0 {
			a.log.Info("retention removed stored bytes", "files", res.Files, "bytes", res.Bytes)
		}
		t.Reset(24 * time.Hour)
	}
}
