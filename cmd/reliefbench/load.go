package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/reliefgap/reliefgap/internal/httpapi"
)

// cmdLoad is a bounded loopback load test written in Go (no wrk needed):
// N connections for D seconds against the country gap endpoint and, in
// the same run, against httpapi.CeilingHandler serving the same bytes, so
// the ratio of the two is the figure to read. It refuses any address that
// is not loopback.
//
//	reliefbench load [--url http://127.0.0.1:8080/api/v1/countries/USA/gaps] [--pid N]
//	                 [--data ../shared/data] [--connections 50] [--duration 10s]
//
// Without --url it serves the API itself (as "api" does), in this process,
// and reports this process's memory; with --url it loads a running server
// and, given --pid, reports that process's resident memory from /proc.
func cmdLoad(ctx context.Context, args []string) error {
	fl := flag.NewFlagSet("load", flag.ContinueOnError)
	target := fl.String("url", "", "full URL of the endpoint on a running server (loopback only); empty serves the API in this process")
	path := fl.String("path", "/api/v1/countries/USA/gaps", "request path when serving the API in this process")
	data := fl.String("data", "../shared/data", "shared data directory for the in-process API (the demo data when absent)")
	pid := fl.Int("pid", 0, "process id of the server at --url, for its resident memory")
	conns := fl.Int("connections", 50, "concurrent connections (1 to 1000)")
	duration := fl.Duration("duration", 10*time.Second, "how long each endpoint is loaded (at most 5m)")
	if err := fl.Parse(args); err != nil {
		return errUsage
	}
	if *conns < 1 || *conns > 1000 || *duration <= 0 || *duration > 5*time.Minute {
		return fmt.Errorf("%w: --connections 1..1000 and --duration up to 5m", errUsage)
	}
	realURL := *target
	source := "the server at " + *target
	serverPID := *pid
	if realURL == "" {
		base, src, stop, err := startAPI(ctx, *data)
		if err != nil {
			return err
		}
		defer stop()
		realURL, source, serverPID = base+*path, src, os.Getpid()
	}
	if err := loopbackOnly(realURL); err != nil {
		return err
	}
	resp, err := http.Get(realURL)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", realURL, resp.Status)
	}
	u, _ := url.Parse(realURL)
	ceilBase, stopCeil, err := serve(httpapi.CeilingHandler(body, resp.Header.Get("ETag")))
	if err != nil {
		return err
	}
	defer stopCeil()
	fmt.Printf("data: %s\nGET %s: %d bytes; %d connections for %s each\n\n", source, realURL, len(body), *conns, *duration)
	var results []loadResult
	for _, t := range []struct{ name, url string }{{"real", realURL}, {"ceiling", ceilBase + u.RequestURI()}} {
		r := runLoad(ctx, t.url, *conns, *duration)
		r.name = t.name
		if t.name == "real" && serverPID > 0 {
			r.rss, r.hwm = procMemory(serverPID)
		}
		results = append(results, r)
		fmt.Println(r)
	}
	if c := results[1].rps(); c > 0 {
		fmt.Printf("\nreal / ceiling requests per second: %.1f%%\n", 100*results[0].rps()/c)
	}
	return nil
}

// loopbackOnly refuses any host but a loopback address: this is a load
// generator, and it must not be pointed at anyone else's service.
func loopbackOnly(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" {
		return fmt.Errorf("%w: --url must be an http:// URL on 127.0.0.1", errUsage)
	}
	ip := net.ParseIP(u.Hostname())
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%w: --url host %q is not a loopback address (127.0.0.1 or ::1)", errUsage, u.Hostname())
	}
	return nil
}

type loadResult struct {
	name      string
	requests  int
	errors    int // transport errors and non-2xx/304 answers
	elapsed   time.Duration
	latencies []time.Duration
	rss, hwm  int64 // server resident memory now and at its peak, bytes (0: unknown)
}

func (r loadResult) rps() float64 { return float64(r.requests) / r.elapsed.Seconds() }

func (r loadResult) quantile(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[min(len(r.latencies)-1, int(q*float64(len(r.latencies))))]
}

func (r loadResult) String() string {
	s := fmt.Sprintf("%-8s %8.0f req/s  p50 %8s  p99 %8s  requests %d  errors %d (%.2f%%)", r.name, r.rps(),
		r.quantile(0.50).Round(10*time.Microsecond), r.quantile(0.99).Round(10*time.Microsecond), r.requests, r.errors,
		100*float64(r.errors)/float64(max(r.requests, 1)))
	if r.rss > 0 {
		s += fmt.Sprintf("  server RSS %.0f MiB (peak %.0f MiB)", float64(r.rss)/(1<<20), float64(r.hwm)/(1<<20))
	}
	return s
}

// runLoad sends requests to target on conns keep-alive connections for d.
// Latencies are kept per worker (at most one slice per connection) and
// merged at the end; memory grows with the number of requests, which d
// bounds.
func runLoad(ctx context.Context, target string, conns int, d time.Duration) loadResult {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: false}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		mu  sync.Mutex
		out loadResult
		wg  sync.WaitGroup
	)
	start := time.Now()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			n, bad := 0, 0
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
				req.Header.Set("Accept-Encoding", "gzip")
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if ctx.Err() != nil {
					break // cut off by the end of the run, not counted
				}
				n++
				if err != nil || resp.StatusCode >= 300 && resp.StatusCode != http.StatusNotModified {
					bad++
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			out.requests += n
			out.errors += bad
			out.latencies = append(out.latencies, lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	out.elapsed = time.Since(start)
	slices.Sort(out.latencies)
	return out
}

// procMemory reads VmRSS and VmHWM of a process from /proc (Linux), in bytes.
func procMemory(pid int) (rss, hwm int64) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb << 10
		case "VmHWM:":
			hwm = kb << 10
		}
	}
	return rss, hwm
}
