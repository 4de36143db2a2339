package access

import (
	"math"
	"sync"
	"sync/atomic"
)

// inputKeys numbers the drug codes and causes of death a FactorSet names,
// so that a country-year's rows are looked up by number, not by string,
// and the flag and lineage labels naming each drug are made once.
type inputKeys struct {
	drugs   []drugInfo // by number
	drugID  map[string]int32
	causeID map[string]int32
}

// drugInfo is what the figures need of one drug code: its factors, and
// the labels of the flags and lineage that name it.
type drugInfo struct {
	code           string
	me             float64 // mg ME per mg (the ME table's first row for the drug)
	inME           bool
	sddd           float64 // S-DDD, mg (the S-DDD table's first row for the drug)
	inSDDD         bool
	consumption    string // "consumption:" + code
	belowThreshold string // FlagBelowThreshold + code
	notReported    string // FlagDrugNotReported + code
	noFactor       string // FlagSDDDFactorMissing + code
}

func newDrugInfo(code string) drugInfo {
	return *labelsOf(&drugLabels, code, func() any {
		return &drugInfo{
			code:           code,
			consumption:    "consumption:" + code,
			belowThreshold: FlagBelowThreshold + code,
			notReported:    FlagDrugNotReported + code,
			noFactor:       FlagSDDDFactorMissing + code,
		}
	}).(*drugInfo)
}

// causeLabels are the lineage label and missing-input flag of a cause.
type causeLabels struct{ used, missing string }

func causeLabelsOf(cause string) *causeLabels {
	return labelsOf(&causeLabelsKept, cause, func() any {
		return &causeLabels{used: "deaths:" + cause, missing: FlagDeathsMissing + cause}
	}).(*causeLabels)
}

// labels keeps the labels made for each drug code and cause (a few dozen),
// so that each computation does not make them again; make makes them for
// a key not kept yet. Past maxLabels keys (codes no table knows, in bad
// data), labels are made each time instead.
var (
	drugLabels, causeLabelsKept sync.Map
	nLabels                     atomic.Int64
	maxLabels                   = int64(4096)
)

func labelsOf(kept *sync.Map, key string, make func() any) any {
	if v, ok := kept.Load(key); ok {
		return v
	}
	v := make()
	if nLabels.Load() < maxLabels {
		if _, loaded := kept.LoadOrStore(key, v); !loaded {
			nLabels.Add(1)
		}
	}
	return v
}

// causePerInhabitant is the cause number of a need-model row keyed
// NeedPerInhabitant (need from population, not deaths).
const causePerInhabitant = -1

func newInputKeys(fs FactorSet) *inputKeys {
	k := &inputKeys{drugID: map[string]int32{}, causeID: map[string]int32{}}
	for _, t := range []*FactorTable{&fs.ME, &fs.Basket, &fs.SDDD} {
		for _, r := range t.Rows {
			if _, ok := k.drugID[r.Key]; !ok {
				k.drugID[r.Key] = int32(len(k.drugs))
				k.drugs = append(k.drugs, newDrugInfo(r.Key))
			}
		}
	}
	for _, r := range fs.ME.Rows {
		if d := &k.drugs[k.drugID[r.Key]]; !d.inME {
			d.me, d.inME = r.Value, true
		}
	}
	for _, r := range fs.SDDD.Rows {
		if d := &k.drugs[k.drugID[r.Key]]; !d.inSDDD {
			d.sddd, d.inSDDD = r.Value, true
		}
	}
	for _, t := range fs.Need {
		for _, r := range t.Rows {
			if _, ok := k.causeID[r.Key]; !ok && r.Key != NeedPerInhabitant {
				k.causeID[r.Key] = int32(len(k.causeID))
			}
		}
	}
	return k
}

// needModel is a need model with each row's cause numbered and its labels
// made.
type needModel struct {
	*FactorTable
	causes  []int32  // each row's cause; causePerInhabitant for NeedPerInhabitant
	used    []string // each row's lineage label: "deaths:" + key
	missing []string // each row's flag when its input is missing
}

func (k *inputKeys) model(t *FactorTable) needModel {
	m := needModel{FactorTable: t, causes: make([]int32, len(t.Rows)), used: make([]string, len(t.Rows)), missing: make([]string, len(t.Rows))}
	for i, r := range t.Rows {
		if r.Key == NeedPerInhabitant {
			m.causes[i], m.missing[i] = causePerInhabitant, FlagPopulationMissing
			continue
		}
		id, ok := k.causeID[r.Key]
		if !ok {
			id = math.MaxInt32 // no row has it: always missing
		}
		l := causeLabelsOf(r.Key)
		m.causes[i], m.used[i], m.missing[i] = id, l.used, l.missing
	}
	return m
}

// indexed holds one country's inputs by year: a slot per year from lo,
// whose ranges select the year's rows in deaths, cons and est.
type indexed struct {
	// The inputs, whose rows the entries below point to; they also give
	// borders and income groups by year (successions.go, income_years.go).
	in    *CountryInputs
	keys  *inputKeys
	extra []drugInfo // drugs of the rows that keys does not name, numbered after keys.drugs
	lo    int
	slots []yearSlot
	// The rows of each year, first per cause, drug or (for estimates)
	// every row; see yearSlot.
	deaths []deathsEntry
	cons   []consEntry
	est    []estEntry
}

// yearSlot is one year's inputs: the population row, and the ranges of
// its deaths (first row per cause, in input order), consumption (first
// row per drug, by drug code) and estimates (every row, in input order).
type yearSlot struct {
	pop                    int32 // in in.Population; -1: none
	d0, d1, c0, c1, e0, e1 int32
	flagged                bool // the border preparation flagged the year (YearFlags has it)
	// notReported marks a year with consumption rows of which none has a
	// figure; suspected a year RuleSuspectedNotReported treats as not
	// reported. A year with no consumption rows is not reported too.
	notReported, suspected bool
}

type deathsEntry struct {
	cause int32
	row   int32 // in in.Deaths
}

// consEntry is a consumption row with its drug's grams as the row gives
// them (see drugGrams).
type consEntry struct {
	drug  int32
	row   int32 // in in.Consumption
	grams float64
	ok    bool // grams has a figure (a number, or 0 for INCB's "-")
	isNil bool // INCB's "-"
}

type estEntry struct {
	drug int32
	row  int32 // in in.Estimates
}

// emptySlot is the slot of a year outside the country's span.
var emptySlot = yearSlot{pop: -1}

func indexInputs(in CountryInputs, rules QualityRules, keys *inputKeys) *indexed {
	iso := in.Country.ISO3
	mine := func(s string) bool { return iso == "" || s == "" || s == iso }
	x := &indexed{in: &in, keys: keys}
	lo, hi, some := 0, 0, false
	see := func(y int) {
		if !some || y < lo {
			lo = y
		}
		if !some || y > hi {
			hi = y
		}
		some = true
	}
	for i := range in.Population {
		if mine(in.Population[i].ISO3) {
			see(in.Population[i].Year)
		}
	}
	for i := range in.Deaths {
		if mine(in.Deaths[i].ISO3) {
			see(in.Deaths[i].Year)
		}
	}
	for i := range in.Consumption {
		if mine(in.Consumption[i].ISO3) {
			see(in.Consumption[i].Year)
		}
	}
	for i := range in.Estimates {
		if mine(in.Estimates[i].ISO3) {
			see(in.Estimates[i].Year)
		}
	}
	for y := range in.YearFlags {
		see(y)
	}
	if !some {
		return x
	}
	x.lo = lo
	x.slots = make([]yearSlot, hi-lo+1)
	for i := range x.slots {
		x.slots[i].pop = -1
	}
	for y := range in.YearFlags {
		x.slots[y-lo].flagged = true
	}
	for i := range in.Population {
		if p := &in.Population[i]; mine(p.ISO3) && x.slots[p.Year-lo].pop < 0 {
			x.slots[p.Year-lo].pop = int32(i)
		}
	}
	x.indexDeaths(mine)
	x.indexConsumption(mine)
	x.indexEstimates(mine)
	x.markNotReported(rules)
	return x
}

// ranges sets each slot's range (through start and end) to hold count(y)
// entries, in year order, and returns the total.
func (x *indexed) ranges(count func(add func(y int)), start, end func(s *yearSlot) *int32) int {
	n := make([]int32, len(x.slots))
	count(func(y int) { n[y-x.lo]++ })
	total := int32(0)
	for i := range x.slots {
		*start(&x.slots[i]), *end(&x.slots[i]) = total, total
		total += n[i]
	}
	return int(total)
}

func (x *indexed) indexDeaths(mine func(string) bool) {
	ds := x.in.Deaths
	x.deaths = make([]deathsEntry, x.ranges(func(add func(int)) {
		for i := range ds {
			if mine(ds[i].ISO3) {
				add(ds[i].Year)
			}
		}
	}, func(s *yearSlot) *int32 { return &s.d0 }, func(s *yearSlot) *int32 { return &s.d1 }))
	for i := range ds {
		d := &ds[i]
		if !mine(d.ISO3) {
			continue
		}
		cause, known := x.keys.causeID[d.Cause]
		if !known {
			continue // no need model asks for it
		}
		s := &x.slots[d.Year-x.lo]
		if x.deathsOf(s, cause) == nil {
			x.deaths[s.d1] = deathsEntry{cause: cause, row: int32(i)}
			s.d1++
		}
	}
}

func (x *indexed) indexConsumption(mine func(string) bool) {
	cs := x.in.Consumption
	x.cons = make([]consEntry, x.ranges(func(add func(int)) {
		for i := range cs {
			if mine(cs[i].ISO3) {
				add(cs[i].Year)
			}
		}
	}, func(s *yearSlot) *int32 { return &s.c0 }, func(s *yearSlot) *int32 { return &s.c1 }))
	for i := range cs {
		c := &cs[i]
		if !mine(c.ISO3) {
			continue
		}
		drug := x.drugNumber(c.Drug)
		s := &x.slots[c.Year-x.lo]
		if x.consOf(s, drug) != nil {
			continue
		}
		g, ok := drugGrams(c)
		e := consEntry{drug: drug, row: int32(i), grams: g, ok: ok, isNil: c.GramsState() == ValueNil}
		// Keep the year's rows by drug code (insertion: a year has few).
		j := s.c1
		for ; j > s.c0 && x.drug(x.cons[j-1].drug).code > c.Drug; j-- {
			x.cons[j] = x.cons[j-1]
		}
		x.cons[j] = e
		s.c1++
	}
}

func (x *indexed) indexEstimates(mine func(string) bool) {
	es := x.in.Estimates
	if len(es) == 0 {
		return
	}
	x.est = make([]estEntry, x.ranges(func(add func(int)) {
		for i := range es {
			if mine(es[i].ISO3) {
				add(es[i].Year)
			}
		}
	}, func(s *yearSlot) *int32 { return &s.e0 }, func(s *yearSlot) *int32 { return &s.e1 }))
	for i := range es {
		if e := &es[i]; mine(e.ISO3) {
			s := &x.slots[e.Year-x.lo]
			x.est[s.e1] = estEntry{drug: x.drugNumber(e.Drug), row: int32(i)}
			s.e1++
		}
	}
}

// drugNumber is the number of a drug code: its number in keys, or one
// after them for a drug the factor tables do not name.
func (x *indexed) drugNumber(code string) int32 {
	if id, ok := x.keys.drugID[code]; ok {
		return id
	}
	for i := range x.extra {
		if x.extra[i].code == code {
			return int32(len(x.keys.drugs) + i)
		}
	}
	x.extra = append(x.extra, newDrugInfo(code))
	return int32(len(x.keys.drugs) + len(x.extra) - 1)
}

func (x *indexed) drug(id int32) *drugInfo {
	if n := int32(len(x.keys.drugs)); id >= n {
		return &x.extra[id-n]
	}
	return &x.keys.drugs[id]
}

// slot is year y's slot; emptySlot (not to be written) outside the span.
func (x *indexed) slot(y int) *yearSlot {
	if i := y - x.lo; i >= 0 && i < len(x.slots) {
		return &x.slots[i]
	}
	return &emptySlot
}

func (x *indexed) deathsOf(s *yearSlot, cause int32) *deathsEntry {
	for i := s.d0; i < s.d1; i++ {
		if x.deaths[i].cause == cause {
			return &x.deaths[i]
		}
	}
	return nil
}

func (x *indexed) consOf(s *yearSlot, drug int32) *consEntry {
	for i := s.c0; i < s.c1; i++ {
		if x.cons[i].drug == drug {
			return &x.cons[i]
		}
	}
	return nil
}

// estimatesOf is the year's estimate rows for a drug, in input order.
func (x *indexed) estimatesOf(s *yearSlot, drug int32) []Estimate {
	var out []Estimate
	for i := s.e0; i < s.e1; i++ {
		if x.est[i].drug == drug {
			out = append(out, x.in.Estimates[x.est[i].row])
		}
	}
	return out
}

// suspectedYears is the set of years RuleSuspectedNotReported treats as
// not reported.
func (x *indexed) suspectedYears() map[int]bool {
	out := map[int]bool{}
	for i := range x.slots {
		if x.slots[i].suspected {
			out[x.lo+i] = true
		}
	}
	return out
}

func (x *indexed) years(from, to int) []int {
	if from != 0 || to != 0 {
		if from == 0 || to == 0 {
			lo, hi := x.dataSpan()
			if from == 0 {
				from = lo
			}
			if to == 0 {
				to = hi
			}
		}
		var ys []int
		if to >= from {
			ys = make([]int, 0, to-from+1)
		}
		for y := from; y <= to; y++ {
			ys = append(ys, y)
		}
		return ys
	}
	n := 0
	for i := range x.slots {
		if s := &x.slots[i]; s.pop >= 0 || s.c1 > s.c0 || s.flagged {
			n++
		}
	}
	ys := make([]int, 0, n)
	for i := range x.slots {
		if s := &x.slots[i]; s.pop >= 0 || s.c1 > s.c0 || s.flagged {
			ys = append(ys, x.lo+i)
		}
	}
	return ys
}

// dataSpan is the first and last year with population or consumption rows
// (0, 0 with none).
func (x *indexed) dataSpan() (lo, hi int) {
	first := true
	for i := range x.slots {
		if s := &x.slots[i]; s.pop >= 0 || s.c1 > s.c0 {
			if first {
				lo = x.lo + i
			}
			hi = x.lo + i
			first = false
		}
	}
	return lo, hi
}

// population returns the year's population row, and whether it gives a
// positive number of persons.
func (x *indexed) population(y int) (*Population, bool) {
	s := x.slot(y)
	if s.pop < 0 {
		return nil, false
	}
	p := &x.in.Population[s.pop]
	return p, p.Persons > 0 && !math.IsNaN(p.Persons)
}

// reported reports whether the year has consumption figures to compute
// with: some consumption row with a figure, and not a year the
// suspected-not-reported rule marked.
func (s *yearSlot) reported() bool {
	return s.c1 > s.c0 && !s.notReported && !s.suspected
}

// drugGrams returns a drug's consumed grams as the row gives them, whatever
// the year's state: a number, 0 for INCB's "-", nothing for a blank.
func drugGrams(c *Consumption) (float64, bool) {
	switch c.GramsState() {
	case ValueNil:
		if c.Grams != nil {
			return *c.Grams, true
		}
		return 0, true
	case ValueReported:
		if c.Grams != nil {
			return *c.Grams, true
		}
	}
	return 0, false
}

// grams returns a drug's consumed grams for the year's figures: nothing in
// a year that is not reported.
func (x *indexed) grams(s *yearSlot, drug int32) (*consEntry, bool) {
	if !s.reported() {
		return nil, false
	}
	e := x.consOf(s, drug)
	return e, e != nil && e.ok
}

// meMg is Σ mg ME over the ME drugs with a figure in year y, and how many
// there were.
func (x *indexed) meMg(p *prepared, y int) (sum float64, n int) {
	s := x.slot(y)
	if !s.reported() {
		return 0, 0
	}
	for _, d := range p.meDrugs {
		if e, ok := x.grams(s, d); ok {
			sum += e.grams * 1000 * p.keys.drugs[d].me
			n++
		}
	}
	return sum, n
}

// mePerCapita is mg ME per capita in year y; ok is false without it.
func (x *indexed) mePerCapita(p *prepared, y int) (v float64, ok bool) {
	pop, ok := x.population(y)
	me, n := x.meMg(p, y)
	if !ok || n == 0 {
		return 0, false
	}
	return me / pop.Persons, true
}

// basketSDDD returns Σ mg ÷ S-DDD mg over the basket drugs reported in year
// y and how many there were; noFactor, when not nil, is given each
// reported drug lacking an S-DDD factor.
func (x *indexed) basketSDDD(p *prepared, y int, noFactor func(d *drugInfo)) (sum float64, n int) {
	s := x.slot(y)
	if !s.reported() {
		return 0, 0
	}
	for _, d := range p.basket {
		e, ok := x.grams(s, d)
		if !ok {
			continue
		}
		info := &p.keys.drugs[d]
		if !info.inSDDD || info.sddd <= 0 {
			if noFactor != nil {
				noFactor(info)
			}
			continue
		}
		sum += e.grams * 1000 / info.sddd
		n++
	}
	return sum, n
}

// sdddPerMillion is S-DDD per million inhabitants per day for year y; ok
// is false when the population or every basket drug is missing.
func (x *indexed) sdddPerMillion(p *prepared, y int) (v float64, ok bool) {
	pop, ok := x.population(y)
	if !ok {
		return 0, false
	}
	sum, n := x.basketSDDD(p, y, nil)
	if n == 0 {
		return 0, false
	}
	return sum / DaysPerYear / (pop.Persons / 1e6), true
}

// needDetail collects, when asked for, the flags of a need's missing
// inputs and the lineage of the deaths it used.
type needDetail struct {
	missing []string
	used    []LineageUse
}

// needSum is model m's need for year y, mg ME: Σ over its rows of
// deaths(cause) × share × mg per day × days, or, for the row keyed
// NeedPerInhabitant, population × Value. ok is false when an input is
// missing; d, when not nil, is told which, and the deaths used.
func (x *indexed) needSum(m *needModel, y int, d *needDetail) (sum float64, ok bool) {
	s := x.slot(y)
	ok = true
	for i := range m.Rows {
		r := &m.Rows[i]
		if m.causes[i] == causePerInhabitant {
			pop, has := x.population(y)
			if !has {
				ok = false
				if d != nil {
					d.missing = append(d.missing, m.missing[i])
				}
				continue
			}
			sum += pop.Persons * r.Value
			continue
		}
		e := x.deathsOf(s, m.causes[i])
		if e == nil || math.IsNaN(x.in.Deaths[e.row].Deaths) {
			ok = false
			if d != nil {
				d.missing = append(d.missing, m.missing[i])
			}
			continue
		}
		row := &x.in.Deaths[e.row]
		sum += row.Deaths * r.Share * r.MgPerDay * r.Days
		if d != nil {
			d.used = append(d.used, lineageUse(row.Lineage, m.used[i], y))
		}
	}
	return sum, ok
}

// needOf is model m's need for year y (see needSum), or nil when an input
// is missing; missing holds the flags saying which.
func (x *indexed) needOf(m *FactorTable, y int) (need *float64, missing []string, used []LineageUse) {
	nm := x.keys.model(m)
	var d needDetail
	sum, ok := x.needSum(&nm, y, &d)
	if !ok {
		return nil, d.missing, nil
	}
	return F(sum), nil, d.used
}
