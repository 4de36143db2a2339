package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/reports"
)

type availabilityOptions struct {
	country, format, outFile string
	year                     int
}

func (c *cli) availabilityCmd() *cobra.Command {
	var o availabilityOptions
	cmd := &cobra.Command{
		Use:   "availability",
		Short: "show a country's WHO/HAI facility surveys and NCD country-capacity answers",
		Example: `  reliefgap availability --country KEN
  reliefgap availability --country KEN --year 2022 --format json
  reliefgap availability --country KEN --format xlsx -o ken-availability.xlsx`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.availability(c.ctx, o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.country, "country", "", "ISO3 code of a country")
	fs.IntVar(&o.year, "year", 0, "the year survey ages are measured against (default: this year)")
	fs.StringVar(&o.format, "format", "table", "table, json or xlsx")
	fs.StringVarP(&o.outFile, "output", "o", "", "with --format xlsx: the workbook to write")
	return cmd
}

func (c *cli) availability(ctx context.Context, o availabilityOptions) error {
	if o.country == "" {
		return usageErr("availability needs --country ISO3")
	}
	switch o.format {
	case "table", "json":
	case "xlsx":
		if o.outFile == "" {
			return usageErr("--format xlsx needs -o FILE.xlsx")
		}
	default:
		return usageErr("unknown format %q: use table, json or xlsx", o.format)
	}
	if o.year == 0 {
		o.year = time.Now().UTC().Year()
	}
	a, err := openApp(ctx, &c.g, c.stderr, false)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.gaps.Availability(ctx, strings.ToUpper(o.country), o.year)
	if err != nil {
		return err
	}
	switch o.format {
	case "json":
		return writeJSON(c.stdout, res)
	case "xlsx":
		return writeFile(c.stdout, o.outFile, func() ([]byte, error) { return reports.AvailabilityXLSX(res) })
	}
	return writeAvailabilityTable(c.stdout, res)
}

func writeAvailabilityTable(w io.Writer, a access.CountryAvailability) error {
	ccs := "no answer"
	if a.CCSOralMorphineAvailable != nil {
		ccs = fmt.Sprintf("%s (%d)", *a.CCSOralMorphineAvailable, *a.CCSSurveyYear)
	}
	fmt.Fprintf(w, "%s: oral morphine generally available in public primary care (NCD country capacity survey): %s\n", a.ISO3, ccs)
	if len(a.AvailabilityFlags) > 0 {
		fmt.Fprintf(w, "flags (against %d): %s\n", a.ReferenceYear, strings.Join(a.AvailabilityFlags, " "))
	}
	if a.AffordabilityFormula != "" {
		fmt.Fprintf(w, "affordability: %s\n", a.AffordabilityFormula)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "survey_year\tmedicine\tsector\tavailability_pct\tfacilities\tmedian_price_ratio\tprice_reference\tdays_wages_month\tsource")
	for _, s := range a.Surveys {
		fac := ""
		if s.FacilitiesSurveyed != nil {
			fac = strconv.Itoa(*s.FacilitiesSurveyed)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.SurveyYear, s.Medicine, s.Sector, fnum(s.FacilityAvailabilityPct, 1), fac,
			fnum(s.MedianPriceRatio, 2), fstr(s.PriceReference), fnum(s.AffordabilityDaysWages, 1), s.Source)
	}
	return tw.Flush()
}
