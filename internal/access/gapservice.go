package access

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// GapStore is what the gap service needs of the store.
// Every read takes the data version the figures are asked as of (0: now).
type GapStore interface {
	Inputs(ctx context.Context, f InputFilter) (map[string]*CountryInputs, error)
	FactorTablesAsOf(ctx context.Context, v int64) ([]FactorTable, error)
	SettingAsOf(ctx context.Context, key string, v int64) (string, bool, error)
	Series(ctx context.Context, measure Measure, v int64) ([]Series, error)
	// FirstSeries is the source of Series(ctx, measure, v)[0], "" when
	// there is none, without counting every series' values.
	FirstSeries(ctx context.Context, measure Measure, v int64) (string, error)
	Successions(ctx context.Context) ([]Succession, error)
	DataVersion(ctx context.Context) (int64, error)
}

// SettingIllustrativeUploads lists (comma-separated) the uploads that hold
// illustrative demo data; figures that use them are flagged illustrative.
const SettingIllustrativeUploads = "illustrative_uploads"

// FlagIllustrative marks a figure computed from illustrative demo data.
const FlagIllustrative = "illustrative_data"

// GapService reads published inputs and computes gap figures with the
// latest version of each factor table.
type GapService struct {
	Store GapStore
	// asOf is the data version figures are computed as of; 0 is now.
	asOf int64
	// cache keeps every country's figures per data version (see All); it
	// is shared by the services At returns.
	cache    *figuresCache
	initOnce sync.Once
}

// figuresCache keeps computations of every country's figures by data
// version, range and model. Figures at a data version never change, so
// entries never go stale; the cache is only bounded.
type figuresCache struct {
	mu       sync.Mutex
	computed map[allKey]*allEntry
}

// figures returns the service's cache, made on first use.
func (s *GapService) figures() *figuresCache {
	s.initOnce.Do(func() {
		if s.cache == nil {
			s.cache = &figuresCache{computed: map[allKey]*allEntry{}}
		}
	})
	return s.cache
}

// At is the service answering as of data version v (0: now): inputs,
// factor tables and settings as they stood then, so the answer is the one
// given at v, byte for byte, and never changes.
func (s *GapService) At(v int64) *GapService {
	return &GapService{Store: s.Store, asOf: v, cache: s.figures()}
}

// version is the data version the figures are computed at: the one asked
// for, which may not lie in the future, or the current one.
func (s *GapService) version(ctx context.Context) (int64, error) {
	cur, err := s.Store.DataVersion(ctx)
	if err != nil {
		return 0, err
	}
	switch {
	case s.asOf == 0:
		return cur, nil
	case s.asOf < 0 || s.asOf > cur:
		return 0, Errorf(Invalid, "gaps", "as_of %d: data versions run from 1 to %d", s.asOf, cur)
	}
	return s.asOf, nil
}

// setting reads key as of the service's data version.
func (s *GapService) setting(ctx context.Context, key string) (string, bool, error) {
	return s.Store.SettingAsOf(ctx, key, s.asOf)
}

// denominators are the population and deaths series the settings choose
// as of the service's data version.
func (s *GapService) denominators(ctx context.Context) (Denominators, error) {
	var d Denominators
	var err error
	if d.PopulationSource, err = s.DefaultSeries(ctx, MeasurePopulation); err != nil {
		return d, err
	}
	d.DeathsSource, err = s.DefaultSeries(ctx, MeasureDeaths)
	return d, err
}

// inputs reads the published inputs as of the service's data version, with
// the population and deaths series the settings choose; it returns the
// series it read.
func (s *GapService) inputs(ctx context.Context, f InputFilter) (map[string]*CountryInputs, Denominators, error) {
	d, err := s.denominators(ctx)
	if err != nil {
		return nil, d, err
	}
	in, err := s.inputsWith(ctx, f, d)
	return in, d, err
}

// inputsWith reads the inputs of f as of the service's data version, with
// the series d names.
func (s *GapService) inputsWith(ctx context.Context, f InputFilter, d Denominators) (map[string]*CountryInputs, error) {
	f.AsOf, f.PopulationSource, f.DeathsSource = s.asOf, d.PopulationSource, d.DeathsSource
	return s.Store.Inputs(ctx, f)
}

// allKey names one computation of every country's figures. The data
// version moves with every publication and setting change, so figures kept
// under it never go stale: a publication makes them recompute once.
type allKey struct {
	version  int64
	from, to int
	model    string
}

type allEntry struct {
	done chan struct{} // closed when gs and err are set
	gs   []CountryGaps
	err  error
}

// maxComputed bounds the computations kept (ranges and models asked for).
const maxComputed = 32

// FactorSet assembles the latest version of every factor table; the need
// model named model (or, when "", the one the setting default_need_model
// names, else benchmark) comes first. The data-quality rules follow the
// administrator's settings.
func (s *GapService) FactorSet(ctx context.Context, model string) (FactorSet, error) {
	all, err := s.Store.FactorTablesAsOf(ctx, s.asOf)
	if err != nil {
		return FactorSet{}, err
	}
	if model == "" {
		if model, err = s.defaultModel(ctx); err != nil {
			return FactorSet{}, err
		}
	}
	fs, err := BuildFactorSet(all, model)
	if err != nil {
		return fs, err
	}
	off, _, err := s.setting(ctx, SettingSuspectedNotReported)
	if err != nil {
		return fs, err
	}
	fs.Rules.SuspectedNotReportedOff = strings.EqualFold(strings.TrimSpace(off), "off")
	return fs, nil
}

// defaultModel is the need model named by the setting default_need_model,
// or benchmark.
func (s *GapService) defaultModel(ctx context.Context) (string, error) {
	v, ok, err := s.setting(ctx, SettingDefaultNeedModel)
	if err != nil {
		return "", err
	}
	if v = strings.TrimSpace(v); !ok || v == "" {
		return ModelBenchmark, nil
	}
	return v, nil
}

// BuildFactorSet picks the latest version of each table from all, with the
// need model named model (benchmark when "") first and every other need
// model after it. An unknown model is Invalid, naming the known ones.
func BuildFactorSet(all []FactorTable, model string) (FactorSet, error) {
	latest := map[string]FactorTable{}
	for _, t := range all {
		if cur, ok := latest[t.Name]; !ok || t.Version > cur.Version {
			latest[t.Name] = t
		}
	}
	if model == "" {
		model = ModelBenchmark
	}
	var fs FactorSet
	fs.SDDD, fs.ME, fs.Basket = latest[TableSDDD], latest[TablePPSG], latest[TablePainBasket]
	fs.INCBBands, fs.BenchmarkBands, fs.BenchmarkRef, fs.ACMBands = latest[TableINCBBands], latest[TableBenchmarkBands], latest[TableBenchmarkRef], latest[TableACMBands]
	fs.Price = latest[TableMorphinePrice]
	m, ok := latest[model]
	if !ok || m.Kind != KindNeedModel {
		return fs, Errorf(Invalid, "BuildFactorSet", "no need model %q: use one of %s", model, strings.Join(NeedModels(all), ", "))
	}
	fs.Need = append(fs.Need, m)
	var names []string
	for name, t := range latest {
		if t.Kind == KindNeedModel && name != model {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		fs.Need = append(fs.Need, latest[n])
	}
	return fs, nil
}

// NeedModels returns the names of the need models on offer.
func NeedModels(all []FactorTable) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range all {
		if t.Kind == KindNeedModel && !seen[t.Name] {
			seen[t.Name] = true
			out = append(out, t.Name)
		}
	}
	sort.Strings(out)
	return out
}

// Country computes one country's figures for from..to (0, 0: every year).
func (s *GapService) Country(ctx context.Context, iso3 string, from, to int, model string) (CountryGaps, error) {
	if from > 0 && to > 0 && from > to {
		return CountryGaps{}, Errorf(Invalid, "gaps", "from (%d) is after to (%d)", from, to)
	}
	version, err := s.version(ctx)
	if err != nil {
		return CountryGaps{}, err
	}
	fs, err := s.FactorSet(ctx, model)
	if err != nil {
		return CountryGaps{}, err
	}
	// The three-year S-DDD average needs the two years before from.
	rf := from
	if rf > 0 {
		rf -= 2
	}
	in, den, err := s.bordersInputs(ctx, iso3, rf, to)
	if err != nil {
		return CountryGaps{}, err
	}
	ci, ok := in[iso3]
	if !ok {
		return CountryGaps{}, Errorf(NotFound, "gaps", "no country %q", iso3)
	}
	if from == 0 && to == 0 {
		// Without a range, the years the country reported consumption for
		// (as filed, before the border preparation moved any).
		from, to = consumptionSpan(ci.Consumption)
		if f, t := yearFlagSpan(ci.YearFlags); f > 0 && (from == 0 || f < from) {
			from = f
			if to == 0 {
				to = t
			}
		}
	}
	g := ComputeCountry(*ci, fs, fs.Need[0].Name, from, to)
	g.DataVersion, g.Denominators = version, den
	if g.Sources, err = s.SourcesOf(ctx, g); err != nil {
		return CountryGaps{}, err
	}
	s.markIllustrative(ctx, []CountryGaps{g})
	if err := s.attachAvailability(ctx, &g); err != nil {
		return CountryGaps{}, err
	}
	return g, nil
}

// All computes every country's figures for from..to under model. The
// result is kept for the data version it was computed at: until the next
// publication or setting change, asking again (for a ranking, a group, an
// export) costs nothing, and concurrent askers wait for one computation.
// Callers must not modify the figures; the slice is theirs.
func (s *GapService) All(ctx context.Context, from, to int, model string) ([]CountryGaps, error) {
	version, err := s.version(ctx)
	if err != nil {
		return nil, err
	}
	key := allKey{version, from, to, model}
	fc := s.figures()
	fc.mu.Lock()
	if e, ok := fc.computed[key]; ok {
		fc.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if e.err != nil {
			return nil, e.err
		}
		return append([]CountryGaps(nil), e.gs...), nil
	}
	for k := range fc.computed {
		if len(fc.computed) < maxComputed {
			break
		}
		delete(fc.computed, k) // too many kept: any may go, all stay valid
	}
	e := &allEntry{done: make(chan struct{})}
	fc.computed[key] = e
	fc.mu.Unlock()
	e.gs, e.err = s.computeAll(context.WithoutCancel(ctx), version, from, to, model)
	close(e.done)
	if e.err != nil {
		fc.mu.Lock()
		delete(fc.computed, key) // not kept: the next asker tries again
		fc.mu.Unlock()
		return nil, e.err
	}
	return append([]CountryGaps(nil), e.gs...), nil
}

func (s *GapService) computeAll(ctx context.Context, version int64, from, to int, model string) ([]CountryGaps, error) {
	fs, err := s.FactorSet(ctx, model)
	if err != nil {
		return nil, err
	}
	rf := from
	if rf > 0 {
		rf -= 2
	}
	in, den, err := s.inputs(ctx, InputFilter{FromYear: rf, ToYear: to})
	if err != nil {
		return nil, err
	}
	ss, err := s.Store.Successions(ctx)
	if err != nil {
		return nil, err
	}
	PrepareBorders(in, ss)
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := computeCountries(in, keys, fs, fs.Need[0].Name, from, to)
	for i := range out {
		out[i].DataVersion, out[i].Denominators = version, den
	}
	s.markIllustrative(ctx, out)
	return out, nil
}

// Group computes a WHO region's, income group's or the world's figures for
// year, with five-year trends for its countries.
func (s *GapService) Group(ctx context.Context, kind GroupKind, code string, year int, model string) (GroupGaps, error) {
	g, _, err := s.GroupWithCountries(ctx, kind, code, year, model)
	return g, err
}

// GroupWithCountries is Group, also returning every country's figures for
// the years it was computed from (members and others: rank them with Rank).
func (s *GapService) GroupWithCountries(ctx context.Context, kind GroupKind, code string, year int, model string) (GroupGaps, []CountryGaps, error) {
	switch kind {
	case GroupRegion:
		if !contains(WHORegions, code) {
			return GroupGaps{}, nil, Errorf(NotFound, "gaps", "no WHO region %q: use one of %s", code, strings.Join(WHORegions, ", "))
		}
	case GroupIncome:
		if !contains(IncomeGroups, code) {
			return GroupGaps{}, nil, Errorf(NotFound, "gaps", "no income group %q: use one of %s", code, strings.Join(IncomeGroups, ", "))
		}
	case GroupWorld:
		code = WorldCode
	default:
		return GroupGaps{}, nil, Errorf(Invalid, "gaps", "unknown group kind %q", kind)
	}
	if year < 1900 || year > 2100 {
		return GroupGaps{}, nil, Errorf(Invalid, "gaps", "a year between 1900 and 2100 is needed")
	}
	all, err := s.All(ctx, year-(2*CAGRYears), year, model)
	if err != nil {
		return GroupGaps{}, nil, err
	}
	g := Aggregate(kind, code, year, all)
	if len(all) > 0 {
		g.DataVersion, g.Methods, g.Denominators = all[0].DataVersion, &all[0].Methods, all[0].Denominators
	} else if g.DataVersion, err = s.version(ctx); err != nil {
		return GroupGaps{}, nil, err
	}
	if kind != GroupWorld {
		g.WorldSharePct = WorldShare(g, Aggregate(GroupWorld, WorldCode, year, all))
	} else {
		g.WorldSharePct = WorldShare(g, g)
	}
	if g.Sources, err = s.SourcesOf(ctx, all...); err != nil {
		return GroupGaps{}, nil, err
	}
	if err := s.attachCCSCounts(ctx, &g, all); err != nil {
		return GroupGaps{}, nil, err
	}
	return g, all, nil
}

func consumptionSpan(cs []Consumption) (from, to int) {
	for _, c := range cs {
		if from == 0 || c.Year < from {
			from = c.Year
		}
		if c.Year > to {
			to = c.Year
		}
	}
	return from, to
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// markIllustrative flags every year whose inputs include illustrative data.
func (s *GapService) markIllustrative(ctx context.Context, gs []CountryGaps) {
	v, ok, err := s.setting(ctx, SettingIllustrativeUploads)
	if err != nil || !ok || v == "" {
		return
	}
	demo := map[int64]bool{}
	for _, f := range strings.Split(v, ",") {
		if id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64); err == nil {
			demo[id] = true
		}
	}
	for i := range gs {
		for j := range gs[i].Years {
			y := &gs[i].Years[j]
			for _, l := range y.Lineage {
				if demo[l.UploadID] {
					y.Flags = append(y.Flags, FlagIllustrative)
					break
				}
			}
		}
	}
}

// bordersInputs reads the inputs of iso3 and of every country linked to it
// by a succession, and prepares them for borders (PrepareBorders).
func (s *GapService) bordersInputs(ctx context.Context, iso3 string, from, to int) (map[string]*CountryInputs, Denominators, error) {
	ss, err := s.Store.Successions(ctx)
	if err != nil {
		return nil, Denominators{}, err
	}
	den, err := s.denominators(ctx)
	if err != nil {
		return nil, den, err
	}
	in := map[string]*CountryInputs{}
	for _, c := range SuccessionFamily(ss, iso3) {
		part, err := s.inputsWith(ctx, InputFilter{ISO3: c, FromYear: from, ToYear: to}, den)
		if err != nil {
			return nil, den, err
		}
		for k, v := range part {
			in[k] = v
		}
	}
	return PrepareBorders(in, ss), den, nil
}

// yearFlagSpan is the first and last year the border preparation found the
// country not existing (a successor's years filed before it existed).
func yearFlagSpan(m map[int][]string) (from, to int) {
	for y, fs := range m {
		if !contains(fs, FlagStateNotExisting) {
			continue
		}
		if from == 0 || y < from {
			from = y
		}
		if y > to {
			to = y
		}
	}
	return from, to
}
