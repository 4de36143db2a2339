package access

import (
	"strconv"
	"strings"
)

// ProblemGroup is every problem of one severity and code, for display: a
// repeated problem shown once with its count and its first cells, so that
// thousands of one kind do not hide the others. The full list stays in the
// upload (JSON, annotated workbook).
type ProblemGroup struct {
	Severity Severity
	Code     string
	Count    int
	First    Problem  // the first problem of the group, as found
	Refs     []string // the first cells, "Sheet1!E2", then "E9" on the same sheet
}

// GroupProblems groups ps by severity and code, errors first, each group
// in the order its first problem was found, with up to refs cell
// references.
func GroupProblems(ps []Problem, refs int) []ProblemGroup {
	var out []ProblemGroup
	index := map[string]int{}
	lastSheet := map[string]string{}
	for _, p := range ps {
		k := string(p.Severity) + "\x00" + p.Code
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, ProblemGroup{Severity: p.Severity, Code: p.Code, First: p})
		}
		g := &out[i]
		g.Count++
		if ref := p.cellRef(); ref != "" && len(g.Refs) < refs {
			if p.Sheet != "" && lastSheet[k] == p.Sheet {
				ref = strings.TrimPrefix(ref, quoteSheet(p.Sheet)+"!")
			}
			lastSheet[k] = p.Sheet
			g.Refs = append(g.Refs, ref)
		}
	}
	errs := make([]ProblemGroup, 0, len(out))
	var rest []ProblemGroup
	for _, g := range out {
		if g.Severity == SeverityError {
			errs = append(errs, g)
		} else {
			rest = append(rest, g)
		}
	}
	return append(errs, rest...)
}

// cellRef is where a problem is, as a spreadsheet names it: "Sheet1!E2",
// "E2" for a CSV file, "row 7" without a column; "" for a whole file.
func (p Problem) cellRef() string {
	if p.Row <= 0 {
		return ""
	}
	at := p.Column + strconv.Itoa(p.Row)
	if p.Column == "" {
		at = "row " + strconv.Itoa(p.Row)
	}
	if p.Sheet == "" {
		return at
	}
	return quoteSheet(p.Sheet) + "!" + at
}

func quoteSheet(s string) string {
	if strings.ContainsAny(s, " -'!") {
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	return s
}
