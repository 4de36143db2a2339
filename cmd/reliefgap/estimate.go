package main

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/reliefgap/reliefgap/importers"
	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/reports"
)

// estimateOptions are the flags of "reliefgap estimate".
type estimateOptions struct {
	country, model, projection, mix, format, outFile string
	manufacture, specialStocks, expectedStock        string
	year                                             int
	phase, stockMonths                               float64
	asOf                                             int64
}

func (c *cli) estimateCmd() *cobra.Command {
	var o estimateOptions
	cmd := &cobra.Command{
		Use:   "estimate",
		Short: "suggest a country's Form B estimate for a year, drug by drug, with its justification",
		Long: `estimate projects a country's consumption, computes the need-based quantity of the
need model, moves a share of the way from one to the other (--phase) and fills the
Form B lines: (a) consumption, (b) manufacture, (c) stock on 31 December, (d) special
stocks, total = a + b + d + max(0, c − expected stock). Every line explains itself.
It uses published data, as the local operator.`,
		Example: `  reliefgap estimate --country KEN --year 2024
  reliefgap estimate --country NGA --year 2014 --model cancer-hiv --projection trend --phase 0.5 --format json
  reliefgap estimate --country NGA --year 2014 --format xlsx -o nga-2014-estimate.xlsx`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			req := access.SupplyRequest{ISO3: strings.ToUpper(o.country), Year: o.year, Model: o.model,
				Options: access.SupplyOptions{Projection: o.projection, Mix: o.mix}, AsOf: o.asOf}
			if cmd.Flags().Changed("phase") {
				req.Options.Phase = &o.phase
			}
			if cmd.Flags().Changed("stock-months") {
				req.Options.StockMonths = &o.stockMonths
			}
			for _, g := range []struct {
				name, value string
				into        *map[string]float64
			}{{"--manufacture", o.manufacture, &req.Options.Manufacture}, {"--special-stocks", o.specialStocks, &req.Options.SpecialStocks},
				{"--expected-stock", o.expectedStock, &req.Options.ExpectedStock}} {
				m, err := access.ParseDrugGrams(g.name, g.value)
				if err != nil {
					return usageErr("%s", access.ErrorMessage(err))
				}
				*g.into = m
			}
			return c.estimate(c.ctx, req, o.format, o.outFile)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.country, "country", "", "ISO3 code of the country (required)")
	fs.IntVar(&o.year, "year", 0, "the year to estimate for (required)")
	fs.StringVar(&o.model, "model", "", "need model (default: cancer-hiv)")
	fs.StringVar(&o.projection, "projection", "", "consumption projection: mean, trend or max (default max)")
	fs.StringVar(&o.mix, "mix", "", "split of need across strong opioids: current or morphine (default current)")
	fs.Float64Var(&o.phase, "phase", access.DefaultPhase, "share of the gap between projection and need closed in the year, 0 to 1")
	fs.Float64Var(&o.stockMonths, "stock-months", access.DefaultStockMonths, "months of (a) to hold in stock on 31 December")
	fs.StringVar(&o.manufacture, "manufacture", "", "(b) as you give it, grams per drug: morphine=1200,codeine=50")
	fs.StringVar(&o.specialStocks, "special-stocks", "", "(d) as you give it, grams per drug")
	fs.StringVar(&o.expectedStock, "expected-stock", "", "the stock you expect on 31 December of the year before, grams per drug")
	fs.StringVar(&o.format, "format", "table", "table, json or xlsx (the estimates template, filled in)")
	fs.StringVarP(&o.outFile, "output", "o", "", "with --format xlsx: the workbook to write")
	fs.Int64Var(&o.asOf, "as-of", 0, "a data version: estimate from the data as published then (default: now)")
	_ = cmd.MarkFlagRequired("country")
	_ = cmd.MarkFlagRequired("year")
	return cmd
}

func (c *cli) estimate(ctx context.Context, req access.SupplyRequest, format, outFile string) error {
	switch format {
	case "table", "json":
	case "xlsx":
		if outFile == "" {
			return usageErr("--format xlsx needs -o FILE.xlsx")
		}
	default:
		return usageErr("unknown format %q: use table, json or xlsx", format)
	}
	a, err := openApp(ctx, &c.g, c.stderr, false)
	if err != nil {
		return err
	}
	defer a.Close()
	svc := &access.SupplyService{Store: a.store}
	e, err := svc.Estimate(ctx, access.Operator, req)
	if err != nil {
		return err
	}
	switch format {
	case "json":
		return writeJSON(c.stdout, e)
	case "xlsx":
		return writeFile(c.stdout, outFile, func() ([]byte, error) { return importers.SupplyWorkbook(e) })
	}
	return reports.SupplyTable(c.stdout, e)
}
