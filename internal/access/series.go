package access

import (
	"context"
	"strings"
)

// Measure is a denominator kept as series from several publishers.
type Measure string

const (
	MeasurePopulation Measure = "population"
	MeasureDeaths     Measure = "deaths"
)

// Measures lists the denominators in a stable order.
var Measures = []Measure{MeasurePopulation, MeasureDeaths}

// SettingSource is the setting that names the default series of m.
func SettingSource(m Measure) string { return string(m) + "_source" }

// Series is one publisher's series of a measure (population or deaths): its
// source (publisher and vintage, e.g. "UN WPP 2024"), the data version that
// first published it, how many values it holds and the terms of the upload
// that brought it.
type Series struct {
	Measure     Measure `json:"measure"`
	Source      string  `json:"source"`
	FirstIn     int64   `json:"first_published_in"`
	Values      int     `json:"values"`
	Licence     string  `json:"licence"`
	Citation    string  `json:"citation"`
	Default     bool    `json:"default"`
	FirstUpload int64   `json:"first_upload_id"`
}

// Denominators name the series a figure divided by; every figures response
// carries them.
type Denominators struct {
	PopulationSource string `json:"population_source"`
	DeathsSource     string `json:"deaths_source"`
}

// SourceUse is one upload whose values a result used, with its terms: the
// Sources sheet of a report lists them.
type SourceUse struct {
	UploadID int64      `json:"upload_id"`
	Kind     ImportKind `json:"kind"`
	Terms
}

// TermsStore is the optional store method that names the terms of uploads.
type TermsStore interface {
	UploadTerms(ctx context.Context, ids []int64) ([]SourceUse, error)
}

// SourcesOf lists the uploads the years' lineage reaches, with their terms,
// in upload order; nil when the store cannot say.
func (s *GapService) SourcesOf(ctx context.Context, gs ...CountryGaps) ([]SourceUse, error) {
	ts, ok := s.Store.(TermsStore)
	if !ok {
		return nil, nil
	}
	seen := map[int64]bool{}
	var ids []int64
	for _, g := range gs {
		for _, y := range g.Years {
			for _, l := range y.Lineage {
				if l.UploadID > 0 && !seen[l.UploadID] {
					seen[l.UploadID] = true
					ids = append(ids, l.UploadID)
				}
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return ts.UploadTerms(ctx, ids)
}

// DefaultSeries is the series of m that figures use as of the service's
// data version: the one the setting <measure>_source names, else the
// series published first (so that importing a second source changes no
// figure until an administrator chooses it). "" when there is none.
func (s *GapService) DefaultSeries(ctx context.Context, m Measure) (string, error) {
	v, ok, err := s.setting(ctx, SettingSource(m))
	if err != nil {
		return "", err
	}
	if v = strings.TrimSpace(v); ok && v != "" {
		return v, nil
	}
	return s.Store.FirstSeries(ctx, m, s.asOf)
}

// Sources lists every population and deaths series as of the service's
// data version, marking the default of each measure.
func (s *GapService) Sources(ctx context.Context) ([]Series, error) {
	if _, err := s.version(ctx); err != nil {
		return nil, err
	}
	var out []Series
	for _, m := range Measures {
		def, err := s.DefaultSeries(ctx, m)
		if err != nil {
			return nil, err
		}
		all, err := s.Store.Series(ctx, m, s.asOf)
		if err != nil {
			return nil, err
		}
		for i := range all {
			all[i].Default = all[i].Source == def
		}
		out = append(out, all...)
	}
	return out, nil
}
