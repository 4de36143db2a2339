// Package demo builds a small, illustrative data set — invented figures
// for a dozen real countries, shaped like real ones but not real — and
// loads it through the ordinary import path, so that every endpoint and
// report has something to show on a fresh database. Every upload it makes
// is named "illustrative-…" and recorded in the illustrative_uploads
// setting, and every gap figure computed from it carries the
// illustrative_data flag.
package demo

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/reliefgap/reliefgap/internal/access"
)

// country is one demo country: a round population, a starting level of
// consumption per capita and a yearly growth, and cancer and HIV death rates.
type country struct {
	iso3         string
	population   float64 // persons in FirstYear
	popGrowth    float64 // a year
	morphineMgPC float64 // morphine, mg per capita in FirstYear
	growth       float64 // of consumption, a year
	cancerPer100 float64 // cancer deaths per 100,000 a year
	hivPer100    float64 // HIV/AIDS deaths per 100,000 a year
}

// The figures are invented for illustration; they are in plausible ranges
// so that every band and flag shows up.
var countries = []country{
	{"USA", 320_000_000, 0.006, 80, -0.04, 185, 1.8},
	{"DEU", 82_000_000, 0.002, 25, 0.01, 280, 0.6},
	{"GBR", 65_000_000, 0.006, 30, 0.02, 250, 0.5},
	{"JPN", 127_000_000, -0.002, 3, 0.02, 300, 0.1},
	{"BRA", 205_000_000, 0.008, 1.5, 0.04, 110, 7},
	{"ZAF", 55_000_000, 0.013, 2.5, 0.03, 90, 180},
	{"IND", 1_310_000_000, 0.011, 0.08, 0.06, 60, 5},
	{"NGA", 180_000_000, 0.026, 0.01, 0.08, 40, 80},
	{"KEN", 47_000_000, 0.023, 0.4, 0.10, 70, 90},
	{"UGA", 40_000_000, 0.033, 0.5, 0.09, 60, 60},
	{"BGD", 160_000_000, 0.011, 0.05, 0.05, 65, 0.2},
	{"EGY", 92_000_000, 0.02, 0.15, 0.03, 70, 0.3},
}

// FirstYear and LastYear bound the demo's consumption years; estimates run
// one year further, as Form B is filed for the year ahead.
const (
	FirstYear = 2015
	LastYear  = 2022
)

// Files returns the demo data as CSV files: population, deaths,
// consumption (kg of anhydrous base), estimates (kg), WHO/HAI-style
// availability surveys and country-capacity answers.
func Files() map[access.ImportKind][]byte {
	var pop, deaths, cons, est bytes.Buffer
	pop.WriteString("iso3,year,population\n")
	deaths.WriteString("iso3,year,cause,deaths\n")
	cons.WriteString("iso3,year,drug,consumption,unit\n")
	est.WriteString("iso3,year,drug,kind,status,(a) to be consumed,(b) utilized for manufacture,(c) stock to be held on 31 December,(d) added to special stocks,total estimate,unit\n")
	for _, c := range countries {
		for y := FirstYear; y <= LastYear+1; y++ {
			n := float64(y - FirstYear)
			people := math.Round(c.population * math.Pow(1+c.popGrowth, n))
			morphineKg := round3(c.morphineMgPC * people * math.Pow(1+c.growth, n) / 1e6)
			if y <= LastYear {
				fmt.Fprintf(&pop, "%s,%d,%s\n", c.iso3, y, num(people))
				fmt.Fprintf(&deaths, "%s,%d,neoplasms,%s\n", c.iso3, y, num(math.Round(people*c.cancerPer100/1e5)))
				fmt.Fprintf(&deaths, "%s,%d,hiv-aids,%s\n", c.iso3, y, num(math.Round(people*c.hivPer100/1e5)))
				// Fentanyl and oxycodone follow morphine in fixed proportions
				// of its mass; codeine is larger, as it is almost everywhere.
				fmt.Fprintf(&cons, "%s,%d,morphine,%s,kg\n", c.iso3, y, num(morphineKg))
				fmt.Fprintf(&cons, "%s,%d,fentanyl,%s,kg\n", c.iso3, y, num(round3(morphineKg*0.006)))
				fmt.Fprintf(&cons, "%s,%d,oxycodone,%s,kg\n", c.iso3, y, num(round3(morphineKg*0.4)))
				fmt.Fprintf(&cons, "%s,%d,codeine,%s,kg\n", c.iso3, y, num(round3(morphineKg*6)))
			}
			if y > FirstYear {
				// Estimates: to be consumed = last year's consumption + 10%,
				// a stock target of a quarter of it; total = a + c (prior stock unknown).
				a := round3(morphineKg * 1.1)
				stock := round3(a / 4)
				fmt.Fprintf(&est, "%s,%d,morphine,annual,confirmed,%s,0,%s,0,%s,kg\n", c.iso3, y, num(a), num(stock), num(round3(a+stock)))
			}
		}
	}
	survey, ccs := availabilityFiles()
	return map[access.ImportKind][]byte{
		access.KindAvailability: survey,
		access.KindCCS:          ccs,
		access.KindPopulation:   pop.Bytes(),
		access.KindDeaths:       deaths.Bytes(),
		access.KindConsumption:  cons.Bytes(),
		access.KindEstimates:    est.Bytes(),
	}
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// Store is what loading needs of the store.
type Store interface {
	Setting(ctx context.Context, key string) (string, bool, error)
	SetSetting(ctx context.Context, key, value string) error
	Uploads(ctx context.Context, f access.UploadFilter) ([]access.Upload, error)
}

// Result says what Load did.
type Result struct {
	Loaded    bool
	Reason    string
	Uploads   []int64
	Countries int
}

// Load imports the demo files as the local operator, published, into a
// database that has no uploads yet. A database that already has data, or
// the demo, is left as it is.
func Load(ctx context.Context, s Store, imports *access.ImportService) (Result, error) {
	if v, ok, err := s.Setting(ctx, access.SettingIllustrativeUploads); err != nil {
		return Result{}, err
	} else if ok && v != "" {
		return Result{Reason: "the demo data is already loaded"}, nil
	}
	existing, err := s.Uploads(ctx, access.UploadFilter{Limit: 1})
	if err != nil {
		return Result{}, err
	}
	if len(existing) > 0 {
		return Result{Reason: "the database already holds data"}, nil
	}
	files := Files()
	var ids []string
	res := Result{Loaded: true, Countries: len(countries)}
	for _, kind := range []access.ImportKind{access.KindPopulation, access.KindDeaths, access.KindEstimates, access.KindConsumption,
		access.KindAvailability, access.KindCCS} {
		name := fmt.Sprintf("illustrative-demo-%s.csv", kind)
		r, err := imports.Import(ctx, access.Operator, name, files[kind], access.ImportOptions{Kind: kind, Publish: true})
		if err != nil {
			return res, err
		}
		if r.Upload.Status != access.StatusPublished && !r.Duplicate {
			return res, fmt.Errorf("demo file %s was %s: %v", name, r.Upload.Status, r.Upload.Problems)
		}
		ids = append(ids, strconv.FormatInt(r.Upload.ID, 10))
		res.Uploads = append(res.Uploads, r.Upload.ID)
	}
	if err := s.SetSetting(ctx, access.SettingIllustrativeUploads, strings.Join(ids, ",")); err != nil {
		return res, err
	}
	return res, nil
}
