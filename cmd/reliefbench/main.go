// Command reliefbench measures reliefgap on the machine it runs on: import
// throughput and peak memory (against openpyxl reading the same workbook
// and psql \copy loading the same rows), and API latency against a
// do-nothing ceiling handler. docs/BENCHMARKS.md records its results.
//
//	reliefbench import [--rows 10000,100000,854250] [--dir DIR] [--pg URL] [--formats xlsx,csv] [--dbs sqlite,postgres]
//	reliefbench api    [--data ../shared/data] [--duration 15s] [--connections 50] [--threads 2]
//	reliefbench load   [--url http://127.0.0.1:PORT/api/v1/countries/USA/gaps] [--pid N] [--connections 50] [--duration 10s]
//	reliefbench gaps   [--data ../shared/data] [--db DSN] [--runs 10]
//	reliefbench workbook [--data ../shared/data] [--python /usr/bin/python3] [--runs 3]
//
// Each import runs in a fresh child process (the hidden import-one
// command), so that its peak resident memory (VmHWM) is its own.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

const usage = `Usage:
  reliefbench import [flags]   import throughput and peak memory, beside openpyxl and psql \copy
  reliefbench api    [flags]   API latency with wrk, beside a ceiling handler
  reliefbench load   [flags]   loopback load test in Go: gap endpoint vs ceiling, p50/p99, errors, RSS
  reliefbench gaps   [flags]   full gap recompute, inputs from the database and from memory
  reliefbench workbook [flags] writing the full data set workbook, beside openpyxl write-only
Run "reliefbench <command> -h" for its flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "import":
		err = cmdImport(ctx, args)
	case "import-one": // hidden: one import in this process, JSON result on stdout
		err = cmdImportOne(ctx, args)
	case "api":
		err = cmdAPI(ctx, args)
	case "gaps":
		err = cmdGaps(ctx, args)
	case "load":
		err = cmdLoad(ctx, args)
	case "workbook":
		err = cmdWorkbook(ctx, args)
	case "workbook-one": // hidden: one workbook in this process, JSON result on stdout
		err = cmdWorkbookOne(ctx, args)
	case "-h", "--help", "help":
		fmt.Print(usage)
		return
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "reliefbench:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage error")
