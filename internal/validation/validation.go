// Package validation sets reliefgap's figures beside figures published in
// the literature (published.json, embedded: each with its citation and the
// known reasons for a difference) and renders the comparison as Markdown
// (docs/VALIDATION.md). It computes with the same pure functions as the
// figures themselves; it knows no database and no HTTP.
package validation

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/reliefgap/reliefgap/internal/access"
)

//go:embed published.json
var publishedJSON []byte

// Published is one figure from the literature.
type Published struct {
	ID             string  `json:"id"`
	What           string  `json:"what"`
	Value          float64 `json:"value"`
	Unit           string  `json:"unit"`
	Years          [2]int  `json:"years"`
	PublishedYears string  `json:"published_years"`
	Measure        string  `json:"measure"`
	Group          string  `json:"group"`
	Citation       string  `json:"citation"`
	Reason         string  `json:"reason"`
}

// Catalogue is the versioned file of published figures.
type Catalogue struct {
	Version int         `json:"version"`
	Note    string      `json:"note"`
	Figures []Published `json:"figures"`
}

// Load reads the embedded catalogue.
func Load() (Catalogue, error) {
	var c Catalogue
	if err := json.Unmarshal(publishedJSON, &c); err != nil {
		return c, fmt.Errorf("validation: published.json: %w", err)
	}
	return c, nil
}

// Row is one published figure beside reliefgap's.
type Row struct {
	Published
	Ours      *float64
	Ratio     *float64 // ours ÷ published
	Countries int      // countries that contributed
	Detail    string
}

// Report is the whole comparison.
type Report struct {
	Catalogue    int
	DataVersion  int64
	Denominators access.Denominators
	Methods      access.Methods
	Rows         []Row
}

// Input is what the comparison computes from: the published inputs of
// every country (border-prepared), the factor set of the figures, and the
// data version and series they were read at.
type Input struct {
	Countries    map[string]*access.CountryInputs
	Factors      access.FactorSet
	DataVersion  int64
	Denominators access.Denominators
}

// groups are the regions of the literature, as reliefgap approximates them.
var groups = map[string]func(c access.Country) bool{
	"world":         func(access.Country) bool { return true },
	"north-america": func(c access.Country) bool { return c.ISO3 == "USA" || c.ISO3 == "CAN" },
	"south-asia":    func(c access.Country) bool { return in(c.ISO3, "BGD", "BTN", "IND", "MDV", "NPL", "LKA") },
	"west-central-europe": func(c access.Country) bool {
		return in(c.UNSubregion, "Western Europe", "Northern Europe", "Southern Europe") || in(c.ISO3, "CZE", "HUN", "POL", "SVK")
	},
}

func in(x string, xs ...string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// Run computes every row of the catalogue.
func Run(cat Catalogue, inp Input) Report {
	rep := Report{Catalogue: cat.Version, DataVersion: inp.DataVersion, Denominators: inp.Denominators}
	from, to := 9999, 0
	for _, f := range cat.Figures {
		from, to = min(from, f.Years[0]-2), max(to, f.Years[1])
	}
	main := computeAll(inp.Countries, inp.Factors, from, to)
	if len(main) > 0 {
		rep.Methods = main[0].Methods
	}
	hydro := computeAll(inp.Countries, withHydrocodone(inp.Factors), from, to)
	for _, f := range cat.Figures {
		r := Row{Published: f}
		gs := main
		if f.Measure == "sddd-hydrocodone" {
			gs = hydro
		}
		r.Ours, r.Countries, r.Detail = (&run{inp}).compute(f, gs)
		if r.Ours != nil && f.Value != 0 {
			r.Ratio = access.F(*r.Ours / f.Value)
		}
		rep.Rows = append(rep.Rows, r)
	}
	return rep
}

func computeAll(in map[string]*access.CountryInputs, fs access.FactorSet, from, to int) []access.CountryGaps {
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]access.CountryGaps, 0, len(keys))
	for _, k := range keys {
		out = append(out, access.ComputeCountry(*in[k], fs, access.ModelBenchmark, from, to))
	}
	return out
}

// withHydrocodone is fs with hydrocodone added to the pain basket, as
// INCB's regional figures appear to count it (docs/METHODOLOGY.md).
func withHydrocodone(fs access.FactorSet) access.FactorSet {
	b := fs.Basket
	b.Rows = append(append([]access.FactorRow(nil), b.Rows...), access.FactorRow{Key: "hydrocodone", Drug: "hydrocodone"})
	b.Name, b.Version = b.Name+"+hydrocodone", 0
	fs.Basket = b
	return fs
}

func yearOf(g access.CountryGaps, y int) *access.YearGaps {
	for i := range g.Years {
		if g.Years[i].Year == y {
			return &g.Years[i]
		}
	}
	return nil
}

// member reports whether g belongs to the figure's group in year.
func (x *run) member(f Published, g access.CountryGaps, year int) bool {
	if f.Group == "LIC" {
		return access.IsMember(access.GroupIncome, "LIC", g, year)
	}
	m, ok := groups[f.Group]
	ci := x.in.Countries[g.Country.ISO3]
	return ok && ci != nil && m(ci.Country)
}

// run is one comparison's inputs.
type run struct{ in Input }

// compute is reliefgap's value of one published figure.
func (x *run) compute(f Published, gs []access.CountryGaps) (*float64, int, string) {
	switch f.Measure {
	case "sddd", "sddd-hydrocodone":
		return x.groupSDDD(f, gs)
	case "need-benchmark-t", "use-t", "use-over-need-pct":
		return benchmarkWorld(f, gs, x.in.Factors)
	case "use-t-mean", "use-share-pct":
		return x.lancet(f, gs)
	case "morphine-92-population-pct":
		return morphine92(f, x.in.Countries)
	}
	return nil, 0, "no computation for measure " + f.Measure
}

// groupSDDD is the mean over the years of Σ S-DDD per day ÷ Σ population
// (millions), over the group's countries with both in every year.
func (x *run) groupSDDD(f Published, gs []access.CountryGaps) (*float64, int, string) {
	var sum float64
	n := 0
	counted := map[string]bool{}
	for y := f.Years[0]; y <= f.Years[1]; y++ {
		var day, pop float64
		for _, g := range gs {
			yg := yearOf(g, y)
			if yg == nil || !x.member(f, g, y) || yg.SDDDPerMillionPerDay == nil || yg.Population == nil {
				continue
			}
			day += *yg.SDDDPerMillionPerDay * *yg.Population / 1e6
			pop += *yg.Population
			counted[g.Country.ISO3] = true
		}
		if pop == 0 {
			return nil, 0, fmt.Sprintf("no country with data in %d", y)
		}
		sum += day / (pop / 1e6)
		n++
	}
	return access.F(sum / float64(n)), len(counted), ""
}

// benchmarkWorld is Scholten's need (256 mg ME × population of every
// country with a population), use (Σ mg ME) and their ratio, in tonnes.
func benchmarkWorld(f Published, gs []access.CountryGaps, fs access.FactorSet) (*float64, int, string) {
	ref, ok := fs.BenchmarkRef.Value(access.BenchmarkRefKey)
	if !ok {
		return nil, 0, "no benchmark reference"
	}
	y := f.Years[1]
	var pop, use float64
	n := 0
	for _, g := range gs {
		yg := yearOf(g, y)
		if yg == nil || yg.Population == nil {
			continue
		}
		pop += *yg.Population
		if yg.MEMg != nil {
			use += *yg.MEMg
			n++
		}
	}
	need := ref * pop
	detail := fmt.Sprintf("%d: need %.0f t ME over %.2f billion people; use %.0f t ME in %d countries", y, need/1e9, pop/1e9, use/1e9, n)
	switch f.Measure {
	case "need-benchmark-t":
		return access.F(need / 1e9), n, detail
	case "use-t":
		return access.F(use / 1e9), n, detail
	}
	if need == 0 {
		return nil, n, detail
	}
	return access.F(100 * use / need), n, detail
}

// lancet is the mean yearly tonnes of ME of a group over the years, or its
// share of the world's.
func (x *run) lancet(f Published, gs []access.CountryGaps) (*float64, int, string) {
	var grp, world float64
	counted := map[string]bool{}
	years := 0
	for y := f.Years[0]; y <= f.Years[1]; y++ {
		years++
		for _, g := range gs {
			yg := yearOf(g, y)
			if yg == nil || yg.MEMg == nil {
				continue
			}
			world += *yg.MEMg
			if x.member(f, g, y) {
				grp += *yg.MEMg
				counted[g.Country.ISO3] = true
			}
		}
	}
	detail := fmt.Sprintf("world %.1f t ME a year", world/1e9/float64(years))
	if f.Measure == "use-share-pct" {
		if world == 0 {
			return nil, len(counted), detail
		}
		return access.F(100 * grp / world), len(counted), detail
	}
	return access.F(grp / 1e9 / float64(years)), len(counted), detail
}

// morphine92 ranks countries by mean morphine per capita over the years
// and returns the share of the population of those, from the top, that
// together consume 92% of the morphine.
func morphine92(f Published, in map[string]*access.CountryInputs) (*float64, int, string) {
	type c struct {
		iso3          string
		morphine, pop float64
	}
	var cs []c
	var totalM, totalP float64
	years := float64(f.Years[1] - f.Years[0] + 1)
	for iso3, ci := range in {
		var m, p float64
		np := 0
		for _, x := range ci.Consumption {
			if x.Drug == "morphine" && x.Year >= f.Years[0] && x.Year <= f.Years[1] && x.Grams != nil {
				m += *x.Grams
			}
		}
		for _, x := range ci.Population {
			if x.Year >= f.Years[0] && x.Year <= f.Years[1] {
				p += x.Persons
				np++
			}
		}
		if np == 0 {
			continue
		}
		p /= float64(np)
		m /= years
		cs = append(cs, c{iso3, m, p})
		totalM += m
		totalP += p
	}
	if totalM == 0 || totalP == 0 {
		return nil, 0, "no morphine"
	}
	sort.Slice(cs, func(i, j int) bool {
		a, b := cs[i].morphine/cs[i].pop, cs[j].morphine/cs[j].pop
		if a != b {
			return a > b
		}
		return cs[i].iso3 < cs[j].iso3
	})
	// From the top, whole countries until the next would pass 92%, then
	// that one's population in proportion to the morphine still needed.
	var m, p float64
	n := 0
	for _, x := range cs {
		if m+x.morphine >= 0.92*totalM {
			p += x.pop * (0.92*totalM - m) / x.morphine
			m = 0.92 * totalM
			n++
			break
		}
		m += x.morphine
		p += x.pop
		n++
	}
	return access.F(100 * p / totalP), n, fmt.Sprintf("%d countries hold %.1f%% of the morphine (%.1f t a year) and %.1f%% of %.2f billion people",
		n, 100*m/totalM, totalM/1e6, 100*p/totalP, totalP/1e9)
}

// Markdown renders the report as docs/VALIDATION.md.
func Markdown(r Report) []byte {
	var b bytes.Buffer
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("# Validation: reliefgap's figures beside published ones\n\n")
	w("Written by `reliefgap validate` (do not edit by hand). Data version %d; population series %q; deaths series %q; ", r.DataVersion, r.Denominators.PopulationSource, r.Denominators.DeathsSource)
	w("published figures: catalogue version %d (`internal/validation/published.json`, each with its citation).\n\n", r.Catalogue)
	m := r.Methods
	w("Methods: ME table %s v%d, S-DDD table %s v%d, pain basket %s v%d, benchmark reference %s v%d. ", m.ME.Name, m.ME.Version, m.SDDD.Name, m.SDDD.Version, m.Basket.Name, m.Basket.Version, m.BenchmarkReference.Name, m.BenchmarkReference.Version)
	w("See docs/METHODOLOGY.md for every formula. A ratio is reliefgap ÷ published.\n\n")
	w("| figure | years | published | reliefgap | ratio | countries |\n|---|---|---:|---:|---:|---:|\n")
	for _, row := range r.Rows {
		years := fmt.Sprintf("%d–%d", row.Years[0], row.Years[1])
		if row.Years[0] == row.Years[1] {
			years = fmt.Sprint(row.Years[0])
		}
		if row.PublishedYears != "" {
			years += " (published: " + row.PublishedYears + ")"
		}
		w("| %s | %s | %s %s | %s | %s | %d |\n", cell(row.What), years, num(&row.Value), row.Unit, num(row.Ours), ratio(row.Ratio), row.Countries)
	}
	w("\n## Why they differ\n\n")
	for _, row := range r.Rows {
		w("**%s** (%s). %s", cell(row.What), row.ID, row.Reason)
		if row.Detail != "" {
			w(" Computed: %s.", row.Detail)
		}
		w("\n\n")
	}
	w("## Sources\n\n")
	seen := map[string]bool{}
	for _, row := range r.Rows {
		if !seen[row.Citation] {
			seen[row.Citation] = true
			w("- %s\n", row.Citation)
		}
	}
	return b.Bytes()
}

func cell(s string) string { return strings.ReplaceAll(s, "|", "/") }

func num(v *float64) string {
	if v == nil {
		return "—"
	}
	x := *v
	switch {
	case math.Abs(x) >= 100:
		return fmt.Sprintf("%.0f", x)
	case math.Abs(x) >= 1:
		return fmt.Sprintf("%.1f", x)
	}
	return fmt.Sprintf("%.3g", x)
}

func ratio(v *float64) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprintf("%.2f", *v)
}
