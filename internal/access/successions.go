package access

import (
	"math"
	"sort"
)

// SuccessionKind is how a territory passed from one code to others.
type SuccessionKind string

const (
	// SuccessionDissolution: the predecessor ends the year before the
	// successor's first year (USSR, Czechoslovakia, Yugoslavia, ...).
	SuccessionDissolution SuccessionKind = "dissolution"
	// SuccessionSeparation: the predecessor keeps its code on a smaller
	// territory (Sudan, Ethiopia, Indonesia).
	SuccessionSeparation SuccessionKind = "separation"
	// SuccessionMerger: the predecessor joins the successor, which keeps
	// its code (the German Democratic Republic into Germany).
	SuccessionMerger SuccessionKind = "merger"
)

// Succession is one predecessor-successor pair of a change of borders.
// Year is the first calendar year the successor reports as itself; for a
// merger, the first year of the merged state.
type Succession struct {
	Predecessor string
	Successor   string
	Kind        SuccessionKind
	Year        int
	Note        string
}

// Flags the border preparation puts on a country-year (see
// docs/METHODOLOGY.md, "Borders and income groups").
const (
	// FlagStateNotExisting: the country did not exist as itself this year
	// (a successor before its first year, a predecessor after its last);
	// its figures are null, not zeros.
	FlagStateNotExisting = "state_not_existing"
	// FlagReportedUnderPredecessor: consumption filed under this code for a
	// year before it existed was the predecessor's, shown under its code.
	FlagReportedUnderPredecessor = "reported_under_predecessor:"
	// FlagFiledUnderSuccessor: the predecessor's consumption this year was
	// filed under the successor named, and is shown here.
	FlagFiledUnderSuccessor = "filed_under_successor:"
	// FlagPopulationOfSuccessors: the population is the sum of the
	// successors' (the predecessor's territory in today's borders).
	FlagPopulationOfSuccessors = "population_of_successors"
	// FlagPopulationPartial: some successors have no population figure, so
	// the predecessor's population covers only the others.
	FlagPopulationPartial = "population_partial"
	// FlagMergedTerritory: a year before a merger: figures cover the merged
	// territory (population in today's borders; consumption of every part
	// that filed any).
	FlagMergedTerritory = "merged_territory"
	// FlagIncludesMerged: consumption filed under a state that merged into
	// this one is included.
	FlagIncludesMerged = "includes_merged:"
	// FlagBorderChange: the country's borders changed between the year
	// before and this one, so a jump in per-capita figures is explained.
	FlagBorderChange = "border_change"
)

// PrepareBorders rewrites the inputs of every country for the successions
// ss, before any gap arithmetic, so that each figure is over one territory:
//
//   - consumption filed under a successor for a year before it existed is
//     the predecessor's (found through chains: Montenegro 1990 →
//     Serbia and Montenegro → Yugoslavia) and moves to the predecessor's
//     code; the successor's year is flagged reported_under_predecessor and
//     shows null figures (state_not_existing), as do a dissolved
//     predecessor's years after its end;
//   - a predecessor's population and deaths for the years it existed are
//     the sum of its successors' (WPP and GBD give successors back to 1950
//     and 1990), plus its own where it kept its code;
//   - a merged state's parts (German Democratic Republic) are added to the
//     merged state (Germany), whose population is already the whole
//     territory's; its years before the merger are flagged merged_territory;
//   - a former state with no WHO region takes its successors' when they
//     agree.
//
// in is changed in place and returned; countries named in ss but absent
// from in are ignored.
func PrepareBorders(in map[string]*CountryInputs, ss []Succession) map[string]*CountryInputs {
	if len(ss) == 0 {
		return in
	}
	b := newBorders(ss)
	for _, ci := range in {
		if ci.YearFlags == nil {
			ci.YearFlags = map[int][]string{}
		}
	}
	b.moveMergers(in)
	b.moveEarlyFilings(in)
	b.sumPredecessors(in)
	b.dropAfterEnd(in)
	b.markChanges(in)
	b.inheritRegions(in)
	for iso, ci := range in {
		ci.ExistsFrom, ci.ExistsTo = b.firstYear(iso), b.endYear(iso)
	}
	return in
}

// borders indexes successions.
type borders struct {
	ss     []Succession
	succOf map[string][]Succession // predecessor → its successions
	predOf map[string][]Succession // successor → its successions (non-merger)
	// deathsAt indexes each country's deaths rows for territoryDeaths
	// while sumPredecessors computes its sums (the rows do not change
	// then); nil otherwise.
	deathsAt map[string]map[deathsKey]int
}

// deathsKey is a year and cause of death.
type deathsKey struct {
	year  int
	cause string
}

func newBorders(ss []Succession) *borders {
	b := &borders{ss: ss, succOf: map[string][]Succession{}, predOf: map[string][]Succession{}}
	for _, s := range ss {
		b.succOf[s.Predecessor] = append(b.succOf[s.Predecessor], s)
		if s.Kind != SuccessionMerger {
			b.predOf[s.Successor] = append(b.predOf[s.Successor], s)
		}
	}
	return b
}

// firstYear is the first year iso3 existed as a successor (0 when it is
// nobody's successor or only absorbed a merger).
func (b *borders) firstYear(iso3 string) int {
	y := 0
	for _, s := range b.predOf[iso3] {
		if y == 0 || s.Year < y {
			y = s.Year
		}
	}
	return y
}

// endYear is the last year a predecessor that did not keep its code
// existed (0 when it kept its code or is no predecessor).
func (b *borders) endYear(iso3 string) int {
	end := 0
	for _, s := range b.succOf[iso3] {
		if s.Kind == SuccessionSeparation {
			return 0
		}
		if e := s.Year - 1; end == 0 || e > end {
			end = e
		}
	}
	return end
}

// holder is the code whose territory included iso3 in year y: iso3 itself
// when it existed, else its predecessor at y (followed through chains).
func (b *borders) holder(iso3 string, y int) string {
	for i := 0; i < 10; i++ { // chains are short; the bound guards a cycle in bad data
		fy := b.firstYear(iso3)
		if fy == 0 || y >= fy {
			return iso3
		}
		iso3 = b.predOf[iso3][0].Predecessor
	}
	return iso3
}

func addFlag(ci *CountryInputs, y int, f string) {
	for _, g := range ci.YearFlags[y] {
		if g == f {
			return
		}
	}
	ci.YearFlags[y] = append(ci.YearFlags[y], f)
}

// addConsumption adds c to the consumption of dst, summing with a row
// already there for the same year and drug that came from another
// successor. A row of dst's own (it kept its code) stands.
func addConsumption(dst *CountryInputs, c Consumption, moved map[[2]any]bool) {
	c.ISO3 = dst.Country.ISO3
	for i := range dst.Consumption {
		d := &dst.Consumption[i]
		if d.Year != c.Year || d.Drug != c.Drug {
			continue
		}
		if !moved[[2]any{c.Year, c.Drug}] {
			return // the predecessor's own figure
		}
		if d.Grams == nil {
			d.Grams, d.State = c.Grams, c.State
		} else if c.Grams != nil {
			d.Grams = F(*d.Grams + *c.Grams)
			if c.GramsState() == ValueReported {
				d.State = ValueReported
			}
		}
		return
	}
	dst.Consumption = append(dst.Consumption, c)
	moved[[2]any{c.Year, c.Drug}] = true
}

// moveMergers adds every filing of a merged part to the merged state.
func (b *borders) moveMergers(in map[string]*CountryInputs) {
	for _, s := range b.ss {
		if s.Kind != SuccessionMerger {
			continue
		}
		part, whole := in[s.Predecessor], in[s.Successor]
		if whole == nil {
			continue
		}
		for y := minYear(whole, part); y < s.Year && y > 0; y++ {
			addFlag(whole, y, FlagMergedTerritory)
		}
		if part == nil {
			continue
		}
		for _, c := range part.Consumption {
			// The parts are different territories: their figures add.
			addFlag(whole, c.Year, FlagIncludesMerged+s.Predecessor)
			i := indexOfConsumption(whole.Consumption, c.Year, c.Drug)
			switch {
			case i < 0:
				c.ISO3 = whole.Country.ISO3
				whole.Consumption = append(whole.Consumption, c)
			case c.Grams == nil:
			case whole.Consumption[i].Grams == nil:
				whole.Consumption[i].Grams, whole.Consumption[i].State = c.Grams, c.State
			default:
				whole.Consumption[i].Grams = F(*whole.Consumption[i].Grams + *c.Grams)
			}
		}
		part.Consumption = nil
		part.Population, part.Deaths = nil, nil
	}
}

// moveEarlyFilings moves consumption filed under a successor for a year
// before it existed to the code that held the territory then.
func (b *borders) moveEarlyFilings(in map[string]*CountryInputs) {
	moved := map[string]map[[2]any]bool{}
	for _, iso := range sortedKeysOf(in) {
		ci := in[iso]
		fy := b.firstYear(iso)
		if fy == 0 {
			continue
		}
		var keep []Consumption
		for _, c := range ci.Consumption {
			if c.Year >= fy {
				keep = append(keep, c)
				continue
			}
			h := b.holder(iso, c.Year)
			addFlag(ci, c.Year, FlagStateNotExisting)
			dst := in[h]
			if dst == nil || h == iso {
				continue
			}
			if moved[h] == nil {
				moved[h] = map[[2]any]bool{}
			}
			addFlag(ci, c.Year, FlagReportedUnderPredecessor+h)
			if c.Grams != nil && *c.Grams > 0 {
				addFlag(dst, c.Year, FlagFiledUnderSuccessor+iso)
			}
			addConsumption(dst, c, moved[h])
		}
		ci.Consumption = keep
		for _, e := range ci.Estimates {
			if e.Year < fy {
				addFlag(ci, e.Year, FlagStateNotExisting)
			}
		}
		ci.Estimates = filterYears(ci.Estimates, fy, func(e Estimate) int { return e.Year })
	}
}

// sumPredecessors gives each predecessor, for the years it existed, the
// population and deaths of its territory: its successors' (through
// chains), plus its own where it kept its code. Each successor's own
// population and deaths for the years before it existed are then dropped,
// so no one is counted twice.
func (b *borders) sumPredecessors(in map[string]*CountryInputs) {
	// Every sum is computed before any successor's early years are
	// dropped, so a chain (YUG → SCG → MNE) sums from the leaves.
	pops := map[string][]Population{}
	deaths := map[string][]Deaths{}
	b.deathsAt = map[string]map[deathsKey]int{}
	for _, iso := range sortedKeysOf(b.succOf) {
		ci := in[iso]
		if ci == nil {
			continue
		}
		for _, y := range b.territoryYears(in, iso) {
			if b.holder(iso, y) != iso || b.endYear(iso) > 0 && y > b.endYear(iso) || len(b.successorsAt(iso, y)) == 0 {
				continue
			}
			if p, lin, missing := b.territoryPopulation(in, iso, y); p > 0 {
				pops[iso] = append(pops[iso], Population{ISO3: iso, Year: y, Persons: p, Lineage: lin})
				addFlag(ci, y, FlagPopulationOfSuccessors)
				if missing {
					addFlag(ci, y, FlagPopulationPartial)
				}
			}
			for _, cause := range Causes {
				if d, lin, ok := b.territoryDeaths(in, iso, y, cause); ok {
					deaths[iso] = append(deaths[iso], Deaths{ISO3: iso, Year: y, Cause: cause, Deaths: d, Lineage: lin})
				}
			}
		}
	}
	b.deathsAt = nil
	for iso, ps := range pops {
		ci := in[iso]
		summed := map[int]bool{}
		for _, p := range ps {
			summed[p.Year] = true
		}
		ci.Population = append(dropIf(ci.Population, func(p Population) bool { return summed[p.Year] }), ps...)
		sort.SliceStable(ci.Population, func(i, j int) bool { return ci.Population[i].Year < ci.Population[j].Year })
	}
	for iso, ds := range deaths {
		ci := in[iso]
		summed := map[[2]any]bool{}
		for _, d := range ds {
			summed[[2]any{d.Year, d.Cause}] = true
		}
		ci.Deaths = append(dropIf(ci.Deaths, func(d Deaths) bool { return summed[[2]any{d.Year, d.Cause}] }), ds...)
	}
	b.dropEarlyYears(in)
}

// dropEarlyYears drops each successor's population and deaths for the
// years before it existed (they are in its predecessor's sums).
func (b *borders) dropEarlyYears(in map[string]*CountryInputs) {
	for _, iso := range sortedKeysOf(in) {
		fy := b.firstYear(iso)
		if fy == 0 {
			continue
		}
		ci := in[iso]
		for _, p := range ci.Population {
			if p.Year < fy {
				addFlag(ci, p.Year, FlagStateNotExisting)
			}
		}
		ci.Population = filterYears(ci.Population, fy, func(p Population) int { return p.Year })
		ci.Deaths = filterYears(ci.Deaths, fy, func(d Deaths) int { return d.Year })
	}
}

// territoryYears lists the years with population or deaths for iso3 or
// any of its successors (through chains).
func (b *borders) territoryYears(in map[string]*CountryInputs, iso3 string) []int {
	set := map[int]bool{}
	var walk func(iso string)
	walk = func(iso string) {
		if ci := in[iso]; ci != nil {
			for _, p := range ci.Population {
				set[p.Year] = true
			}
			for _, d := range ci.Deaths {
				set[d.Year] = true
			}
		}
		for _, s := range b.succOf[iso] {
			if s.Kind != SuccessionMerger {
				walk(s.Successor)
			}
		}
	}
	walk(iso3)
	out := make([]int, 0, len(set))
	for y := range set {
		out = append(out, y)
	}
	sort.Ints(out)
	return out
}

// territoryPopulation is the population of the territory iso3 held in
// year y: its own figure plus, recursively, its successors' for the years
// before they existed; missing reports a part with no figure at all. The
// lineage is the first figure's.
func (b *borders) territoryPopulation(in map[string]*CountryInputs, iso3 string, y int) (persons float64, lin Lineage, missing bool) {
	own := false
	if ci := in[iso3]; ci != nil {
		for _, p := range ci.Population {
			if p.Year == y && p.Persons > 0 && !math.IsNaN(p.Persons) {
				persons, lin, own = p.Persons, p.Lineage, true
				break
			}
		}
	}
	kids := b.successorsAt(iso3, y)
	missing = !own && len(kids) == 0
	for _, k := range kids {
		p, l, m := b.territoryPopulation(in, k, y)
		missing = missing || m
		if p > 0 && lin == (Lineage{}) {
			lin = l
		}
		persons += p
	}
	return persons, lin, missing
}

// territoryDeaths is territoryPopulation for deaths from one cause; ok is
// false when no part has a figure.
func (b *borders) territoryDeaths(in map[string]*CountryInputs, iso3 string, y int, cause string) (deaths float64, lin Lineage, ok bool) {
	if ci := in[iso3]; ci != nil {
		if i, found := b.firstDeaths(iso3, ci)[deathsKey{y, cause}]; found {
			d := &ci.Deaths[i]
			deaths, lin, ok = d.Deaths, d.Lineage, true
		}
	}
	for _, k := range b.successorsAt(iso3, y) {
		if d, l, found := b.territoryDeaths(in, k, y, cause); found {
			if !ok {
				lin = l
			}
			deaths += d
			ok = true
		}
	}
	return deaths, lin, ok
}

// firstDeaths is, for each year and cause, the index of ci's first deaths
// row with a number (kept in deathsAt while it is set).
func (b *borders) firstDeaths(iso3 string, ci *CountryInputs) map[deathsKey]int {
	if idx, ok := b.deathsAt[iso3]; ok {
		return idx
	}
	idx := make(map[deathsKey]int, len(ci.Deaths))
	for i, d := range ci.Deaths {
		k := deathsKey{d.Year, d.Cause}
		if _, seen := idx[k]; !seen && !math.IsNaN(d.Deaths) {
			idx[k] = i
		}
	}
	if b.deathsAt != nil {
		b.deathsAt[iso3] = idx
	}
	return idx
}

// successorsAt lists the successors (not merged parts) whose territory
// iso3 held in year y.
func (b *borders) successorsAt(iso3 string, y int) []string {
	var out []string
	for _, s := range b.succOf[iso3] {
		if s.Kind != SuccessionMerger && y < s.Year {
			out = append(out, s.Successor)
		}
	}
	return out
}

// dropAfterEnd gives a dissolved predecessor no figures after its end.
func (b *borders) dropAfterEnd(in map[string]*CountryInputs) {
	for iso := range b.succOf {
		end := b.endYear(iso)
		ci := in[iso]
		if end == 0 || ci == nil {
			continue
		}
		after := func(y int) bool {
			if y > end {
				addFlag(ci, y, FlagStateNotExisting)
				return true
			}
			return false
		}
		ci.Consumption = dropIf(ci.Consumption, func(c Consumption) bool { return after(c.Year) })
		ci.Population = dropIf(ci.Population, func(p Population) bool { return after(p.Year) })
		ci.Deaths = dropIf(ci.Deaths, func(d Deaths) bool { return after(d.Year) })
		ci.Estimates = dropIf(ci.Estimates, func(e Estimate) bool { return after(e.Year) })
	}
}

// markChanges flags the first year after a change of borders on every
// code involved that exists that year: each successor, a predecessor that
// kept its code, and a merged state.
func (b *borders) markChanges(in map[string]*CountryInputs) {
	for _, s := range b.ss {
		iso := []string{s.Successor}
		if s.Kind == SuccessionSeparation {
			iso = append(iso, s.Predecessor)
		}
		for _, c := range iso {
			if ci := in[c]; ci != nil {
				addFlag(ci, s.Year, FlagBorderChange)
			}
		}
	}
}

func indexOfConsumption(cs []Consumption, year int, drug string) int {
	for i := range cs {
		if cs[i].Year == year && cs[i].Drug == drug {
			return i
		}
	}
	return -1
}

// inheritRegions gives a former state without a WHO region its
// successors' region, when they all share one (through chains: Yugoslavia
// takes Serbia and Montenegro's, which takes Serbia's and Montenegro's).
func (b *borders) inheritRegions(in map[string]*CountryInputs) {
	var regionOf func(iso string, depth int) string
	regionOf = func(iso string, depth int) string {
		ci := in[iso]
		if ci == nil {
			return ""
		}
		if ci.Country.WHORegion != "" || depth > 10 {
			return ci.Country.WHORegion
		}
		region := ""
		for _, s := range b.succOf[iso] {
			r := regionOf(s.Successor, depth+1)
			switch {
			case r == "":
			case region == "":
				region = r
			case r != region:
				return "" // successors in different regions: none is the predecessor's
			}
		}
		return region
	}
	for _, iso := range sortedKeysOf(b.succOf) {
		if ci := in[iso]; ci != nil && ci.Country.WHORegion == "" {
			ci.Country.WHORegion = regionOf(iso, 0)
		}
	}
}

// ExplainedBySuccession reports whether a change in iso3's per-capita
// figures from year−1 to year is explained by a change of its borders
// between those years (implausible_change is then not raised).
func ExplainedBySuccession(ss []Succession, iso3 string, year int) bool {
	for _, s := range ss {
		if (s.Predecessor == iso3 || s.Successor == iso3) && s.Year == year {
			return true
		}
	}
	return false
}

// explainedBySuccession reports whether a change of borders between
// year−1 and year explains a jump in the country's per-capita figures:
// the border preparation flagged year border_change (the first year of a
// succession, on every code that exists then). It is the hook the
// implausible-change rule calls.
func (x *indexed) explainedBySuccession(year int) bool {
	if x.in == nil {
		return false
	}
	for _, f := range x.in.YearFlags[year] {
		if f == FlagBorderChange {
			return true
		}
	}
	return false
}

// SuccessionFamily is every code connected to iso3 through successions
// (iso3 included): the countries whose inputs the border preparation of
// iso3 needs.
func SuccessionFamily(ss []Succession, iso3 string) []string {
	seen := map[string]bool{iso3: true}
	queue := []string{iso3}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		for _, s := range ss {
			for _, pair := range [][2]string{{s.Predecessor, s.Successor}, {s.Successor, s.Predecessor}} {
				if pair[0] == c && !seen[pair[1]] {
					seen[pair[1]] = true
					queue = append(queue, pair[1])
				}
			}
		}
	}
	out := make([]string, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// minYear is the first year with consumption filed under any of cs.
func minYear(cs ...*CountryInputs) int {
	y := 0
	for _, ci := range cs {
		if ci == nil {
			continue
		}
		for _, c := range ci.Consumption {
			if y == 0 || c.Year < y {
				y = c.Year
			}
		}
	}
	return y
}

func filterYears[T any](xs []T, from int, year func(T) int) []T {
	return dropIf(xs, func(x T) bool { return year(x) < from })
}

func dropIf[T any](xs []T, drop func(T) bool) []T {
	var out []T
	for _, x := range xs {
		if !drop(x) {
			out = append(out, x)
		}
	}
	return out
}

func sortedKeysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
