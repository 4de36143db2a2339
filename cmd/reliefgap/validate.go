package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/validation"
)

func (c *cli) validateCmd() *cobra.Command {
	var out string
	var asOf int64
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "set the figures beside published ones (INCB, Berterame et al., Scholten et al., the Lancet Commission) and write docs/VALIDATION.md",
		Long: `Compute the figures the literature publishes (regional S-DDD 2011-13, global need
and use, tonnes of ME and the share reaching low-income countries, "92% of
morphine for 17% of people") from the published data, and write them beside the
published values with the ratio and the reasons for any difference.`,
		Example: `  reliefgap validate
  reliefgap validate -o /tmp/VALIDATION.md --as-of 12`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.validate(c.ctx, out, asOf)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", filepath.Join("docs", "VALIDATION.md"), "the Markdown file to write (- for standard output)")
	cmd.Flags().Int64Var(&asOf, "as-of", 0, "a data version: validate the figures as they were then")
	return cmd
}

func (c *cli) validate(ctx context.Context, out string, asOf int64) error {
	cat, err := validation.Load()
	if err != nil {
		return err
	}
	a, err := openApp(ctx, &c.g, c.stderr, false)
	if err != nil {
		return err
	}
	defer a.Close()
	from, to := 9999, 0
	for _, f := range cat.Figures {
		from, to = min(from, f.Years[0]-2), max(to, f.Years[1])
	}
	p, err := a.gaps.At(asOf).Prepared(ctx, from, to, access.ModelBenchmark)
	if err != nil {
		return err
	}
	md := validation.Markdown(validation.Run(cat, validation.Input{Countries: p.Countries, Factors: p.Factors,
		DataVersion: p.DataVersion, Denominators: p.Denominators}))
	if out == "-" {
		_, err := c.stdout.Write(md)
		return err
	}
	if err := os.WriteFile(out, md, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "wrote %s (%d published figures, data version %d)\n", out, len(cat.Figures), p.DataVersion)
	return nil
}
