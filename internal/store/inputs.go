package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"
	"gorm.io/gorm"

	"github.com/reliefgap/reliefgap/internal/access"
)

// Inputs reads the published (active) population, deaths, consumption and
// estimates, with lineage, grouped by country. Countries with no data at
// all are included, with empty series. Each country's rows are in year
// order, rows of one year in the order they were stored.
func (s *Store) Inputs(ctx context.Context, f access.InputFilter) (map[string]*access.CountryInputs, error) {
	countries, err := s.countriesAt(ctx, f.ISO3, f.AsOf)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*access.CountryInputs, len(countries))
	for _, c := range countries {
		out[c.ISO3] = &access.CountryInputs{Country: c}
	}
	// The four tables are read side by side (each scan appends to its own
	// field of each country's inputs), each on a connection of its own
	// where the pool has several.
	g, gctx := errgroup.WithContext(ctx)
	scan := s.inputScanner(gctx, f)
	txt := s.textColumns
	g.Go(func() error {
		cols := newInputColumns()
		iso3, src, sheet := cols.text(), cols.text(), cols.text()
		var p access.Population
		return scan("SELECT "+txt("iso3")+", year, persons, "+txt("source")+", upload_id, "+txt("sheet")+", row_num FROM population", f.PopulationSource,
			[]any{iso3, (*intColumn)(&p.Year), (*floatColumn)(&p.Persons), src, (*int64Column)(&p.Lineage.UploadID), sheet, (*intColumn)(&p.Lineage.Row)},
			func() {
				if ci := out[iso3.s]; ci != nil {
					p.ISO3, p.Source, p.Lineage.Sheet = iso3.s, src.s, sheet.s
					ci.Population = append(ci.Population, p)
				}
			})
	})
	g.Go(func() error {
		cols := newInputColumns()
		iso3, cause, src, sheet := cols.text(), cols.text(), cols.text(), cols.text()
		var d access.Deaths
		return scan("SELECT "+txt("iso3")+", year, "+txt("cause")+", deaths, "+txt("source")+", upload_id, "+txt("sheet")+", row_num FROM deaths", f.DeathsSource,
			[]any{iso3, (*intColumn)(&d.Year), cause, (*floatColumn)(&d.Deaths), src, (*int64Column)(&d.Lineage.UploadID), sheet, (*intColumn)(&d.Lineage.Row)},
			func() {
				if ci := out[iso3.s]; ci != nil {
					d.ISO3, d.Cause, d.Source, d.Lineage.Sheet = iso3.s, cause.s, src.s, sheet.s
					ci.Deaths = append(ci.Deaths, d)
				}
			})
	})
	g.Go(func() error {
		cols := newInputColumns()
		iso3, drug, state, conversion, sheet := cols.text(), cols.text(), cols.text(), cols.text(), cols.text()
		gr, m, u, st, se, so := cols.nullFloat(), cols.nullFloat(), cols.nullFloat(), cols.nullFloat(), cols.nullFloat(), cols.nullFloat()
		var c access.Consumption
		return scan("SELECT "+txt("iso3")+", year, "+txt("drug")+", grams, "+txt("state")+", manufactured_g, utilized_g, stock_g, seizures_g, stock_out_days, "+txt("conversion")+", upload_id, "+txt("sheet")+", row_num FROM consumption", "",
			[]any{iso3, (*intColumn)(&c.Year), drug, gr, state, m, u, st, se, so, conversion, (*int64Column)(&c.Lineage.UploadID), sheet, (*intColumn)(&c.Lineage.Row)},
			func() {
				if ci := out[iso3.s]; ci != nil {
					c.ISO3, c.Drug, c.Conversion, c.Lineage.Sheet = iso3.s, drug.s, conversion.s, sheet.s
					c.Grams, c.Manufactured, c.UtilizedForManufacture, c.Stock, c.Seizures = cols.ptr(gr), cols.ptr(m), cols.ptr(u), cols.ptr(st), cols.ptr(se)
					c.StockOutDays = cols.ptr(so)
					c.State = access.ValueState(state.s) // '' (a row from before migration 0006) reads through GramsState
					ci.Consumption = append(ci.Consumption, c)
				}
			})
	})
	g.Go(func() error {
		cols := newInputColumns()
		iso3, drug, kind, status, conversion, sheet := cols.text(), cols.text(), cols.text(), cols.text(), cols.text(), cols.text()
		a, b, c, d, t := cols.nullFloat(), cols.nullFloat(), cols.nullFloat(), cols.nullFloat(), cols.nullFloat()
		var e access.Estimate
		return scan("SELECT "+txt("iso3")+", year, "+txt("drug")+", "+txt("kind")+", number, "+txt("status")+", consumed_g, utilized_g, stock_g, special_g, total_g, "+txt("conversion")+", upload_id, "+txt("sheet")+", row_num FROM estimates", "",
			[]any{iso3, (*intColumn)(&e.Year), drug, kind, (*intColumn)(&e.Number), status, a, b, c, d, t, conversion, (*int64Column)(&e.Lineage.UploadID), sheet, (*intColumn)(&e.Lineage.Row)},
			func() {
				if ci := out[iso3.s]; ci != nil {
					e.ISO3, e.Drug, e.Conversion, e.Lineage.Sheet = iso3.s, drug.s, conversion.s, sheet.s
					e.Kind, e.Status = access.EstimateKind(kind.s), access.EstimateStatus(status.s)
					e.ToBeConsumed, e.UtilizedForManufacture, e.StockTarget, e.SpecialStocks, e.Total = cols.ptr(a), cols.ptr(b), cols.ptr(c), cols.ptr(d), cols.ptr(t)
					ci.Estimates = append(ci.Estimates, e)
				}
			})
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, ci := range out {
		sortByYear(ci.Population, func(p access.Population) int { return p.Year })
		sortByYear(ci.Deaths, func(d access.Deaths) int { return d.Year })
		sortByYear(ci.Consumption, func(c access.Consumption) int { return c.Year })
		sortByYear(ci.Estimates, func(e access.Estimate) int { return e.Year })
	}
	if err := s.attachIncomeYears(ctx, out, f.ISO3, f.AsOf); err != nil {
		return nil, err
	}
	return out, nil
}

// sortByYear puts rows read in storage order in year order, keeping the
// storage order within a year.
func sortByYear[T any](rows []T, year func(T) int) {
	if !slices.IsSortedFunc(rows, func(a, b T) int { return cmp.Compare(year(a), year(b)) }) {
		slices.SortStableFunc(rows, func(a, b T) int { return cmp.Compare(year(a), year(b)) })
	}
}

// inputScanner returns scan, which runs a query over the rows of an input
// table that f selects (visible at f.AsOf, its country and years) in the
// order they were stored, scanning each row into dest and calling each;
// series, when not "", keeps one population or deaths series. Plain
// database/sql, straight into the domain structs through column types
// that convert without reflection: no gorm on the rows that every
// recompute reads.
func (s *Store) inputScanner(ctx context.Context, f access.InputFilter) func(q, series string, dest []any, each func()) error {
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
	return func(q, series string, dest []any, each func()) error {
		w, a := where, args
		if series != "" {
			w, a = w+" AND source = ?", append(append([]any{}, args...), series)
		}
		// Storage order: a scan of the table, no sort (the caller puts
		// each country's rows in year order).
		w += " ORDER BY id"
		if s.dialect == Postgres {
			return translate(scanPG(ctx, db, q+pgPlaceholders(w), a, dest, each), op)
		}
		rows, err := db.QueryContext(ctx, q+w, a...)
		if err != nil {
			return translate(err, op)
		}
		defer rows.Close()
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return translate(err, op)
			}
			each()
		}
		return translate(rows.Err(), op)
	}
}

// scanPG runs q on a connection of db with pgx itself rather than through
// database/sql, which boxes every value of every row in an interface before
// the columns see it: pgx decodes each value straight into dest (see
// columns.go). Measured on the 55,080 published deaths rows: 92 ms against
// 132 ms.
func scanPG(ctx context.Context, db *sql.DB, q string, args []any, dest []any, each func()) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, err := pgxConn(dc)
		if err != nil {
			return err
		}
		rows, err := c.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			each()
		}
		return rows.Err()
	})
}

// textColumns is how the input queries select a text column: in SQLite
// as a blob, which the driver hands over as it is, without the conversions
// it makes of text (inputColumns.text interns it either way).
func (s *Store) textColumns(col string) string {
	if s.dialect == SQLite {
		return "CAST(" + col + " AS BLOB)"
	}
	return col
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
//
// On PostgreSQL the change holds a lock from here to commit, so data
// versions become visible in the order they are made: a version is never
// committed after a later one has been read (see directVersion).
func bumpDataVersion(tx *gorm.DB, reason string, uploadID int64) (int64, error) {
	if tx.Dialector.Name() == "postgres" {
		if err := lockPG(tx, Postgres, dataVersionLockID); err != nil {
			return 0, err
		}
	}
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

func nf(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	return access.F(v.Float64)
}
