package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"time"

	"github.com/reliefgap/reliefgap/importers"
	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/demo"
	"github.com/reliefgap/reliefgap/internal/httpapi"
	"github.com/reliefgap/reliefgap/internal/store"
)

// cmdAPI serves the real API and a ceiling handler on loopback ports and
// load-tests GET /api/v1/countries/USA/gaps on both with wrk.
func cmdAPI(ctx context.Context, args []string) error {
	fl := flag.NewFlagSet("api", flag.ContinueOnError)
	data := fl.String("data", "../shared/data", "shared data directory (the demo data is used when it is absent)")
	path := fl.String("path", "/api/v1/countries/USA/gaps", "request path")
	duration := fl.Duration("duration", 15*time.Second, "wrk duration for each server")
	conns := fl.Int("connections", 50, "wrk connections")
	threads := fl.Int("threads", 2, "wrk threads")
	wrk := fl.String("wrk", "wrk", "wrk binary")
	if err := fl.Parse(args); err != nil {
		return errUsage
	}
	realURL, source, stopReal, err := startAPI(ctx, *data)
	if err != nil {
		return err
	}
	defer stopReal()

	resp, err := http.Get(realURL + *path)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", *path, resp.Status, body)
	}
	etag := resp.Header.Get("ETag")
	ceilURL, stopCeil, err := serve(httpapi.CeilingHandler(body, etag))
	if err != nil {
		return err
	}
	defer stopCeil()
	fmt.Printf("data: %s\nGET %s: %d bytes, ETag %s\n\n", source, *path, len(body), etag)

	for _, t := range []struct{ name, url string }{{"real", realURL + *path}, {"ceiling", ceilURL + *path}} {
		fmt.Printf("== %s: %s -t%d -c%d -d%s --latency %s (load before: %s)\n", t.name, *wrk, *threads, *conns, *duration, t.url, loadavg())
		out, err := exec.CommandContext(ctx, *wrk, fmt.Sprintf("-t%d", *threads), fmt.Sprintf("-c%d", *conns),
			fmt.Sprintf("-d%s", *duration), "--latency", t.url).CombinedOutput()
		os.Stdout.Write(out)
		if err != nil {
			return fmt.Errorf("wrk: %w", err)
		}
		fmt.Printf("summary %s: %s req/s, p50 %s, p99 %s, non-2xx %s, socket errors %q\n\n", t.name,
			find(out, `Requests/sec:\s+(\S+)`), find(out, `\s50%\s+(\S+)`), find(out, `\s99%\s+(\S+)`),
			or0(find(out, `Non-2xx or 3xx responses:\s+(\d+)`)), find(out, `Socket errors:\s+([^\n]+)`))
	}
	return nil
}

// serve serves h on a fresh loopback port.
func serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	return "http://" + ln.Addr().String(), func() { hs.Close() }, nil
}

func find(b []byte, re string) string {
	m := regexp.MustCompile(re).FindSubmatch(b)
	if m == nil {
		return ""
	}
	return string(m[1])
}

func or0(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

// startAPI serves the real API, loaded with the shared data (or the demo
// data when it is absent), on a fresh loopback port.
func startAPI(ctx context.Context, data string) (realURL, source string, stop func(), err error) {
	dir, err := os.MkdirTemp("", "reliefbench-api")
	if err != nil {
		return "", "", nil, err
	}
	fail := func(err error) (string, string, func(), error) { os.RemoveAll(dir); return "", "", nil, err }
	s, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "api.db"), store.Options{Migrate: true})
	if err != nil {
		return fail(err)
	}
	imports := &access.ImportService{Store: s, Parser: importers.New()}
	source = "shared data in " + data
	if _, err := os.Stat(data); errors.Is(err, fs.ErrNotExist) {
		source = "illustrative demo data (shared data absent)"
		if _, err := demo.Load(ctx, s, imports); err != nil {
			return fail(err)
		}
	} else if err := loadShared(ctx, imports, data); err != nil {
		return fail(err)
	}
	srv, err := httpapi.New(httpapi.Config{
		Store: s, Imports: imports, Gaps: &access.GapService{Store: s}, Keys: &access.KeyService{Store: s},
		Annotate: importers.Annotate, Template: importers.Template, Version: "bench",
		// Every wrk connection comes from 127.0.0.1: the per-IP limit
		// would otherwise answer 429 to almost all of them.
		RateLimit: httpapi.RateLimits{Disabled: true},
	})
	if err != nil {
		return fail(err)
	}
	var real http.Handler
	var stopReal func()
	switch h := any(srv).(type) {
	case http.Handler:
		real = h
	case interface{ Handler() http.Handler }:
		real = h.Handler()
	default:
		return fail(errors.New("httpapi.Server is neither an http.Handler nor has Handler()"))
	}
	realURL, stopReal, err = serve(real)
	if err != nil {
		return fail(err)
	}
	stopAll := func() { stopReal(); s.Close(); os.RemoveAll(dir) }
	return realURL, source, stopAll, nil
}
