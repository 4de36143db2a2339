package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/reliefgap/reliefgap/importers"
	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// oneResult is what import-one reports on stdout.
type oneResult struct {
	File        string   `json:"file"`
	Bytes       int64    `json:"bytes"`
	Dialect     string   `json:"dialect"`
	Status      string   `json:"status"`
	Rows        int      `json:"rows"`
	Records     int      `json:"records"`
	Stored      int      `json:"stored"`
	Errors      int      `json:"errors"`
	Warnings    int      `json:"warnings"`
	SetupSec    float64  `json:"setup_seconds"`  // open + migrate, not counted
	ImportSec   float64  `json:"import_seconds"` // ImportService.Import
	CPUSec      float64  `json:"cpu_seconds"`    // user + system of this process, whole run
	VmHWMKiB    int64    `json:"vmhwm_kib"`      // peak resident set of this process
	MaxRSSKiB   int64    `json:"maxrss_kib"`     // getrusage, for comparison
	TotalAllocM float64  `json:"total_alloc_mib"`
	HeapSysMiB  float64  `json:"heap_sys_mib"`
	Problems    []string `json:"problems"`
}

// cmdImportOne opens a store, imports one file through the real service
// and parser, and reports time and peak memory as JSON.
func cmdImportOne(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("import-one", flag.ContinueOnError)
	file := fs.String("file", "", "file to import")
	dsn := fs.String("db", "", "sqlite:PATH or postgres://…")
	kind := fs.String("kind", "consumption", "import kind")
	before := fs.String("before", "", "a file imported first, not timed: the timed import then replaces its rows")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the import to this file")
	memprofile := fs.String("memprofile", "", "write a heap profile taken near the peak of the live heap to this file")
	traceFile := fs.String("trace", "", "write an execution trace of the import to this file (go tool trace)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *file == "" || *dsn == "" {
		return fmt.Errorf("%w: --file and --db are required", errUsage)
	}
	t0 := time.Now()
	s, err := store.Open(ctx, *dsn, store.Options{Migrate: true})
	if err != nil {
		return err
	}
	defer s.Close()
	imports := &access.ImportService{Store: s, Parser: importers.New(),
		// The generated files are larger than the 20 MiB upload default.
		Limits: access.Limits{MaxBytes: 1 << 30}}
	if *before != "" {
		res, err := imports.ImportFile(ctx, access.Operator, filepath.Base(*before), *before, access.ImportOptions{Kind: access.ImportKind(*kind), Publish: true})
		if err != nil {
			return err
		}
		if res.Upload.Status != access.StatusPublished {
			return fmt.Errorf("%s: %s, not published", *before, res.Upload.Status)
		}
	}
	setup := time.Since(t0)
	st, err := os.Stat(*file)
	if err != nil {
		return err
	}
	if *cpuprofile != "" {
		stop, err := recordTo(*cpuprofile, pprof.StartCPUProfile, pprof.StopCPUProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if *memprofile != "" {
		stop := peakHeapProfile(*memprofile)
		defer stop()
	}
	if *traceFile != "" {
		stop, err := recordTo(*traceFile, trace.Start, trace.Stop)
		if err != nil {
			return err
		}
		defer stop()
	}
	t1 := time.Now()
	// As the CLI imports a file: hashed, stored and parsed as a stream.
	res, err := imports.ImportFile(ctx, access.Operator, filepath.Base(*file), *file, access.ImportOptions{Kind: access.ImportKind(*kind), Publish: true})
	el := time.Since(t1)
	if err != nil {
		return err
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	u := res.Upload
	out := oneResult{File: *file, Bytes: st.Size(), Dialect: string(s.Dialect()), Status: string(u.Status),
		Rows: u.Counts.Rows, Records: u.Counts.Records, Stored: u.Counts.Stored, Errors: u.Counts.Errors, Warnings: u.Counts.Warnings,
		SetupSec: setup.Seconds(), ImportSec: el.Seconds(), CPUSec: cpuSeconds(), VmHWMKiB: vmHWM(), MaxRSSKiB: maxRSS(),
		TotalAllocM: float64(ms.TotalAlloc) / (1 << 20), HeapSysMiB: float64(ms.HeapSys) / (1 << 20)}
	byCode := map[string]int{}
	for _, p := range u.Problems {
		byCode[string(p.Severity)+" "+p.Code]++
	}
	for c, n := range byCode {
		out.Problems = append(out.Problems, fmt.Sprintf("%s ×%d", c, n))
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

// recordTo writes what start records (a CPU profile, an execution trace)
// to path until the returned stop is called, which ends it with end.
func recordTo(path string, start func(io.Writer) error, end func()) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := start(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { end(); f.Close() }, nil
}

// peakHeapProfile samples the live heap every 200 ms and, whenever it is
// larger than before, writes a heap profile to path (replacing the last).
func peakHeapProfile(path string) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var peak uint64
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak {
				peak = ms.HeapAlloc
				if f, err := os.Create(path); err == nil {
					_ = pprof.Lookup("heap").WriteTo(f, 0)
					f.Close()
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}

// vmHWM reads this process's peak resident set size from /proc/self/status.
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return -1
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func maxRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return ru.Maxrss
}

// importRow is one line of the import results table.
type importRow struct {
	n       int
	format  string
	target  string // sqlite, postgres, openpyxl, psql-copy
	seconds float64
	peakKiB int64
	note    string
}

func cmdImport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	rowsFlag := fs.String("rows", "10000,100000,854250", "comma-separated row counts (at most the distinct-key count)")
	dir := fs.String("dir", filepath.Join(os.TempDir(), "reliefbench-data"), "where generated files and SQLite databases go")
	pg := fs.String("pg", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL server to create scratch databases on (\"\" to skip)")
	formats := fs.String("formats", "xlsx,csv", "file formats")
	dbs := fs.String("dbs", "sqlite,postgres", "databases")
	python := fs.String("python", "/usr/bin/python3", "Python with openpyxl (\"\" to skip)")
	psql := fs.String("psql", "psql", "psql for \\copy (\"\" to skip)")
	runs := fs.Int("runs", 1, "rounds of timed runs, each import and peer once a round, in turn; the median of each is reported, with the largest peak RSS")
	replace := fs.Bool("replace", false, "also time, for each CSV size and database, an import that changes every row published by the one before")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	sizes, err := parseSizes(*rowsFlag)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	keys, err := referenceKeys(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("key space: %d countries × %d drugs × %d years = %d distinct rows\n", len(keys.countries), len(keys.drugs), nYears, keys.max())
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var results []importRow
	report := func(r importRow) {
		results = append(results, r)
		fmt.Printf("%9d %-4s %-9s %8.3f s %10.0f rows/s  peak %7.1f MiB  %s\n", r.n, r.format, r.target, r.seconds,
			float64(r.n)/r.seconds, float64(r.peakKiB)/1024, r.note)
	}
	for _, n := range sizes {
		csvPath, xlsxPath, err := generate(keys, *dir, n)
		if err != nil {
			return err
		}
		for _, format := range strings.Split(*formats, ",") {
			path := map[string]string{"csv": csvPath, "xlsx": xlsxPath}[format]
			if path == "" {
				return fmt.Errorf("%w: unknown format %q", errUsage, format)
			}
			changed := ""
			if *replace && format == "csv" {
				if changed, err = generateChanged(keys, *dir, n); err != nil {
					return err
				}
			}
			var runners []runner
			for _, db := range strings.Split(*dbs, ",") {
				runners = append(runners, runner{db, func() (importRow, bool, error) { return importOnce(ctx, self, db, *dir, *pg, "", path, format, n) }})
				if changed != "" {
					runners = append(runners, runner{db + " (replacing)", func() (importRow, bool, error) {
						return importOnce(ctx, self, db, *dir, *pg, path, changed, format, n)
					}})
				}
			}
			if format == "xlsx" && *python != "" {
				runners = append(runners, runner{"openpyxl", func() (importRow, bool, error) { r, err := openpyxlRead(ctx, *python, path); return r, true, err }})
			}
			if format == "csv" && *psql != "" && *pg != "" {
				runners = append(runners, runner{"psql-copy", func() (importRow, bool, error) { r, err := psqlCopy(ctx, *psql, *pg, path); return r, true, err }})
			}
			rs, err := inRounds(*runs, runners)
			if err != nil {
				return err
			}
			for _, r := range rs {
				r.n = n
				report(r)
			}
		}
	}
	fmt.Println()
	printImportTable(os.Stdout, results)
	fmt.Println()
	printImportTargets(os.Stdout, results)
	return nil
}

// runner is one timed target of a file: an import or a peer.
type runner struct {
	target string
	run    func() (importRow, bool, error) // ok false: skipped (no server)
}

// inRounds runs every runner once per round, n rounds, so that the imports
// and their peers meet the same state of the machine, and returns each
// runner's run of median time (see median), in runner order.
func inRounds(n int, runners []runner) ([]importRow, error) {
	runs := make([][]importRow, len(runners))
	for range max(n, 1) {
		for i, r := range runners {
			row, ok, err := r.run()
			if err != nil {
				return nil, err
			}
			if ok {
				row.target = r.target
				runs[i] = append(runs[i], row)
			}
		}
	}
	var out []importRow
	for _, rs := range runs {
		if len(rs) > 0 {
			out = append(out, median(rs))
		}
	}
	return out, nil
}

// median returns the run of median time, with the largest peak memory of
// all and every time in its note.
func median(rs []importRow) importRow {
	if len(rs) == 1 {
		return rs[0]
	}
	times := make([]string, len(rs))
	peak := int64(0)
	for i, r := range rs {
		times[i] = fmt.Sprintf("%.3f", r.seconds)
		peak = max(peak, r.peakKiB)
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].seconds < rs[j].seconds })
	m := rs[len(rs)/2]
	m.peakKiB = peak
	m.note = fmt.Sprintf("median of %d runs (%s s); %s", len(rs), strings.Join(times, ", "), m.note)
	return m
}

// Import targets (issue 11).
const (
	xlsxVsOpenpyxl = 2.5                // the whole xlsx import at least this many times faster than openpyxl reading
	csvVsCopy      = 2.0                // the whole CSV import into PostgreSQL within this factor of psql \copy
	peakRSSLimit   = 100_000_000 / 1024 // 100 MB, in KiB
	flatFactor     = 1.5                // peak RSS at the largest size at most this times that at the smallest
)

// printImportTargets marks each target met or not, with the measured ratio.
func printImportTargets(w io.Writer, rs []importRow) {
	find := func(n int, format, target string) (importRow, bool) {
		for _, r := range rs {
			if r.n == n && r.format == format && r.target == target {
				return r, true
			}
		}
		return importRow{}, false
	}
	yes := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "**no**"
	}
	fmt.Fprintln(w, "| target | rows | into | measured | met? |")
	fmt.Fprintln(w, "|---|---:|---|---|---|")
	var sizes []int
	seen := map[int]bool{}
	for _, r := range rs {
		if !seen[r.n] {
			seen[r.n] = true
			sizes = append(sizes, r.n)
		}
	}
	for _, n := range sizes {
		if py, ok := find(n, "xlsx", "openpyxl"); ok {
			for _, db := range []string{"sqlite", "postgres"} {
				if r, ok := find(n, "xlsx", db); ok {
					ratio := py.seconds / r.seconds
					fmt.Fprintf(w, "| xlsx import ≥ %.1f× faster than openpyxl reading | %d | %s | openpyxl %.3f s ÷ import %.3f s = %.2f× | %s |\n",
						xlsxVsOpenpyxl, n, db, py.seconds, r.seconds, ratio, yes(ratio >= xlsxVsOpenpyxl))
				}
			}
		}
		if cp, ok := find(n, "csv", "psql-copy"); ok {
			if r, ok := find(n, "csv", "postgres"); ok {
				ratio := r.seconds / cp.seconds
				fmt.Fprintf(w, "| CSV import into PostgreSQL within %.0f× of psql \\copy (unique key) | %d | postgres | import %.3f s ÷ copy %.3f s = %.2f× | %s |\n",
					csvVsCopy, n, r.seconds, cp.seconds, ratio, yes(ratio <= csvVsCopy))
			}
		}
	}
	for _, format := range []string{"csv", "xlsx"} {
		for _, db := range []string{"sqlite", "postgres"} {
			var lo, hi importRow
			var peaks []string
			under := true
			for _, n := range sizes {
				r, ok := find(n, format, db)
				if !ok {
					continue
				}
				if lo.n == 0 {
					lo = r
				}
				hi = r
				under = under && r.peakKiB < peakRSSLimit
				peaks = append(peaks, fmt.Sprintf("%.0f MiB at %d", float64(r.peakKiB)/1024, n))
			}
			if lo.n == 0 {
				continue
			}
			growth := float64(hi.peakKiB) / float64(lo.peakKiB)
			fmt.Fprintf(w, "| peak RSS under 100 MB and flat | %d–%d | %s %s | %s; largest ÷ smallest = %.2f× | %s |\n",
				lo.n, hi.n, format, db, strings.Join(peaks, ", "), growth, yes(under && growth <= flatFactor))
		}
	}
}

func printImportTable(w io.Writer, rs []importRow) {
	fmt.Fprintln(w, "| rows | file | into | seconds | rows/s | peak RSS (MiB) |")
	fmt.Fprintln(w, "|---:|---|---|---:|---:|---:|")
	for _, r := range rs {
		fmt.Fprintf(w, "| %d | %s | %s | %.3f | %.0f | %.1f |\n", r.n, r.format, r.target, r.seconds, float64(r.n)/r.seconds, float64(r.peakKiB)/1024)
	}
}

// runChild runs this binary again and returns its stdout.
func runChild(ctx context.Context, self string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, self, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// scratchPG creates a fresh database on the server admin names and returns
// its URL and a function that drops it.
func scratchPG(ctx context.Context, admin, name string) (string, func(), error) {
	u, err := url.Parse(admin)
	if err != nil {
		return "", nil, err
	}
	drop := func() {
		_ = exec.CommandContext(context.WithoutCancel(ctx), "psql", admin, "-q", "-c", "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)").Run()
	}
	drop()
	if out, err := exec.CommandContext(ctx, "psql", admin, "-q", "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE "+name).CombinedOutput(); err != nil {
		return "", nil, fmt.Errorf("create database %s: %v: %s", name, err, out)
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

const openpyxlScript = `
import resource, sys, time
import openpyxl
t = time.perf_counter()
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
n = 0
for ws in wb.worksheets:
    ws.reset_dimensions()  # the stream writer leaves the dimension at A1
    for row in ws.iter_rows(values_only=True):
        n += 1
el = time.perf_counter() - t
print(n, el, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, openpyxl.__version__)
`

// openpyxlRead times openpyxl merely reading every row's values of path.
func openpyxlRead(ctx context.Context, python, path string) (importRow, error) {
	settle(ctx, "")
	out, err := exec.CommandContext(ctx, python, "-c", openpyxlScript, path).Output()
	if err != nil {
		return importRow{}, fmt.Errorf("openpyxl: %w", err)
	}
	f := strings.Fields(string(out))
	if len(f) != 4 {
		return importRow{}, fmt.Errorf("openpyxl said %q", out)
	}
	sec, _ := strconv.ParseFloat(f[1], 64)
	rss, _ := strconv.ParseInt(f[2], 10, 64)
	return importRow{format: "xlsx", target: "openpyxl", seconds: sec, peakKiB: rss,
		note: fmt.Sprintf("read only, %s rows incl. header, openpyxl %s; load %s", f[0], f[3], loadavg())}, nil
}

// psqlCopy times psql \copy of path into a fresh database's table with the
// same unique key as the published consumption (iso3, year, drug): the
// honest peer, since both maintain an index.
func psqlCopy(ctx context.Context, psql, admin, path string) (importRow, error) {
	dsn, drop, err := scratchPG(ctx, admin, "reliefbench_copy")
	if err != nil {
		return importRow{}, err
	}
	defer drop()
	if out, err := exec.CommandContext(ctx, psql, dsn, "-q", "-v", "ON_ERROR_STOP=1", "-c",
		"CREATE TABLE consumption_copy (iso3 text, year integer, drug text, consumption double precision, unit text, UNIQUE (iso3, year, drug))").CombinedOutput(); err != nil {
		return importRow{}, fmt.Errorf("create table: %v: %s", err, out)
	}
	abs, _ := filepath.Abs(path)
	settle(ctx, admin)
	t := time.Now()
	out, err := exec.CommandContext(ctx, psql, dsn, "-v", "ON_ERROR_STOP=1", "-c",
		fmt.Sprintf(`\copy consumption_copy FROM '%s' CSV HEADER`, abs)).CombinedOutput()
	el := time.Since(t)
	if err != nil {
		return importRow{}, fmt.Errorf("\\copy: %v: %s", err, out)
	}
	return importRow{format: "csv", target: "psql-copy", seconds: el.Seconds(), peakKiB: 0,
		note: fmt.Sprintf("%s (wall time of the psql process, connection included); load %s", strings.TrimSpace(firstLine(out)), loadavg())}, nil
}

// settle starts every timed run from the same state: what earlier runs
// wrote is on disk (sync), and the PostgreSQL server at admin, if any, has
// flushed its dirty buffers (CHECKPOINT) instead of doing so during the
// run.
func settle(ctx context.Context, admin string) {
	syscall.Sync()
	if admin != "" {
		_ = exec.CommandContext(ctx, "psql", admin, "-q", "-c", "CHECKPOINT").Run()
	}
}

// loadavg is the one-minute load average: the machine is shared.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}

func firstLine(b []byte) string {
	s := bufio.NewScanner(bytes.NewReader(b))
	if s.Scan() {
		return s.Text()
	}
	return ""
}

// parseSizes reads --rows: comma-separated positive row counts.
func parseSizes(flagValue string) ([]int, error) {
	var sizes []int
	for _, f := range strings.Split(flagValue, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%w: bad --rows %q", errUsage, f)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}

// importOnce imports the n-row file at path into a fresh database of kind
// db (sqlite, or postgres on the server pg) in a child process, and returns
// its result row; ok is false when the database is skipped (no server).
// With before set, that file is imported first, not timed.
func importOnce(ctx context.Context, self, db, dir, pg, before, path, format string, n int) (row importRow, ok bool, err error) {
	var dsn string
	var cleanup func()
	switch db {
	case "sqlite":
		p := filepath.Join(dir, "import.db")
		removeDB := func() {
			for _, s := range []string{"", "-wal", "-shm"} {
				os.Remove(p + s)
			}
		}
		removeDB()
		dsn, cleanup = "sqlite:"+p, removeDB
	case "postgres":
		if pg == "" {
			return row, false, nil
		}
		dsn, cleanup, err = scratchPG(ctx, pg, "reliefbench_import")
		if err != nil {
			return row, false, err
		}
	default:
		return row, false, fmt.Errorf("%w: unknown database %q", errUsage, db)
	}
	settle(ctx, pg)
	args := []string{"import-one", "--file", path, "--db", dsn}
	if before != "" {
		args = append(args, "--before", before)
	}
	out, err := runChild(ctx, self, args...)
	cleanup()
	if err != nil {
		return row, false, fmt.Errorf("import %s into %s: %w", path, db, err)
	}
	var r oneResult
	if err := json.Unmarshal(out, &r); err != nil {
		return row, false, fmt.Errorf("import-one said %q: %w", out, err)
	}
	note := fmt.Sprintf("%s, %d rows, %d stored, %d errors, %d warnings %v; file %.1f MiB; allocated %.0f MiB in all; process CPU %.2f s; load %s",
		r.Status, r.Rows, r.Stored, r.Errors, r.Warnings, r.Problems, float64(r.Bytes)/(1<<20), r.TotalAllocM, r.CPUSec, loadavg())
	if r.Status != string(access.StatusPublished) || r.Stored != n {
		note = "NOT A CLEAN IMPORT: " + note
	}
	return importRow{n: n, format: format, target: db, seconds: r.ImportSec, peakKiB: r.VmHWMKiB, note: note}, true, nil
}
