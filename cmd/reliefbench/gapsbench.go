package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/reliefgap/reliefgap/importers"
	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// Gap recompute targets (issue 11): every country and year under 250 ms
// reading the inputs from the database, under 50 ms from inputs in memory.
const (
	gapTargetFromDB     = 250 * time.Millisecond
	gapTargetFromMemory = 50 * time.Millisecond
)

// cmdGaps times a full gap recompute of every country and year, reading
// the inputs from the database each time (a fresh GapService, so nothing
// is kept between runs) and from inputs already in memory (the arithmetic
// alone: FactorSet and border preparation done once before the clock).
func cmdGaps(ctx context.Context, args []string) error {
	fl := flag.NewFlagSet("gaps", flag.ContinueOnError)
	data := fl.String("data", "../shared/data", "directory of the published data files")
	dsn := fl.String("db", "", "database to load them into (default: a scratch SQLite file)")
	runs := fl.Int("runs", 10, "timed runs of each")
	if err := fl.Parse(args); err != nil {
		return errUsage
	}
	if _, err := os.Stat(*data); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: no shared data at %s (--data)", errUsage, *data)
	}
	if *dsn == "" {
		dir, err := os.MkdirTemp("", "reliefbench-gaps")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*dsn = "sqlite:" + filepath.Join(dir, "gaps.db")
	}
	s, err := store.Open(ctx, *dsn, store.Options{Migrate: true})
	if err != nil {
		return err
	}
	defer s.Close()
	if err := loadShared(ctx, &access.ImportService{Store: s, Parser: importers.New(), Limits: access.Limits{MaxBytes: 1 << 30}}, *data); err != nil {
		return err
	}
	fmt.Printf("load average before: %s\n", loadavg())

	var fromDB []time.Duration
	countryYears := 0
	for range *runs {
		gaps := &access.GapService{Store: s} // nothing kept from the last run
		t := time.Now()
		all, err := gaps.All(ctx, 0, 0, "")
		if err != nil {
			return err
		}
		fromDB = append(fromDB, time.Since(t))
		countryYears = 0
		for _, g := range all {
			countryYears += len(g.Years)
		}
	}

	gaps := &access.GapService{Store: s}
	fset, err := gaps.FactorSet(ctx, "")
	if err != nil {
		return err
	}
	in, err := s.Inputs(ctx, access.InputFilter{})
	if err != nil {
		return err
	}
	ss, err := s.Successions(ctx)
	if err != nil {
		return err
	}
	access.PrepareBorders(in, ss)
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var fromMemory []time.Duration
	for range *runs {
		t := time.Now()
		n := 0
		for _, k := range keys {
			g := access.ComputeCountry(*in[k], fset, fset.Need[0].Name, 0, 0)
			n += len(g.Years)
		}
		fromMemory = append(fromMemory, time.Since(t))
		if n != countryYears {
			return fmt.Errorf("in memory computed %d country-years, from the database %d", n, countryYears)
		}
	}
	fmt.Printf("load average after: %s\n\n", loadavg())
	fmt.Printf("%d countries, %d country-years, %d runs each (%s)\n\n", len(keys), countryYears, *runs, s.Dialect())
	fmt.Println("| recompute of every country and year | median | min | max | target | met? |")
	fmt.Println("|---|---:|---:|---:|---:|---|")
	row := func(name string, ds []time.Duration, target time.Duration) {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		med := ds[len(ds)/2]
		met := "no"
		if med < target {
			met = "yes"
		}
		fmt.Printf("| %s | %s | %s | %s | < %s | %s (median ÷ target = %.2f) |\n", name, ms(med), ms(ds[0]), ms(ds[len(ds)-1]), ms(target), met,
			float64(med)/float64(target))
	}
	row("inputs read from the database", fromDB, gapTargetFromDB)
	row("inputs already in memory", fromMemory, gapTargetFromMemory)
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
