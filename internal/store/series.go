package store

import (
	"context"

	"github.com/reliefgap/reliefgap/internal/access"
)

// Series lists the series of a measure (population or deaths) visible at
// data version v (0: now), the first published first, each with the terms
// of the upload that first brought it.
func (s *Store) Series(ctx context.Context, m access.Measure, v int64) ([]access.Series, error) {
	const op = "store.Series"
	table := seriesTables[m]
	if table == "" {
		return nil, access.Errorf(access.Invalid, op, "no measure %q: use population or deaths", m)
	}
	cond, args := visibleAt("o", v)
	q := `SELECT o.source, MIN(o.published_in), COUNT(*), MIN(o.upload_id) FROM ` + table + ` o WHERE ` + cond +
		` GROUP BY o.source ORDER BY MIN(o.published_in), o.source`
	rows, err := s.reader().WithContext(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, translate(err, op)
	}
	var out []access.Series
	for rows.Next() {
		sr := access.Series{Measure: m}
		var first *int64
		if err := rows.Scan(&sr.Source, &first, &sr.Values, &sr.FirstUpload); err != nil {
			rows.Close()
			return nil, translate(err, op)
		}
		if first != nil {
			sr.FirstIn = *first
		}
		out = append(out, sr)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, translate(err, op)
	}
	for i := range out {
		var lic, cit string
		if err := s.reader().WithContext(ctx).Raw(`SELECT licence, citation FROM uploads WHERE id = ?`, out[i].FirstUpload).Row().Scan(&lic, &cit); err == nil {
			out[i].Licence, out[i].Citation = lic, cit
		}
	}
	return out, nil
}

// FirstSeries is the source of the series of measure m published first as
// of data version v, "" when there is none: Series(ctx, m, v)[0].Source.
// With one series, the usual case, it is found without counting its
// values or reading when it was published.
func (s *Store) FirstSeries(ctx context.Context, m access.Measure, v int64) (string, error) {
	const op = "store.FirstSeries"
	table := seriesTables[m]
	if table == "" {
		return "", access.Errorf(access.Invalid, op, "no measure %q: use population or deaths", m)
	}
	cond, args := visibleAt("", v)
	var sources []string
	if err := s.reader().WithContext(ctx).Raw(`SELECT DISTINCT source FROM `+table+` WHERE `+cond+` LIMIT 2`, args...).Scan(&sources).Error; err != nil {
		return "", translate(err, op)
	}
	if len(sources) < 2 {
		if len(sources) == 0 {
			return "", nil
		}
		return sources[0], nil
	}
	all, err := s.Series(ctx, m, v)
	if err != nil || len(all) == 0 {
		return "", err
	}
	return all[0].Source, nil
}

// seriesTables are the tables of the measures that have series.
var seriesTables = map[access.Measure]string{access.MeasurePopulation: "population", access.MeasureDeaths: "deaths"}

// UploadTerms returns the kind and terms of the uploads named, by id.
func (s *Store) UploadTerms(ctx context.Context, ids []int64) ([]access.SourceUse, error) {
	var rows []uploadRow
	if err := s.reader().WithContext(ctx).Select("id, kind, source, licence, citation").Where("id IN ?", ids).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "store.UploadTerms")
	}
	out := make([]access.SourceUse, len(rows))
	for i, r := range rows {
		out[i] = access.SourceUse{UploadID: r.ID, Kind: access.ImportKind(r.Kind), Terms: access.Terms{Source: r.Source, Licence: r.Licence, Citation: r.Citation}}
	}
	return out, nil
}
