package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/reliefgap/reliefgap/internal/access"
)

// CountryCSV writes a country's gap figures as CSV: a header row, then one
// row per year with the country's iso3, name, who_region and income_group
// followed by the columns of the Figures sheet. Missing figures are empty
// fields; numbers are written in full precision.
func CountryCSV(w io.Writer, g access.CountryGaps) (err error) {
	defer wrap(&err, "reports.CountryCSV(%q)", g.Country.ISO3)
	cw := csv.NewWriter(w)
	head := []string{"iso3", "name", "who_region", "income_group"}
	for _, col := range yearColumns {
		head = append(head, col.key)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	c := g.Country
	for _, y := range g.Years {
		rec := []string{csvText(c.ISO3), csvText(c.Name), csvText(c.WHORegion), csvText(c.IncomeGroup)}
		for _, col := range yearColumns {
			f, err := csvField(col.value(y))
			if err != nil {
				return err
			}
			rec = append(rec, f)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvField(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return csvText(v), nil
	case *string:
		if v == nil {
			return "", nil
		}
		return csvText(*v), nil
	case int:
		return strconv.Itoa(v), nil
	case float64:
		return csvFloat(v), nil
	case *float64:
		if v == nil {
			return "", nil
		}
		return csvFloat(*v), nil
	}
	return "", fmt.Errorf("unsupported value %T", v)
}

func csvFloat(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// csvText guards text from data against formula injection: a spreadsheet
// opening the CSV would evaluate a field that begins with one of these
// characters, so such text is prefixed with a single quote.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
