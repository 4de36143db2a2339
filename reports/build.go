package reports

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
)

// BuildStore is what a Builder reads besides the gap figures; the store
// satisfies it. reports knows no database: only this interface.
type BuildStore interface {
	FactorTables(ctx context.Context) ([]access.FactorTable, error)
	DataVersion(ctx context.Context) (int64, error)
	Upload(ctx context.Context, id int64) (access.Upload, error)
	Keys(ctx context.Context) ([]access.APIKey, error)
}

// dataVersionTimer is what a store may also offer: when a data version was
// made (for "data as of"). Without it the date is left out.
type dataVersionTimer interface {
	DataVersionTime(ctx context.Context, version int64) (time.Time, error)
}

// Builder assembles report packs from the gap service and the store, for
// the CLI, the API and scheduled runs alike.
type Builder struct {
	Gaps  *access.GapService
	Store BuildStore
	// Publisher, Licence and Citation go into every pack's Meta; empty for
	// the defaults.
	Publisher, Licence, Citation string
	// Permalink, if set, makes the permalink of a pack from its data
	// version and a path such as "/countries/KEN/report.xlsx?from=..".
	Permalink func(version int64, path string) string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// asOf is the data version the packs answer as of (0: now).
	asOf int64
}

// factorTablesAsOf is what a store may also offer: the factor tables as
// published at a data version.
type factorTablesAsOf interface {
	FactorTablesAsOf(ctx context.Context, v int64) ([]access.FactorTable, error)
}

// At is the builder answering as of data version v (0: now): the gap
// figures, factor tables and data version of its packs are those of v.
func (b *Builder) At(v int64) *Builder {
	c := *b
	c.asOf = v
	if b.Gaps != nil {
		c.Gaps = b.Gaps.At(v)
	}
	return &c
}

// factorTables are the factor tables as of the builder's data version.
func (b *Builder) factorTables(ctx context.Context) ([]access.FactorTable, error) {
	if t, ok := b.Store.(factorTablesAsOf); ok && b.asOf > 0 {
		return t.FactorTablesAsOf(ctx, b.asOf)
	}
	return b.Store.FactorTables(ctx)
}

func (b *Builder) meta(ctx context.Context, path string) (Meta, error) {
	v, err := b.Store.DataVersion(ctx)
	if err != nil {
		return Meta{}, err
	}
	if b.asOf > 0 {
		v = b.asOf
	}
	m := Meta{DataVersion: v, Publisher: b.Publisher, Licence: b.Licence, Citation: b.Citation}
	if t, ok := b.Store.(dataVersionTimer); ok {
		if at, err := t.DataVersionTime(ctx, v); err == nil {
			m.DataAsOf = at
		}
	}
	now := time.Now
	if b.Now != nil {
		now = b.Now
	}
	m.Generated = now().UTC()
	if b.Permalink != nil && path != "" {
		m.Permalink = b.Permalink(v, path)
	}
	return m, nil
}

// CountryReport assembles a country's pack for from..to (0, 0: every year
// with data) with the need model model ("" for the default) as headline;
// every need model's figures are side by side in the figures.
func (b *Builder) CountryReport(ctx context.Context, iso3 string, from, to int, model string) (CountryReport, error) {
	g, err := b.Gaps.Country(ctx, iso3, from, to, model)
	if err != nil {
		return CountryReport{}, err
	}
	all, err := b.factorTables(ctx)
	if err != nil {
		return CountryReport{}, err
	}
	r := CountryReport{Gaps: g, Factors: all}
	if r.Meta, err = b.meta(ctx, fmt.Sprintf("/countries/%s/report.xlsx?from=%d&to=%d&model=%s", iso3, from, to, model)); err != nil {
		return CountryReport{}, err
	}
	if r.Sources, err = b.sources(ctx, []access.CountryGaps{g}, 0); err != nil {
		return CountryReport{}, err
	}
	return r, nil
}

// GroupReport assembles a region's, income group's or the world's pack for
// year under the need model model.
func (b *Builder) GroupReport(ctx context.Context, kind access.GroupKind, code string, year int, model string) (GroupReport, error) {
	g, countries, err := b.Gaps.GroupWithCountries(ctx, kind, code, year, model)
	if err != nil {
		return GroupReport{}, err
	}
	q := access.RankQuery{Year: year}
	switch kind {
	case access.GroupRegion:
		q.Region = g.Code
	case access.GroupIncome:
		q.Income = g.Code
	}
	rows, methods, err := access.Rank(countries, q)
	if err != nil {
		return GroupReport{}, err
	}
	all, err := b.factorTables(ctx)
	if err != nil {
		return GroupReport{}, err
	}
	r := GroupReport{Group: g, Ranking: rows, Factors: all}
	if methods != nil {
		r.Methods = *methods
	}
	path := fmt.Sprintf("/world/report.xlsx?year=%d&model=%s", year, model)
	switch kind {
	case access.GroupRegion:
		path = fmt.Sprintf("/regions/%s/report.xlsx?year=%d&model=%s", g.Code, year, model)
	case access.GroupIncome:
		path = fmt.Sprintf("/income-groups/%s/report.xlsx?year=%d&model=%s", g.Code, year, model)
	}
	if r.Meta, err = b.meta(ctx, path); err != nil {
		return GroupReport{}, err
	}
	members := make([]access.CountryGaps, 0, len(rows))
	for _, c := range countries {
		for _, rr := range rows {
			if rr.Country.ISO3 == c.Country.ISO3 {
				members = append(members, c)
				break
			}
		}
	}
	if r.Sources, err = b.sources(ctx, members, year); err != nil {
		return GroupReport{}, err
	}
	return r, nil
}

// DataSet is every country-year figure, for the full data set download.
// Its years carry no lineage and no need_models (see withoutDetail).
type DataSet struct {
	Meta      Meta
	Countries []access.CountryGaps
	Factors   []access.FactorTable
	Sources   []Source
}

// DataSet assembles the full data set under the need model model.
func (b *Builder) DataSet(ctx context.Context, model string) (DataSet, error) {
	gs, err := b.Gaps.All(ctx, 0, 0, model)
	if err != nil {
		return DataSet{}, err
	}
	all, err := b.factorTables(ctx)
	if err != nil {
		return DataSet{}, err
	}
	d := DataSet{Countries: gs, Factors: all}
	if d.Meta, err = b.meta(ctx, "/download/gaps.xlsx?model="+model); err != nil {
		return DataSet{}, err
	}
	if d.Sources, err = b.sources(ctx, gs, 0); err != nil {
		return DataSet{}, err
	}
	d.Countries = withoutDetail(gs)
	return d, nil
}

// withoutDetail copies gs without what the data set does not show: the
// lineage of each year's inputs (the Sources list their uploads) and the
// figures of every need model beside the headline one. They are half of
// the figures' memory, held while the whole data set is written. gs itself
// may be shared (GapService keeps it), so its years are copied, not
// changed.
func withoutDetail(gs []access.CountryGaps) []access.CountryGaps {
	out := make([]access.CountryGaps, len(gs))
	for i, g := range gs {
		years := make([]access.YearGaps, len(g.Years))
		for j, y := range g.Years {
			y.Lineage, y.NeedModels, y.NeedMetPctRange = nil, nil, nil
			years[j] = y
		}
		g.Years = years
		out[i] = g
	}
	return out
}

// sources lists the uploads the figures' lineage names (of year only, when
// year is not 0), by upload id.
func (b *Builder) sources(ctx context.Context, gs []access.CountryGaps, year int) ([]Source, error) {
	ids := map[int64]bool{}
	for _, g := range gs {
		for _, y := range g.Years {
			if year != 0 && y.Year != year {
				continue
			}
			for _, l := range y.Lineage {
				if l.UploadID > 0 {
					ids[l.UploadID] = true
				}
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	roles := map[int64]string{}
	if keys, err := b.Store.Keys(ctx); err == nil {
		for _, k := range keys {
			roles[k.ID] = string(k.Role)
		}
	}
	sorted := make([]int64, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	out := make([]Source, 0, len(sorted))
	for _, id := range sorted {
		u, err := b.Store.Upload(ctx, id)
		if err != nil {
			if access.ErrorCode(err) == access.NotFound {
				continue
			}
			return nil, err
		}
		role := "operator"
		if u.UploaderKey != 0 {
			role = or(roles[u.UploaderKey], "unknown key")
		}
		out = append(out, Source{UploadID: u.ID, Kind: string(u.Kind), Filename: u.Filename, SHA256: u.SHA256,
			ReceivedAt: u.ReceivedAt, Role: role, Country: u.Country,
			Source: u.Terms.Source, Licence: u.Terms.Licence, Citation: u.Terms.Citation})
	}
	return out, nil
}
