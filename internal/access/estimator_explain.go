package access

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// explainInput is what a supply line's explanation is written from.
type explainInput struct {
	country        Country
	year           int
	line           SupplyLine
	proj           projection
	method         string
	need           needResult
	model          *NeedModel
	meTable        Ref
	meFactor       float64
	hasME          bool
	share          float64
	mix, mixAsked  string
	phase, months  float64
	bSrc, stockSrc *yearValue
	bGiven, dGiven bool
	stockGiven     bool
	submittedAt    *Lineage
}

// explainLine writes one line's justification: a few sentences a ministry
// official can paste into the justification INCB asks for, naming the
// method, the inputs with their lineage and the factor-table and need-model
// versions.
func explainLine(x explainInput) string {
	l := x.line
	var b strings.Builder
	name := x.country.Name
	if name == "" {
		name = x.country.ISO3
	}
	fmt.Fprintf(&b, "%s, %s, estimate for %d: total %s of anhydrous base = (a) + (b) + (d) + max(0, (c) − expected stock), Single Convention Art. 19(2). ",
		capitalize(l.Drug), name, x.year, fmtMass(l.TotalG))

	// (a)
	fmt.Fprintf(&b, "(a) %s to be consumed: ", fmtMass(l.AConsumptionG))
	switch {
	case l.ConsumptionProjectionG == nil:
		b.WriteString("no consumption was reported in the years before, so the consumption projection is 0 g")
		if len(x.proj.suspected) > 0 {
			fmt.Fprintf(&b, " (%s left out as not reported: every drug read 0 after years with consumption, rule %s)", intList(x.proj.suspected), RuleSuspectedNotReported)
		}
	default:
		fmt.Fprintf(&b, "the consumption projection of %s (%s)", fmtMass(*l.ConsumptionProjectionG), describeProjection(x.proj, x.method, x.year))
	}
	switch {
	case !x.hasME:
		fmt.Fprintf(&b, "; %s has no morphine-equivalence factor (%s v%d), so only consumption is projected for it and no need-based quantity is given", l.Drug, x.meTable.Name, x.meTable.Version)
	case l.NeedBasedG == nil:
		b.WriteString("; no need-based quantity could be computed (deaths or population are missing)")
	case *l.NeedBasedG == 0 && x.mix == MixCurrent:
		fmt.Fprintf(&b, "; the country's current mix puts none of the need on %s (%s v%d gives %s mg morphine equivalent in all), so the projection is kept",
			l.Drug, x.model.Ref.Name, x.model.Ref.Version, fmtNumber(math.Round(*x.need.meMg)))
	case *l.NeedBasedG == 0:
		fmt.Fprintf(&b, "; all need is put on oral morphine, so the projection is kept")
	default:
		need := fmt.Sprintf("the need-based quantity of %s (%s)", fmtMass(*l.NeedBasedG), describeNeed(x))
		if l.PhasedG > projValue(l) {
			fmt.Fprintf(&b, ", moved %s of the way toward %s", fmtShare(x.phase), need)
		} else {
			fmt.Fprintf(&b, ", already at or above %s, is kept", need)
		}
	}
	b.WriteString(". ")

	// (b), (c), (d) and the stock.
	switch {
	case x.bGiven:
		fmt.Fprintf(&b, "(b) %s for manufacture of other drugs or preparations, as given. ", fmtMass(l.BManufactureG))
	case x.bSrc != nil:
		fmt.Fprintf(&b, "(b) %s for manufacture, carried from the %d statistics. ", fmtMass(l.BManufactureG), x.bSrc.year)
	default:
		b.WriteString("(b) 0 g for manufacture: none was reported. ")
	}
	fmt.Fprintf(&b, "(c) %s to be held in stock on 31 December %d: %s months of (a). ", fmtMass(l.CStockTargetG), x.year, fmtNumber(x.months))
	if x.dGiven {
		fmt.Fprintf(&b, "(d) %s to be added to special stocks, as given. ", fmtMass(l.DSpecialStockG))
	} else {
		b.WriteString("(d) 0 g to be added to special stocks. ")
	}
	switch {
	case x.stockGiven:
		fmt.Fprintf(&b, "Stock expected on 31 December %d: %s, as given.", x.year-1, fmtMass(*l.ExpectedStockG))
	case x.stockSrc != nil:
		fmt.Fprintf(&b, "Stock expected on 31 December %d: %s, the stock reported for 31 December %d carried forward on the assumption that receipts match consumption.",
			x.year-1, fmtMass(*l.ExpectedStockG), x.stockSrc.year)
	default:
		fmt.Fprintf(&b, "No stock was reported, so the whole of (c) is added.")
	}
	if l.SubmittedTotalG != nil {
		fmt.Fprintf(&b, " The %s estimate for %d is %s", *l.SubmittedStatus, x.year, fmtMass(*l.SubmittedTotalG))
		var notes []string
		for _, f := range l.Flags {
			switch f {
			case FlagBelowConsumptionProjection:
				notes = append(notes, "below the consumption projection")
			case FlagBelowPhasedNeed:
				notes = append(notes, "below the phased need-based quantity")
			case FlagFarAbove:
				notes = append(notes, fmt.Sprintf("over %s times both the projection and the phased quantity", fmtNumber(FarAboveFactor)))
			}
		}
		if len(notes) > 0 {
			b.WriteString(": " + strings.Join(notes, "; "))
		}
		b.WriteString(".")
	}

	// Inputs with lineage.
	var inputs []string
	if len(x.proj.meanYears) > 0 || len(x.proj.fitYears) > 0 {
		inputs = append(inputs, "consumption "+lineageList(append(append([]yearValue(nil), x.proj.meanYears...), x.proj.fitYears...)))
	}
	if x.hasME && l.NeedBasedG != nil && len(x.need.lineage) > 0 {
		inputs = append(inputs, "deaths and population "+rowsOf(x.need.lineage))
	}
	if x.submittedAt != nil {
		inputs = append(inputs, "the ministry's estimate "+rowsOf([]Lineage{*x.submittedAt}))
	}
	if len(inputs) > 0 {
		b.WriteString(" Inputs: " + strings.Join(inputs, "; ") + ".")
	}
	return b.String()
}

func projValue(l SupplyLine) float64 {
	if l.ConsumptionProjectionG == nil {
		return 0
	}
	return *l.ConsumptionProjectionG
}

// describeProjection says how a projection was made.
func describeProjection(p projection, method string, year int) string {
	var s string
	mean := func() string {
		return fmt.Sprintf("the mean of reported consumption in %s, %s", yearsOf(p.meanYears), fmtMass(*p.mean))
	}
	trend := func() string {
		return fmt.Sprintf("the linear trend over %s carried to %d, %s", yearsOf(p.fitYears), year, fmtMass(*p.trend))
	}
	switch {
	case p.trend == nil:
		s = mean()
		if method != ProjectionMean {
			s += fmt.Sprintf("; too few reported years (under %d) for a trend", MinTrendYears)
		}
	case method == ProjectionMean:
		s = mean()
	case method == ProjectionTrend:
		s = trend() + ", never below 0"
	default:
		s = "the higher of " + mean() + ", and " + trend() + ", never below 0"
	}
	if len(p.adjusted) > 0 {
		s += fmt.Sprintf("; years with stock-out days (%s) corrected as use × 365 ÷ (365 − days out of stock)", intList(p.adjusted))
	}
	if len(p.skipped) > 0 {
		s += fmt.Sprintf("; %s left out, out of stock all year", intList(p.skipped))
	}
	if len(p.suspected) > 0 {
		s += fmt.Sprintf("; %s left out as not reported: every drug read 0 after years with consumption (rule %s)", intList(p.suspected), RuleSuspectedNotReported)
	}
	return s + "; years not reported are skipped, not counted as 0"
}

// describeNeed says where a need-based quantity came from.
func describeNeed(x explainInput) string {
	var s string
	if x.model != nil {
		s = fmt.Sprintf("the %s v%d need model gives %s mg morphine equivalent for %d",
			x.model.Ref.Name, x.model.Ref.Version, fmtNumber(math.Round(*x.need.meMg)), x.year)
	}
	switch {
	case x.need.projected && x.need.deathsYear != 0 && x.need.deathsYear != x.year:
		s += fmt.Sprintf(", from %d deaths per inhabitant times the %d population", x.need.deathsYear, x.year)
		if x.need.popProjected {
			s += fmt.Sprintf(" (projected by the linear trend of %s)", yearsOf(x.need.populationFit))
		}
	case x.need.popProjected:
		s += fmt.Sprintf(", with the population projected by the linear trend of %s", yearsOf(x.need.populationFit))
	}
	if x.mix == MixMorphine {
		if x.mixAsked == MixCurrent {
			s += fmt.Sprintf("; all of it as oral morphine, the WHO first-line choice, because the country consumes under %s of it", fmtPct(MixMorphineThreshold))
		} else {
			s += "; all of it as oral morphine, the WHO first-line choice"
		}
	} else {
		s += fmt.Sprintf("; %s of it on %s, the country's current mix", fmtPct(x.share), x.line.Drug)
	}
	s += fmt.Sprintf("; converted at %s mg morphine per mg (%s v%d)", fmtNumber(x.meFactor), x.meTable.Name, x.meTable.Version)
	return s
}

func yearsOf(vs []yearValue) string {
	ys := make([]int, len(vs))
	for i, v := range vs {
		ys[i] = v.year
	}
	return intList(ys)
}

// intList writes years as ranges: 2009–2011, 2013.
func intList(ys []int) string {
	ys = append([]int(nil), ys...)
	sort.Ints(ys)
	var parts []string
	for i := 0; i < len(ys); {
		j := i
		for j+1 < len(ys) && ys[j+1] == ys[j]+1 {
			j++
		}
		switch {
		case j == i:
			parts = append(parts, strconv.Itoa(ys[i]))
		default:
			parts = append(parts, fmt.Sprintf("%d–%d", ys[i], ys[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// lineageList writes the years of a series and the rows they came from.
func lineageList(vs []yearValue) string {
	seen := map[int]bool{}
	var uniq []yearValue
	var lins []Lineage
	for _, v := range vs {
		if !seen[v.year] {
			seen[v.year] = true
			uniq = append(uniq, v)
			lins = append(lins, v.lineage)
		}
	}
	return yearsOf(uniq) + " " + rowsOf(lins)
}

// rowsOf names the uploads, sheets and rows inputs came from.
func rowsOf(ls []Lineage) string {
	type key struct {
		upload int64
		sheet  string
	}
	rows := map[key][]int{}
	var keys []key
	for _, l := range ls {
		k := key{l.UploadID, l.Sheet}
		if _, ok := rows[k]; !ok {
			keys = append(keys, k)
		}
		if !containsInt(rows[k], l.Row) {
			rows[k] = append(rows[k], l.Row)
		}
	}
	var parts []string
	for _, k := range keys {
		s := fmt.Sprintf("upload %d", k.upload)
		if k.sheet != "" {
			s += fmt.Sprintf(" sheet %q", k.sheet)
		}
		rs := rows[k]
		sort.Ints(rs)
		word := "row"
		if len(rs) > 1 {
			word = "rows"
		}
		s += " " + word + " " + strings.ReplaceAll(intList(rs), "–", "-")
		parts = append(parts, s)
	}
	return "(" + strings.Join(parts, "; ") + ")"
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// fmtMass writes grams as g under a kilogram and as kg above, with
// thousands separators and at most three decimals.
func fmtMass(g float64) string {
	if math.Abs(g) >= 1000 {
		return fmtNumber(g/1000) + " kg"
	}
	return fmtNumber(g) + " g"
}

// fmtNumber writes x with at most three decimals and thousands separators.
func fmtNumber(x float64) string {
	s := strconv.FormatFloat(math.Round(x*1000)/1000, 'f', -1, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return out
}

func fmtPct(share float64) string { return fmtNumber(100*share) + "%" }

// fmtShare writes a phase as a fraction a reader knows, else as a percentage.
func fmtShare(p float64) string {
	switch {
	case math.Abs(p-1.0/3) < 1e-3:
		return "one third"
	case math.Abs(p-0.5) < 1e-9:
		return "half"
	case math.Abs(p-0.25) < 1e-9:
		return "a quarter"
	case math.Abs(p-1) < 1e-9:
		return "all"
	}
	return fmtPct(p)
}
