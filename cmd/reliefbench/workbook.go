package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/reliefgap/reliefgap/importers"
	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
	"github.com/reliefgap/reliefgap/reports"
)

// cmdWorkbook measures writing the full data set workbook (every country
// and year of the shared data: the Data and Drugs sheets streamed, with the
// Dictionary, Methodology and Sources) beside openpyxl in write-only mode
// writing the same cells (scripts/bench_openpyxl_workbook.py). Each writer
// runs in its own process, so that its peak resident memory is its own.
func cmdWorkbook(ctx context.Context, args []string) error {
	fl := flag.NewFlagSet("workbook", flag.ContinueOnError)
	data := fl.String("data", "../shared/data", "shared data directory")
	python := fl.String("python", "/usr/bin/python3", "a Python with openpyxl (Debian's python3-openpyxl)")
	script := fl.String("script", "scripts/bench_openpyxl_workbook.py", "the openpyxl writer")
	runs := fl.Int("runs", 3, "runs of each writer; the fastest is reported")
	keep := fl.String("keep", "", "keep the inputs and workbooks in this directory")
	if err := fl.Parse(args); err != nil {
		return errUsage
	}
	dir := *keep
	if dir == "" {
		d, err := os.MkdirTemp("", "reliefbench-workbook")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	in, cells, rows, err := prepareDataSet(ctx, *data, dir)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	best := func(name string, run func(i int) (workbookResult, error)) (workbookResult, error) {
		var b workbookResult
		for i := range *runs {
			r, err := run(i)
			if err != nil {
				return b, fmt.Errorf("%s: %w", name, err)
			}
			if i == 0 || r.Seconds < b.Seconds {
				b = r
			}
		}
		return b, nil
	}
	goRes, err := best("excelize", func(i int) (workbookResult, error) {
		out, err := runChild(ctx, self, "workbook-one", "--in", in, "--out", filepath.Join(dir, fmt.Sprintf("go-%d.xlsx", i)))
		if err != nil {
			return workbookResult{}, err
		}
		var r workbookResult
		return r, json.Unmarshal(out, &r)
	})
	if err != nil {
		return err
	}
	pyRes, err := best("openpyxl", func(i int) (workbookResult, error) {
		out, err := exec.CommandContext(ctx, *python, *script, "--out", filepath.Join(dir, fmt.Sprintf("py-%d.xlsx", i)),
			filepath.Join(cells, "Data.csv"), filepath.Join(cells, "Drugs.csv")).Output()
		if err != nil {
			return workbookResult{}, err
		}
		var r workbookResult
		return r, json.Unmarshal(out, &r)
	})
	if err != nil {
		return err
	}
	fmt.Printf("Full data set workbook: %d country-year rows and %d drug rows from %s; best of %d; load %s\n\n",
		rows[0], rows[1], *data, *runs, loadavg())
	fmt.Println("| writer | seconds | peak RSS (MiB) | file (KiB) | note |")
	fmt.Println("|---|---:|---:|---:|---|")
	for _, r := range []workbookResult{goRes, pyRes} {
		fmt.Printf("| %s | %.2f | %.1f | %d | %s |\n", r.Writer, r.Seconds, float64(r.PeakKiB)/1024, r.Bytes/1024, r.Note)
	}
	if goRes.Seconds > 0 {
		fmt.Printf("\nexcelize is %.1f× openpyxl's speed; its peak is %.1f MiB (target: ≥ 3×, < 150 MiB)\n",
			pyRes.Seconds/goRes.Seconds, float64(goRes.PeakKiB)/1024)
	}
	return nil
}

// workbookResult is one writer's result, as JSON between processes.
type workbookResult struct {
	Writer  string  `json:"writer"`
	Seconds float64 `json:"seconds"`
	PeakKiB int64   `json:"peak_kib"`
	Bytes   int64   `json:"bytes"`
	Note    string  `json:"note"`
}

// prepareDataSet imports the shared data into a scratch SQLite database,
// computes every country's figures for every year, and writes them as the
// JSON input of workbook-one and as the CSV cells of the openpyxl writer.
func prepareDataSet(ctx context.Context, data, dir string) (in, cells string, rows [2]int, err error) {
	s, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "bench.db"), store.Options{Migrate: true})
	if err != nil {
		return "", "", rows, err
	}
	defer s.Close()
	imports := &access.ImportService{Store: s, Parser: importers.New()}
	if err := loadShared(ctx, imports, data); err != nil {
		return "", "", rows, err
	}
	b := &reports.Builder{Gaps: &access.GapService{Store: s}, Store: s}
	d, err := b.DataSet(ctx, "")
	if err != nil {
		return "", "", rows, err
	}
	for _, g := range d.Countries {
		rows[0] += len(g.Years)
		for _, y := range g.Years {
			rows[1] += len(y.Drugs)
		}
	}
	in = filepath.Join(dir, "dataset.json")
	j, err := json.Marshal(d)
	if err != nil {
		return "", "", rows, err
	}
	if err := os.WriteFile(in, j, 0o644); err != nil {
		return "", "", rows, err
	}
	cells = filepath.Join(dir, "cells")
	if err := os.MkdirAll(cells, 0o755); err != nil {
		return "", "", rows, err
	}
	for name, write := range map[string]func(f *os.File) error{
		"Data.csv":  func(f *os.File) error { return reports.GapsCSV(f, d.Countries) },
		"Drugs.csv": func(f *os.File) error { return reports.DrugsCSV(f, d.Countries) },
	} {
		f, err := os.Create(filepath.Join(cells, name))
		if err != nil {
			return "", "", rows, err
		}
		err = write(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "", "", rows, err
		}
	}
	return in, cells, rows, nil
}

// cmdWorkbookOne renders one data set workbook in this process and prints
// its workbookResult. The input is read before the clock starts.
func cmdWorkbookOne(ctx context.Context, args []string) error {
	fl := flag.NewFlagSet("workbook-one", flag.ContinueOnError)
	in := fl.String("in", "", "dataset.json")
	out := fl.String("out", "", "workbook to write")
	cpuprofile := fl.String("cpuprofile", "", "write a CPU profile of the writing to this file")
	memprofile := fl.String("memprofile", "", "write a heap profile at the largest live heap seen to this file")
	if err := fl.Parse(args); err != nil || *in == "" || *out == "" {
		return errUsage
	}
	j, err := os.ReadFile(*in)
	if err != nil {
		return err
	}
	var d reports.DataSet
	if err := json.Unmarshal(j, &d); err != nil {
		return err
	}
	j = nil
	baseline := vmRSS()
	if *memprofile != "" {
		defer peakHeapProfile(*memprofile)()
	}
	if *cpuprofile != "" {
		stop, err := recordTo(*cpuprofile, pprof.StartCPUProfile, pprof.StopCPUProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	start := time.Now()
	b, err := reports.DataSetXLSX(d)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return err
	}
	el := time.Since(start).Seconds()
	return json.NewEncoder(os.Stdout).Encode(workbookResult{Writer: "excelize (reports.DataSetXLSX)", Seconds: el, PeakKiB: vmHWM(),
		Bytes: int64(len(b)), Note: fmt.Sprintf("RSS %d MiB before writing (the figures in memory)", baseline/1024)})
}

// vmRSS reads this process's resident set size, KiB.
func vmRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return -1
}
