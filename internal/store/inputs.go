package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/reliefgap/reliefgap/internal/access"
)

// Inputs reads the published (active) population, deaths, consumption and
// estimates, with lineage, grouped by country. Countries with no data at
// all are included, with empty series.
func (s *Store) Inputs(ctx context.Context, f access.InputFilter) (map[string]*access.CountryInputs, error) {
	countries, err := s.countriesAt(ctx, f.ISO3, f.AsOf)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*access.CountryInputs, len(countries))
	for _, c := range countries {
		out[c.ISO3] = &access.CountryInputs{Country: c}
	}
	scan := s.inputScanner(ctx, f)
	if err := scan("SELECT iso3, year, persons, source, upload_id, sheet, row_num FROM population", f.PopulationSource, func(r *sql.Rows) error {
		var p access.Population
		if err := r.Scan(&p.ISO3, &p.Year, &p.Persons, &p.Source, &p.Lineage.UploadID, &p.Lineage.Sheet, &p.Lineage.Row); err != nil {
			return err
		}
		if ci := out[p.ISO3]; ci != nil {
			ci.Population = append(ci.Population, p)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := scan("SELECT iso3, year, cause, deaths, source, upload_id, sheet, row_num FROM deaths", f.DeathsSource, func(r *sql.Rows) error {
		var d access.Deaths
		if err := r.Scan(&d.ISO3, &d.Year, &d.Cause, &d.Deaths, &d.Source, &d.Lineage.UploadID, &d.Lineage.Sheet, &d.Lineage.Row); err != nil {
			return err
		}
		if ci := out[d.ISO3]; ci != nil {
			ci.Deaths = append(ci.Deaths, d)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := scan("SELECT iso3, year, drug, grams, state, manufactured_g, utilized_g, stock_g, seizures_g, stock_out_days, conversion, upload_id, sheet, row_num FROM consumption", "", func(r *sql.Rows) error {
		var c access.Consumption
		var g, m, u, st, se, so sql.NullFloat64
		var state string
		if err := r.Scan(&c.ISO3, &c.Year, &c.Drug, &g, &state, &m, &u, &st, &se, &so, &c.Conversion, &c.Lineage.UploadID, &c.Lineage.Sheet, &c.Lineage.Row); err != nil {
			return err
		}
		c.Grams, c.Manufactured, c.UtilizedForManufacture, c.Stock, c.Seizures = nf(g), nf(m), nf(u), nf(st), nf(se)
		c.StockOutDays = nf(so)
		c.State = access.ValueState(state) // '' (a row from before migration 0006) reads through GramsState
		if ci := out[c.ISO3]; ci != nil {
			ci.Consumption = append(ci.Consumption, c)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := scan("SELECT iso3, year, drug, kind, number, status, consumed_g, utilized_g, stock_g, special_g, total_g, conversion, upload_id, sheet, row_num FROM estimates", "", func(r *sql.Rows) error {
		var e access.Estimate
		var a, b, c, d, t sql.NullFloat64
		var kind, status string
		if err := r.Scan(&e.ISO3, &e.Year, &e.Drug, &kind, &e.Number, &status, &a, &b, &c, &d, &t, &e.Conversion, &e.Lineage.UploadID, &e.Lineage.Sheet, &e.Lineage.Row); err != nil {
			return err
		}
		e.Kind, e.Status = access.EstimateKind(kind), access.EstimateStatus(status)
		e.ToBeConsumed, e.UtilizedForManufacture, e.StockTarget, e.SpecialStocks, e.Total = nf(a), nf(b), nf(c), nf(d), nf(t)
		if ci := out[e.ISO3]; ci != nil {
			ci.Estimates = append(ci.Estimates, e)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := s.attachIncomeYears(ctx, out, f.ISO3, f.AsOf); err != nil {
		return nil, err
	}
	return out, nil
}

// inputScanner returns scan, which runs a query over the rows of an input
// table that f selects (visible at f.AsOf, its country and years) in the
// order figures expect; series, when not "", keeps one population or
// deaths series. Plain database/sql, straight into the domain structs: no
// gorm reflection on the rows that every recompute reads.
func (s *Store) inputScanner(ctx context.Context, f access.InputFilter) func(q, series string, each func(r *sql.Rows) error) error {
	const op = "store.Inputs"
	cond, args := visibleAt("", f.AsOf)
	where := " WHERE " + cond
	if f.ISO3 != "" {
		where += " AND iso3 = ?"
		args = append(args, f.ISO3)
	}
	if f.FromYear > 0 {
		where += " AND year >= ?"
		args = append(args, f.FromYear)
	}
	if f.ToYear > 0 {
		where += " AND year <= ?"
		args = append(args, f.ToYear)
	}
	db := s.readerSQL()
	return func(q, series string, each func(r *sql.Rows) error) error {
		w, a := where, args
		if series != "" {
			w, a = w+" AND source = ?", append(append([]any{}, args...), series)
		}
		w += " ORDER BY iso3, year, id"
		if s.dialect == Postgres {
			w = pgPlaceholders(w)
		}
		rows, err := db.QueryContext(ctx, q+w, a...)
		if err != nil {
			return translate(err, op)
		}
		defer rows.Close()
		for rows.Next() {
			if err := each(rows); err != nil {
				return translate(err, op)
			}
		}
		return translate(rows.Err(), op)
	}
}

// visibleAt is the condition that selects the rows of a versioned table
// (observations, income groups) as they stood at data version v: published
// at or before v and not withdrawn by then. v = 0 is now: the active rows.
// Every read of the figures' inputs goes through it, so an answer "as of v"
// cannot change once v is past.
func visibleAt(alias string, v int64) (string, []any) {
	p := ""
	if alias != "" {
		p = alias + "."
	}
	if v <= 0 {
		return p + "active", nil
	}
	return fmt.Sprintf("%[1]spublished_in <= ? AND (%[1]swithdrawn_in IS NULL OR %[1]swithdrawn_in > ?)", p), []any{v, v}
}

func nf(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	return access.F(v.Float64)
}

// DataVersion is the database's data version: a number that only goes up,
// added to by every publication, factor-table version and setting change
// (see bumpDataVersion). Figures carry it as data_version; ETags derive from it.
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.reader().WithContext(ctx).Raw(`SELECT COALESCE(MAX(version), 0) FROM data_versions`).Row().Scan(&v); err != nil {
		return 0, translate(err, "store.DataVersion")
	}
	return v, nil
}

// bumpDataVersion records a change to what figures are computed from, inside
// the transaction that makes it, and returns the new data version.
func bumpDataVersion(tx *gorm.DB, reason string, uploadID int64) (int64, error) {
	var up any
	if uploadID > 0 {
		up = uploadID
	}
	if err := tx.Exec(`INSERT INTO data_versions (reason, upload_id) VALUES (?, ?)`, reason, up).Error; err != nil {
		return 0, err
	}
	var v int64
	err := tx.Raw(`SELECT MAX(version) FROM data_versions`).Row().Scan(&v)
	return v, err
}

// pgPlaceholders numbers the ? placeholders of q for PostgreSQL ($1, $2, …).
func pgPlaceholders(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
