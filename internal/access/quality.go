package access

import "math"

// Data-quality rules: named and versioned, because they change figures.
// The figures carry the name/version of every rule that ran
// (Methods.DataQualityRules); docs/METHODOLOGY.md states each.
const (
	// RuleSuspectedNotReported: a country-year in which every drug with a
	// figure reads exactly 0, after any earlier year of that country with
	// consumption, is treated as not reported (flag suspected_not_reported),
	// and so is each following all-zero year. A year with an INCB "-"
	// among its figures kept the distinction between nil and blank, so its
	// zeros are believed.
	RuleSuspectedNotReported = "suspected-not-reported/1"

	// SettingSuspectedNotReported turns RuleSuspectedNotReported off when
	// an administrator sets it to "off"; any other value, or none, leaves
	// it on.
	SettingSuspectedNotReported = "rule.suspected_not_reported"

	// ImplausibleChangeRatio and ImplausibleChangeMinMg are the thresholds
	// of the implausible_change flag: a year-to-year change in mg ME per
	// capita by more than this factor, with at least this many mg ME per
	// capita on the larger side.
	ImplausibleChangeRatio = 10.0
	ImplausibleChangeMinMg = 1.0
)

// names lists the rules that run, name/version.
func (r QualityRules) names() []string {
	out := []string{}
	if !r.SuspectedNotReportedOff {
		out = append(out, RuleSuspectedNotReported)
	}
	return out
}

// markNotReported marks the years whose consumption rows carry no figure
// at all (every cell blank) and, unless turned off, the years the
// suspected-not-reported rule catches.
func (x *indexed) markNotReported(rules QualityRules) {
	consumedBefore := false
	for i := range x.slots {
		s := &x.slots[i]
		if s.c1 == s.c0 {
			continue
		}
		valued, positive, nils := 0, 0, 0
		for _, e := range x.cons[s.c0:s.c1] {
			if !e.ok {
				continue
			}
			valued++
			if e.isNil {
				nils++
			}
			if e.grams > 0 {
				positive++
			}
		}
		switch {
		case valued == 0:
			s.notReported = true
		case positive == 0 && nils == 0 && consumedBefore && !rules.SuspectedNotReportedOff:
			s.suspected = true
		}
		if positive > 0 {
			consumedBefore = true
		}
	}
}

// implausibleChange reports whether g's mg ME per capita moved by more
// than ImplausibleChangeRatio from the year before, with at least
// ImplausibleChangeMinMg on the larger side, and no change of borders
// explains it: the year is then flagged implausible_change. The figure is
// shown, not hidden.
func implausibleChange(x *indexed, p *prepared, g *YearGaps) bool {
	if g.MEMgPerCapita == nil || x.explainedBySuccession(g.Year) {
		return false
	}
	prev, ok := x.mePerCapita(p, g.Year-1)
	if !ok {
		return false
	}
	lo, hi := math.Min(prev, *g.MEMgPerCapita), math.Max(prev, *g.MEMgPerCapita)
	return !(hi < ImplausibleChangeMinMg || hi <= lo*ImplausibleChangeRatio)
}
