package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/reliefgap/reliefgap/importers"
	"github.com/reliefgap/reliefgap/internal/demo"
	"github.com/reliefgap/reliefgap/internal/httpapi"
	"github.com/reliefgap/reliefgap/internal/store"
)

func cmdServe(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	var g globals
	fs := newFlags("serve", "serve [--addr HOST:PORT] [--demo] [--db DSN]", stderr)
	g.register(fs, getenv)
	addr := fs.String("addr", or(getenv("RELIEFGAP_ADDR"), "127.0.0.1:8080"), "listen address (RELIEFGAP_ADDR)")
	loadDemo := fs.Bool("demo", getenv("RELIEFGAP_DEMO") == "1", "load illustrative demo data into an empty database (RELIEFGAP_DEMO=1)")
	maxUpload := fs.Int64("max-upload-bytes", envInt(getenv, "RELIEFGAP_MAX_UPLOAD_BYTES", 20<<20), "largest accepted upload (RELIEFGAP_MAX_UPLOAD_BYTES)")
	proxies := fs.String("trusted-proxies", getenv("RELIEFGAP_TRUSTED_PROXIES"), "comma-separated proxy addresses or CIDRs whose X-Forwarded-For is believed (RELIEFGAP_TRUSTED_PROXIES)")
	cors := fs.String("cors-origins", getenv("RELIEFGAP_CORS_ORIGINS"), "comma-separated origins allowed by CORS (RELIEFGAP_CORS_ORIGINS)")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	a, err := openApp(ctx, &g, stderr, false)
	if err != nil {
		return err
	}
	defer a.Close()
	a.imports.Limits.MaxBytes = *maxUpload
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
	srv, err := httpapi.New(httpapi.Config{
		Store: a.store, Imports: a.imports, Gaps: a.gaps, Keys: a.keys,
		Annotate: importers.Annotate, Template: importers.Template,
		Logger: a.log, Version: version, MaxUploadBytes: *maxUpload,
		TrustedProxies: splitList(*proxies), CORSOrigins: splitList(*cors),
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
	a.log.Info("serving", "addr", ln.Addr().String(), "db", store.Redact(g.db), "version", version)
	fmt.Fprintf(stdout, "reliefgap listening on http://%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
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
		a.log.Warn("background imports did not finish", "err", err)
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

func envInt(getenv env, key string, def int64) int64 {
	if v := getenv(key); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			return n
		}
	}
	return def
}
