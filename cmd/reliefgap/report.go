package main

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/reports"
)

// reportOptions are the flags of "reliefgap report".
type reportOptions struct {
	country, region, income, model, outFile string
	world                                   bool
	year, from, to                          int
	asOf                                    int64
}

func (c *cli) reportCmd() *cobra.Command {
	var o reportOptions
	cmd := &cobra.Command{
		Use:   "report",
		Short: "write an Excel report pack for a country, region, income group or the world",
		Long: `report writes a workbook ready to share: for a country, Summary, Trend (with a
chart), Drugs (with a chart), Estimates, Methodology and Sources; for a region,
income group or the world, a Ranking with band colours, the Aggregates with a
chart, Methodology and Sources. "gaps --format xlsx" stays a flat table.`,
		Example: `  reliefgap report --country KEN --from 2015 --to 2022 -o kenya.xlsx
  reliefgap report --region AFR --year 2022 -o afr-2022.xlsx
  reliefgap report --world --year 2022 -o world-2022.xlsx`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.report(c.ctx, o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.country, "country", "", "ISO3 code of a country")
	fs.StringVar(&o.region, "region", "", "WHO region: AFR, AMR, EMR, EUR, SEAR or WPR")
	fs.StringVar(&o.income, "income", "", "World Bank income group: LIC, LMC, UMC or HIC")
	fs.BoolVar(&o.world, "world", false, "the whole world")
	fs.IntVar(&o.year, "year", 0, "the year of a region, income group or world report")
	fs.IntVar(&o.from, "from", 0, "first year of a country report (default: the first with data)")
	fs.IntVar(&o.to, "to", 0, "last year of a country report (default: the last with data)")
	fs.StringVar(&o.model, "model", "", "need model (default: the configured default)")
	fs.StringVarP(&o.outFile, "output", "o", "", "the workbook to write (FILE.xlsx)")
	fs.Int64Var(&o.asOf, "as-of", 0, "a data version: the pack as it would have been then (default: now)")
	cmd.MarkFlagsMutuallyExclusive("country", "region", "income", "world")
	return cmd
}

func (c *cli) report(ctx context.Context, o reportOptions) error {
	scopes := 0
	for _, set := range []bool{o.country != "", o.region != "", o.income != "", o.world} {
		if set {
			scopes++
		}
	}
	if scopes != 1 {
		return usageErr("report needs exactly one of --country, --region, --income or --world")
	}
	if o.outFile == "" {
		return usageErr("report needs -o FILE.xlsx")
	}
	if o.country == "" && o.year == 0 {
		return usageErr("a region, income group or world report needs --year")
	}
	if o.country != "" && o.year != 0 {
		return usageErr("a country report takes --from and --to, not --year")
	}
	a, err := openApp(ctx, &c.g, c.stderr, false)
	if err != nil {
		return err
	}
	defer a.Close()
	b := (&reports.Builder{Gaps: a.gaps, Store: a.store}).At(o.asOf)
	if o.country != "" {
		return writeFile(c.stdout, o.outFile, func() ([]byte, error) {
			r, err := b.CountryReport(ctx, strings.ToUpper(o.country), o.from, o.to, o.model)
			if err != nil {
				return nil, err
			}
			return reports.CountryReportXLSX(r)
		})
	}
	kind, code := access.GroupWorld, access.WorldCode
	switch {
	case o.region != "":
		kind, code = access.GroupRegion, strings.ToUpper(o.region)
	case o.income != "":
		kind, code = access.GroupIncome, strings.ToUpper(o.income)
	}
	return writeFile(c.stdout, o.outFile, func() ([]byte, error) {
		r, err := b.GroupReport(ctx, kind, code, o.year, o.model)
		if err != nil {
			return nil, err
		}
		return reports.GroupReportXLSX(r)
	})
}
