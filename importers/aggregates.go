package importers

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"

	"github.com/reliefgap/reliefgap/internal/access"
)

// aggregatesCSV is the versioned table of the codes and names publishers
// list among countries that are groups of countries: World Bank regions,
// income and lending groups, WHO GHO regions and income groups, Our World
// in Data regions (with OWID_ codes or none), IHME GBD regions, INCB
// region subtotals and totals, UN M49 regions. It is data: a new
// publisher's groups are rows, not code.
//
//go:embed aggregates.csv
var aggregatesCSV string

// aggregate is one row of the table.
type aggregate struct {
	publisher string // worldbank, who, owid, ihme, incb, un
	group     string // groups, regions, income, world, total, subnational
	code      string
	name      string
}

// publisherNames are how skipped aggregates are labelled.
var publisherNames = map[string]string{
	"worldbank": "World Bank aggregates",
	"who":       "WHO GHO regions, income groups and global",
	"owid":      "Our World in Data regions and groups",
	"ihme":      "GBD regions",
	"incb":      "INCB region subtotals and totals",
	"un":        "UN M49 regions and groups",
}

// aggregateTable indexes the table by code and by normalised name.
type aggregateTable struct {
	version int
	byCode  map[string]aggregate
	byName  map[string]aggregate
	// alsoNamed lists, for a name several publishers use ("Africa"),
	// every publisher's row, so that the file's publisher is preferred.
	alsoNamed map[string][]aggregate
}

var aggregates = mustAggregates(aggregatesCSV)

func mustAggregates(text string) *aggregateTable {
	t, err := parseAggregates(text)
	if err != nil {
		panic("importers: aggregates.csv: " + err.Error())
	}
	return t
}

func parseAggregates(text string) (*aggregateTable, error) {
	version, rows, err := readVersionedCSV(text, 4, "publisher,group,code,name")
	if err != nil {
		return nil, err
	}
	t := &aggregateTable{byCode: map[string]aggregate{}, byName: map[string]aggregate{}, alsoNamed: map[string][]aggregate{}}
	t.version = version
	for _, row := range rows {
		a := aggregate{publisher: row[0], group: row[1], code: strings.TrimSpace(row[2]), name: strings.TrimSpace(row[3])}
		if _, ok := publisherNames[a.publisher]; !ok {
			return nil, fmt.Errorf("unknown publisher %q", a.publisher)
		}
		if a.code != "" {
			k := aggregateCodeKey(a.code)
			if _, dup := t.byCode[k]; !dup {
				t.byCode[k] = a
			}
		}
		if a.name != "" {
			k := normalize(a.name)
			if _, dup := t.byName[k]; !dup {
				t.byName[k] = a
			}
			t.alsoNamed[k] = append(t.alsoNamed[k], a)
		}
	}
	return t, nil
}

// aggregateCodeKey: codes compare in upper case, numeric ones without
// leading zeros ("001" and "1" are UN M49's World).
func aggregateCodeKey(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if reM49Code.MatchString(s) {
		v, _ := strconv.Atoi(s)
		return strconv.Itoa(v)
	}
	return s
}

// lookup finds s (a code or a name) in the table. OWID_ codes that the
// table does not list are groups too, unless the row's name is a country
// (OWID_KOS is Kosovo): the caller tries the name first. UN M49 codes of
// 900 and above are WPP's groups.
func (t *aggregateTable) lookup(s string) (aggregate, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return aggregate{}, false
	}
	k := aggregateCodeKey(s)
	if a, ok := t.byCode[k]; ok {
		if a.name == "" {
			a.name = s
		}
		return a, true
	}
	if reM49Code.MatchString(k) {
		if v, _ := strconv.Atoi(k); v >= 900 {
			return aggregate{publisher: "un", group: "regions", code: k, name: s}, true
		}
	}
	n := normalize(s)
	if a, ok := t.byName[n]; ok {
		a.name = s
		return a, true
	}
	// INCB: "Total Africa", "Africa total", "Subtotal: Europe".
	rest := n
	for _, w := range []string{"total ", "subtotal "} {
		rest = strings.TrimPrefix(rest, w)
	}
	rest = strings.TrimSuffix(rest, " total")
	if rest != n {
		for _, a := range t.alsoNamed[rest] {
			if a.publisher == "incb" {
				a.name = s
				return a, true
			}
		}
	}
	return aggregate{}, false
}

// lookupFor is lookup preferring the rows of publisher where a name is
// shared.
func (t *aggregateTable) lookupFor(s, publisher string) (aggregate, bool) {
	a, ok := t.lookup(s)
	if !ok || publisher == "" || a.publisher == publisher {
		return a, ok
	}
	for _, b := range t.alsoNamed[normalize(s)] {
		if b.publisher == publisher {
			b.name = a.name
			return b, true
		}
	}
	return a, ok
}

// isAggregate reports whether s is a known aggregate of any publisher.
func isAggregate(s string) bool {
	_, ok := aggregates.lookup(s)
	return ok || isOWIDCode(s)
}

// isOWIDCode reports an Our World in Data code ("OWID_WRL").
func isOWIDCode(s string) bool {
	return strings.HasPrefix(strings.ToUpper(strings.TrimSpace(s)), "OWID_")
}

// skippedAggregates counts the aggregate rows skipped, by publisher, with
// their names in the order met.
type skippedAggregates struct {
	order []string
	rows  map[string]int
	names map[string][]string
	seen  map[string]bool
}

func (s *skippedAggregates) add(a aggregate, label string) {
	if s.rows == nil {
		s.rows, s.names, s.seen = map[string]int{}, map[string][]string{}, map[string]bool{}
	}
	if _, ok := s.rows[a.publisher]; !ok {
		s.order = append(s.order, a.publisher)
	}
	s.rows[a.publisher]++
	if k := a.publisher + "\x00" + label; !s.seen[k] {
		s.seen[k] = true
		s.names[a.publisher] = append(s.names[a.publisher], label)
	}
}

// maxNamesListed is how many aggregate names a summary shows.
const maxNamesListed = 8

// problems are the summaries, one per publisher: "skipped 49 aggregate
// rows: Arab World, Euro area, … (World Bank aggregates)".
func (s *skippedAggregates) problems() []access.Problem {
	var out []access.Problem
	for _, p := range s.order {
		names := s.names[p]
		list := strings.Join(names, ", ")
		if len(names) > maxNamesListed {
			list = strings.Join(names[:maxNamesListed], ", ") + fmt.Sprintf(", … (%d names)", len(names))
		}
		row := "rows"
		if s.rows[p] == 1 {
			row = "row"
		}
		out = append(out, access.Problem{Severity: access.SeverityWarning, Code: CodeAggregatesSkipped,
			Message: fmt.Sprintf("skipped %d aggregate %s: %s (%s, aggregate table v%d)", s.rows[p], row, list, publisherNames[p], aggregates.version)})
	}
	return out
}

// publisherOf guesses whose aggregates a table lists, from its layout and
// file name, so that a name several publishers use is labelled as its own.
func publisherOf(layout, filename string) string {
	f := strings.ToLower(filepathBase(filename))
	switch {
	case strings.HasPrefix(layout, "incb"), strings.Contains(f, "incb"):
		return "incb"
	case strings.HasPrefix(layout, "wdi"), strings.HasPrefix(layout, "worldbank"), strings.HasPrefix(layout, "databank"),
		strings.HasPrefix(f, "api_"), strings.Contains(f, "worldbank"):
		return "worldbank"
	case strings.HasPrefix(layout, "owid"):
		return "owid"
	case strings.HasPrefix(layout, "gho"), strings.HasPrefix(layout, "who"):
		return "who"
	case strings.HasPrefix(layout, "ihme"), strings.HasPrefix(layout, "gbd"), strings.Contains(f, "ihme"):
		return "ihme"
	case layout == "wpp":
		return "un"
	}
	return ""
}
