package store

import (
	"context"
	"database/sql"

	"github.com/reliefgap/reliefgap/internal/access"
)

// SubmittedInputs returns the consumption and estimate rows for iso3 held
// by uploads scoped to iso3 that await publication (status submitted),
// newest upload first. They are staged, not active: only the supply
// estimate a ministry asks for its own country lays them over the
// published values.
func (s *Store) SubmittedInputs(ctx context.Context, iso3 string) (access.CountryInputs, error) {
	const op = "store.SubmittedInputs"
	out := access.CountryInputs{Country: access.Country{ISO3: iso3}}
	db := s.db.WithContext(ctx)
	const where = ` JOIN uploads u ON u.id = o.upload_id
		WHERE o.iso3 = ? AND u.country = ? AND u.status = ? AND NOT o.active
		ORDER BY u.id DESC, o.id`
	status := string(access.StatusSubmitted)
	rows, err := db.Raw(`SELECT o.year, o.drug, o.grams, o.manufactured_g, o.utilized_g, o.stock_g, o.seizures_g, o.stock_out_days,
		o.conversion, o.upload_id, o.sheet, o.row_num FROM consumption o`+where, iso3, iso3, status).Rows()
	if err != nil {
		return out, translate(err, op)
	}
	for rows.Next() {
		c := access.Consumption{ISO3: iso3}
		var g, m, u, st, se, so sql.NullFloat64
		if err := rows.Scan(&c.Year, &c.Drug, &g, &m, &u, &st, &se, &so, &c.Conversion, &c.Lineage.UploadID, &c.Lineage.Sheet, &c.Lineage.Row); err != nil {
			rows.Close()
			return out, translate(err, op)
		}
		c.Grams, c.Manufactured, c.UtilizedForManufacture, c.Stock, c.Seizures, c.StockOutDays = nf(g), nf(m), nf(u), nf(st), nf(se), nf(so)
		out.Consumption = append(out.Consumption, c)
	}
	if err := rows.Close(); err != nil {
		return out, translate(err, op)
	}
	if err := rows.Err(); err != nil {
		return out, translate(err, op)
	}
	rows, err = db.Raw(`SELECT o.year, o.drug, o.kind, o.status, o.consumed_g, o.utilized_g, o.stock_g, o.special_g, o.total_g,
		o.conversion, o.upload_id, o.sheet, o.row_num FROM estimates o`+where, iso3, iso3, status).Rows()
	if err != nil {
		return out, translate(err, op)
	}
	defer rows.Close()
	for rows.Next() {
		e := access.Estimate{ISO3: iso3}
		var a, b, c, d, t sql.NullFloat64
		var kind, st string
		if err := rows.Scan(&e.Year, &e.Drug, &kind, &st, &a, &b, &c, &d, &t, &e.Conversion, &e.Lineage.UploadID, &e.Lineage.Sheet, &e.Lineage.Row); err != nil {
			return out, translate(err, op)
		}
		e.Kind, e.Status = access.EstimateKind(kind), access.EstimateStatus(st)
		e.ToBeConsumed, e.UtilizedForManufacture, e.StockTarget, e.SpecialStocks, e.Total = nf(a), nf(b), nf(c), nf(d), nf(t)
		out.Estimates = append(out.Estimates, e)
	}
	return out, translate(rows.Err(), op)
}
