package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/reliefgap/reliefgap/internal/access"
)

func (c *cli) sourcesCmd() *cobra.Command {
	var format string
	var asOf int64
	cmd := &cobra.Command{
		Use:   "sources",
		Short: "list the population and deaths series, by source and vintage, with their terms",
		Long: `List every population and deaths series with its licence and citation; the
series marked default is the one figures divide by. "reliefgap sources default
MEASURE SOURCE" chooses another (a setting: the data version moves).`,
		Example: `  reliefgap sources
  reliefgap sources default population "World Bank WDI 2024"`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.listSources(c.ctx, format, asOf)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "table or json")
	cmd.Flags().Int64Var(&asOf, "as-of", 0, "a data version: the series as they were then")
	def := &cobra.Command{
		Use:   "default MEASURE SOURCE",
		Short: "choose the series of MEASURE (population or deaths) that figures use; \"\" for the one published first",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usageErr("sources default needs MEASURE and SOURCE")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.setSource(c.ctx, args[0], args[1])
		},
	}
	cmd.AddCommand(def)
	return cmd
}

func (c *cli) listSources(ctx context.Context, format string, asOf int64) error {
	if format != "table" && format != "json" {
		return usageErr("unknown format %q: use table or json", format)
	}
	a, err := openApp(ctx, &c.g, c.stderr, false)
	if err != nil {
		return err
	}
	defer a.Close()
	items, err := a.gaps.At(asOf).Sources(ctx)
	if err != nil {
		return err
	}
	if format == "json" {
		if items == nil {
			items = []access.Series{}
		}
		return writeJSON(c.stdout, items)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "measure\tsource\tdefault\tvalues\tfirst version\tlicence\tcitation")
	for _, s := range items {
		d := ""
		if s.Default {
			d = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\n", s.Measure, or(s.Source, "(unnamed)"), d, s.Values, s.FirstIn, s.Licence, s.Citation)
	}
	return tw.Flush()
}

func (c *cli) setSource(ctx context.Context, measure, source string) error {
	m := access.Measure(strings.ToLower(measure))
	if m != access.MeasurePopulation && m != access.MeasureDeaths {
		return usageErr("unknown measure %q: use population or deaths", measure)
	}
	a, err := openApp(ctx, &c.g, c.stderr, false)
	if err != nil {
		return err
	}
	defer a.Close()
	svc := &access.SettingsService{Store: a.store}
	if err := svc.Set(ctx, access.Operator, access.SettingSource(m), source, "cli"); err != nil {
		return err
	}
	v, err := a.store.DataVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%s figures now divide by %q (data version %d)\n", m, or(source, "the series published first"), v)
	return nil
}
