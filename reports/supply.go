package reports

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/reliefgap/reliefgap/internal/access"
)

// SupplyTable writes a supply estimate as a text table, grams of anhydrous
// base, one row per drug, then each line's explanation. A missing figure
// is an empty cell.
func SupplyTable(w io.Writer, e access.SupplyEstimate) (err error) {
	defer wrap(&err, "reports.SupplyTable(%q)", e.Country)
	m := e.Methods
	need := "none"
	if m.NeedModel != nil {
		need = fmt.Sprintf("%s v%d", m.NeedModel.Name, m.NeedModel.Version)
	}
	var tables []string
	for _, t := range m.FactorTables {
		tables = append(tables, fmt.Sprintf("%s v%d", t.Name, t.Version))
	}
	fmt.Fprintf(w, "Supply estimate for %s, %d (grams of anhydrous base)\n", e.Country, e.Year)
	fmt.Fprintf(w, "methods: projection %s, need model %s, mix %s, phase %s, stock %s months, factor tables %s; total = %s\n",
		m.Projection, need, m.Mix, strconv.FormatFloat(m.Phase, 'f', 3, 64), strconv.FormatFloat(m.StockMonths, 'f', -1, 64),
		strings.Join(tables, ", "), m.FormBTotal)
	if len(e.Flags) > 0 {
		fmt.Fprintf(w, "flags: %s\n", strings.Join(e.Flags, " "))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "drug\tprojection\tneed-based\tphased\t(a)\t(b)\t(c)\t(d)\texpected stock\ttotal\tministry\tstatus\t")
	g := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', 1, 64)
	}
	for _, l := range e.Drugs {
		a, b, c, d, t, ph := l.AConsumptionG, l.BManufactureG, l.CStockTargetG, l.DSpecialStockG, l.TotalG, l.PhasedG
		st := ""
		if l.SubmittedStatus != nil {
			st = *l.SubmittedStatus
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", l.Drug, g(l.ConsumptionProjectionG), g(l.NeedBasedG),
			g(&ph), g(&a), g(&b), g(&c), g(&d), g(l.ExpectedStockG), g(&t), g(l.SubmittedTotalG), st)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\ntotal: %s mg morphine equivalent", strconv.FormatFloat(e.TotalMEMg, 'f', 0, 64))
	if e.NeedMEMg != nil {
		fmt.Fprintf(w, " (need %s mg)", strconv.FormatFloat(*e.NeedMEMg, 'f', 0, 64))
	}
	fmt.Fprintln(w)
	for _, l := range e.Drugs {
		fmt.Fprintf(w, "\n%s", l.Drug)
		if len(l.Flags) > 0 {
			fmt.Fprintf(w, " [%s]", strings.Join(l.Flags, " "))
		}
		fmt.Fprintf(w, ":\n%s\n", l.Explanation)
	}
	return nil
}
