package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/reports"
)

// gapsOptions are the flags of "reliefgap gaps".
type gapsOptions struct {
	country, region, income, model, format, outFile string
	world                                           bool
	year, from, to                                  int
	asOf                                            int64
}

func (c *cli) gapsCmd() *cobra.Command {
	var o gapsOptions
	cmd := &cobra.Command{
		Use:   "gaps",
		Short: "compute access-gap figures for a country, region, income group or the world",
		Example: `  reliefgap gaps --country KEN --from 2015 --to 2022
  reliefgap gaps --country NGA --year 2013 --format json --model cancer-hiv
  reliefgap gaps --region AFR --year 2013
  reliefgap gaps --country KEN --from 2010 --to 2013 --as-of 42
  reliefgap gaps --world --year 2013 --format xlsx -o world-2013.xlsx`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.gaps(c.ctx, o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.country, "country", "", "ISO3 code of a country")
	fs.StringVar(&o.region, "region", "", "WHO region: AFR, AMR, EMR, EUR, SEAR or WPR")
	fs.StringVar(&o.income, "income", "", "World Bank income group: LIC, LMC, UMC or HIC")
	fs.BoolVar(&o.world, "world", false, "the whole world")
	fs.IntVar(&o.year, "year", 0, "one year")
	fs.IntVar(&o.from, "from", 0, "first year")
	fs.IntVar(&o.to, "to", 0, "last year")
	fs.StringVar(&o.model, "model", "", "need model whose figures fill the headline fields (default: the configured default)")
	fs.StringVar(&o.format, "format", "", "json, table, csv or xlsx (default: table for a country, json for a group)")
	fs.StringVarP(&o.outFile, "output", "o", "", "with --format xlsx: the workbook to write")
	fs.Int64Var(&o.asOf, "as-of", 0, "a data version: the figures exactly as they were at that version (default: now)")
	cmd.MarkFlagsMutuallyExclusive("country", "region", "income", "world")
	return cmd
}

func (c *cli) gaps(ctx context.Context, o gapsOptions) error {
	stdout, stderr := c.stdout, c.stderr
	country, region, income, world := &o.country, &o.region, &o.income, &o.world
	year, from, to, model, format, outFile := &o.year, &o.from, &o.to, &o.model, &o.format, &o.outFile
	scopes := 0
	for _, set := range []bool{*country != "", *region != "", *income != "", *world} {
		if set {
			scopes++
		}
	}
	if scopes != 1 {
		return usageErr("gaps needs exactly one of --country, --region, --income or --world")
	}
	if *year != 0 && (*from != 0 || *to != 0) {
		return usageErr("give --year or --from/--to, not both")
	}
	if *year != 0 {
		*from, *to = *year, *year
	}
	if o.asOf < 0 {
		return usageErr("--as-of is a data version, 1 or more")
	}
	a, err := openApp(ctx, &c.g, stderr, false)
	if err != nil {
		return err
	}
	defer a.Close()
	gaps := a.gaps.At(o.asOf)
	if *country != "" {
		f := or(*format, "table")
		if f != "json" && f != "table" && f != "csv" && f != "xlsx" {
			return usageErr("unknown format %q: use json, table, csv or xlsx", f)
		}
		if f == "xlsx" && *outFile == "" {
			return usageErr("--format xlsx needs -o FILE.xlsx")
		}
		res, err := gaps.Country(ctx, strings.ToUpper(*country), *from, *to, *model)
		if err != nil {
			return err
		}
		switch f {
		case "json":
			return writeJSON(stdout, res)
		case "csv":
			return reports.CountryCSV(stdout, res)
		case "xlsx":
			return writeFile(stdout, *outFile, func() ([]byte, error) { return reports.CountryXLSX(res) })
		}
		return writeGapsTable(stdout, res)
	}
	if *year == 0 {
		return usageErr("a region, income group or world figure needs --year")
	}
	kind, code := access.GroupWorld, access.WorldCode
	switch {
	case *region != "":
		kind, code = access.GroupRegion, strings.ToUpper(*region)
	case *income != "":
		kind, code = access.GroupIncome, strings.ToUpper(*income)
	}
	res, err := gaps.Group(ctx, kind, code, *year, *model)
	if err != nil {
		return err
	}
	switch or(*format, "json") {
	case "json":
		return writeJSON(stdout, res)
	case "xlsx":
		if *outFile == "" {
			return usageErr("--format xlsx needs -o FILE.xlsx")
		}
		return writeFile(stdout, *outFile, func() ([]byte, error) { return reports.GroupXLSX(res) })
	case "csv":
		return reports.GroupRankingCSV(stdout, res)
	case "table":
		return writeGroupTable(stdout, res)
	}
	return usageErr("unknown format %q: use json, table or csv", *format)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// fnum formats an optional figure; "" for a missing one.
func fnum(v *float64, prec int) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', prec, 64)
}

func fstr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

var gapColumns = []string{"year", "population", "me_mg_per_capita", "sddd_per_million_per_day", "sddd_3yr_avg", "adequacy",
	"benchmark_index", "benchmark_band", "need_me_mg", "need_met_pct", "morphine_kg_to_close_gap", "flags"}

func gapRow(y access.YearGaps) []string {
	return []string{strconv.Itoa(y.Year), fnum(y.Population, 0), fnum(y.MEMgPerCapita, 4), fnum(y.SDDDPerMillionPerDay, 1),
		fnum(y.SDDD3YrAvg, 1), fstr(y.Adequacy), fnum(y.BenchmarkIndex, 2), fstr(y.BenchmarkBand), fnum(y.NeedMEMg, 0),
		fnum(y.NeedMetPct, 1), fnum(y.MorphineKgToCloseGap, 1), strings.Join(y.Flags, " ")}
}

func writeGapsTable(w io.Writer, g access.CountryGaps) error {
	fmt.Fprintf(w, "%s (%s) — WHO region %s, income group %s\n", g.Country.Name, g.Country.ISO3, g.Country.WHORegion, g.Country.IncomeGroup)
	nm := "none"
	if g.Methods.NeedModel != nil {
		nm = fmt.Sprintf("%s v%d", g.Methods.NeedModel.Name, g.Methods.NeedModel.Version)
	}
	fmt.Fprintf(w, "methods: ME %s v%d, S-DDD %s v%d, basket %s v%d, need model %s\n",
		g.Methods.ME.Name, g.Methods.ME.Version, g.Methods.SDDD.Name, g.Methods.SDDD.Version, g.Methods.Basket.Name, g.Methods.Basket.Version, nm)
	fmt.Fprintf(w, "data version %d (cite with --as-of %d); population: %s; deaths: %s\n\n",
		g.DataVersion, g.DataVersion, or(g.PopulationSource, "none"), or(g.DeathsSource, "none"))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(gapColumns, "\t"))
	for _, y := range g.Years {
		fmt.Fprintln(tw, strings.Join(gapRow(y), "\t"))
	}
	return tw.Flush()
}

func writeFile(stdout io.Writer, path string, render func() ([]byte, error)) error {
	b, err := render()
	if err != nil {
		return err
	}
	if err := writeWhole(path, b); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", path)
	return nil
}

// writeWhole writes b to path through a temporary file in the same
// directory renamed into place, so that a failed write (a full disk)
// leaves no partial file at path.
func writeWhole(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func writeGroupTable(w io.Writer, g access.GroupGaps) error {
	head := []string{"rank", "iso3", "country", "me_mg_per_capita", "benchmark_index", "need_met_pct", "adequacy", "cagr_5y"}
	rows := [][]string{}
	for _, r := range g.Ranking {
		rows = append(rows, []string{strconv.Itoa(r.Rank), r.Country.ISO3, r.Country.Name, strconv.FormatFloat(r.MEMgPerCapita, 'f', 4, 64),
			fnum(r.BenchmarkIndex, 2), fnum(r.NeedMetPct, 1), fstr(r.Adequacy), fnum(r.MEMgPerCapitaCAGR5y, 4)})
	}
	fmt.Fprintf(w, "%s %s %d: %d countries, %d with data; %s mg ME per capita; %s%% of need met; world share %s%%\n\n",
		g.Kind, g.Code, g.Year, g.Countries, g.CountriesWithData, fnum(g.MEMgPerCapita, 4), fnum(g.NeedMetPct, 1), fnum(g.WorldSharePct, 2))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}
