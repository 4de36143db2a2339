package importers

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/reliefgap/reliefgap/internal/access"
)

// seriesCSV is the versioned table mapping publishers' series (indicator
// codes, column and cause names) to what is stored. Like the aggregate
// table it is data: a new series is a row.
//
//go:embed series.csv
var seriesCSV string

// seriesTarget is what one series holds.
type seriesTarget struct {
	publisher string
	kind      access.ImportKind
	target    string // total, a cause code or a drug code
	unit      string // persons, thousands, kg, g
}

type seriesTable struct {
	version int
	byKey   map[string]seriesTarget // upper-cased code and normalised name
}

var seriesMap = mustSeries(seriesCSV)

func mustSeries(text string) *seriesTable {
	t, err := parseSeries(text)
	if err != nil {
		panic("importers: series.csv: " + err.Error())
	}
	return t
}

func parseSeries(text string) (*seriesTable, error) {
	version, rows, err := readVersionedCSV(text, 5, "publisher,series,kind,target,unit")
	if err != nil {
		return nil, err
	}
	t := &seriesTable{byKey: map[string]seriesTarget{}}
	t.version = version
	for _, row := range rows {
		s := seriesTarget{publisher: row[0], kind: access.ImportKind(row[2]), target: row[3], unit: row[4]}
		if !s.kind.Valid() {
			return nil, fmt.Errorf("series %q: unknown kind %q", row[1], row[2])
		}
		for _, k := range []string{strings.ToUpper(strings.TrimSpace(row[1])), normalize(row[1])} {
			if _, dup := t.byKey[k]; !dup && k != "" {
				t.byKey[k] = s
			}
		}
	}
	return t, nil
}

// lookup finds a series by code or name.
func (t *seriesTable) lookup(s string) (seriesTarget, bool) {
	if v, ok := t.byKey[strings.ToUpper(strings.TrimSpace(s))]; ok {
		return v, true
	}
	v, ok := t.byKey[normalize(s)]
	return v, ok
}

// ignoredSeries counts the rows or columns of series a file holds that
// the series table does not map, to list them once.
type ignoredSeries struct {
	count map[string]int
	order []string
}

func (g *ignoredSeries) add(name string) {
	if g.count == nil {
		g.count = map[string]int{}
	}
	if _, ok := g.count[name]; !ok {
		g.order = append(g.order, name)
	}
	g.count[name]++
}

func (g *ignoredSeries) problem() (access.Problem, bool) {
	if len(g.order) == 0 {
		return access.Problem{}, false
	}
	names := append([]string(nil), g.order...)
	list := make([]string, 0, len(names))
	total := 0
	for i, n := range names {
		total += g.count[n]
		if i < maxNamesListed {
			list = append(list, fmt.Sprintf("%s (%d)", n, g.count[n]))
		}
	}
	more := ""
	if len(names) > maxNamesListed {
		more = fmt.Sprintf(", … (%d series)", len(names))
	}
	return access.Problem{Severity: access.SeverityWarning, Code: CodeSeriesIgnored,
		Message: fmt.Sprintf("ignored %d series not in the series table v%d (%s): %s%s",
			len(names), seriesMap.version, plural(total, "row or column", "rows or columns"), strings.Join(list, ", "), more)}, true
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
