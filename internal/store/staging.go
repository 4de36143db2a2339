package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"github.com/reliefgap/reliefgap/internal/access"
)

// stageSet is the rows of one table a batch stages, as column values.
type stageSet struct {
	table string
	cols  []string
	rows  [][]any
}

// Columns written when staging; every other column takes its default.
var (
	consumptionCols = []string{"iso3", "year", "drug", "grams", "state", "manufactured_g", "utilized_g", "stock_g", "seizures_g", "stock_out_days", "conversion", "upload_id", "sheet", "row_num", "active"}
	estimateCols    = []string{"iso3", "year", "drug", "kind", "number", "status", "consumed_g", "utilized_g", "stock_g", "special_g", "total_g", "conversion", "upload_id", "sheet", "row_num", "active"}
	populationCols  = []string{"iso3", "year", "persons", "source", "upload_id", "sheet", "row_num", "active"}
	deathsCols      = []string{"iso3", "year", "cause", "deaths", "source", "upload_id", "sheet", "row_num", "active"}
	metadataCols    = []string{"iso3", "who_region", "income_group", "vintage", "data_year", "name", "upload_id", "sheet", "row_num", "active"}
)

// nullable turns a possibly nil quantity into a column value.
func nullable(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// stageSets turns a batch into rows, staged inactive with id as lineage.
func stageSets(b access.Batch, id int64) []stageSet {
	var out []stageSet
	if len(b.Consumption) > 0 {
		rows := make([][]any, len(b.Consumption))
		for i, c := range b.Consumption {
			rows[i] = []any{c.ISO3, c.Year, c.Drug, nullable(c.Grams), string(c.State), nullable(c.Manufactured), nullable(c.UtilizedForManufacture),
				nullable(c.Stock), nullable(c.Seizures), nullable(c.StockOutDays), c.Conversion, id, c.Lineage.Sheet, c.Lineage.Row, false}
		}
		out = append(out, stageSet{"consumption", consumptionCols, rows})
	}
	if len(b.Estimates) > 0 {
		rows := make([][]any, len(b.Estimates))
		for i, e := range b.Estimates {
			rows[i] = []any{e.ISO3, e.Year, e.Drug, string(e.Kind), e.Number, string(e.Status), nullable(e.ToBeConsumed), nullable(e.UtilizedForManufacture),
				nullable(e.StockTarget), nullable(e.SpecialStocks), nullable(e.Total), e.Conversion, id, e.Lineage.Sheet, e.Lineage.Row, false}
		}
		out = append(out, stageSet{"estimates", estimateCols, rows})
	}
	if len(b.Population) > 0 {
		rows := make([][]any, len(b.Population))
		for i, p := range b.Population {
			rows[i] = []any{p.ISO3, p.Year, p.Persons, p.Source, id, p.Lineage.Sheet, p.Lineage.Row, false}
		}
		out = append(out, stageSet{"population", populationCols, rows})
	}
	if len(b.Deaths) > 0 {
		rows := make([][]any, len(b.Deaths))
		for i, d := range b.Deaths {
			rows[i] = []any{d.ISO3, d.Year, d.Cause, d.Deaths, d.Source, id, d.Lineage.Sheet, d.Lineage.Row, false}
		}
		out = append(out, stageSet{"deaths", deathsCols, rows})
	}
	if len(b.Countries) > 0 {
		rows := make([][]any, len(b.Countries))
		for i, m := range b.Countries {
			rows[i] = []any{m.ISO3, m.WHORegion, m.IncomeGroup, m.IncomeVintage, m.DataYear, m.Name, id, m.Lineage.Sheet, m.Lineage.Row, false}
		}
		out = append(out, stageSet{"country_metadata", metadataCols, rows})
	}
	return out
}

// ImportTx is an open import transaction: records are staged (stored but
// not active) as they arrive; Diff compares them with the published ones
// and Publish activates them. Nothing is visible to others until the
// transaction commits.
//
// Staging is the bulk of an import and is done below gorm: on PostgreSQL
// with the COPY protocol on the transaction's own connection; on SQLite
// with one prepared INSERT per table, reused for every row.
type ImportTx struct {
	tx       *gorm.DB
	conn     *sql.Conn
	s        *Store
	uploadID int64
	stmts    map[string]*sql.Stmt
	staged   map[string]bool // tables staged into, analysed before the diff
	batch    int             // rows per gorm batch insert
}

// WithImport runs fn in one transaction for upload uploadID, on a
// connection of its own. If fn returns an error (or panics) everything it
// staged is rolled back.
func (s *Store) WithImport(ctx context.Context, uploadID int64, fn func(w access.ImportWriter) error) (err error) {
	defer func() { err = translate(err, "store.WithImport") }()
	conn, err := s.sql.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	done := false
	w := &ImportTx{conn: conn, s: s, uploadID: uploadID, stmts: map[string]*sql.Stmt{}, staged: map[string]bool{}, batch: 500}
	defer func() {
		for _, st := range w.stmts {
			st.Close()
		}
		if !done {
			_ = sqlTx.Rollback()
		}
	}()
	w.tx = s.db.WithContext(ctx).Session(&gorm.Session{NewDB: true})
	w.tx.Statement.ConnPool = sqlTx
	if err := fn(w); err != nil {
		return err
	}
	w.closeStatements()
	done = true
	return sqlTx.Commit()
}

func (w *ImportTx) closeStatements() {
	for k, st := range w.stmts {
		st.Close()
		delete(w.stmts, k)
	}
}

// Stage stores a batch of records, inactive, with this upload as lineage.
func (w *ImportTx) Stage(ctx context.Context, b access.Batch) error {
	// The store's own guard: NaN and ±Inf never reach a column, whatever
	// the caller (PostgreSQL would store them and sums would turn to Inf).
	if err := access.CheckBatch(b); err != nil {
		return err
	}
	for _, set := range stageSets(b, w.uploadID) {
		var err error
		if w.s.dialect == Postgres {
			err = w.copyRows(ctx, set)
		} else {
			err = w.insertRows(ctx, set)
		}
		if err != nil {
			return translate(err, "store.Stage")
		}
		w.staged[set.table] = true
	}
	// Survey tables are small: gorm's batched inserts do.
	return w.stageAvailability(w.tx.WithContext(ctx), b)
}

// copyRows stages rows with COPY, on the connection the transaction runs on.
func (w *ImportTx) copyRows(ctx context.Context, set stageSet) error {
	return w.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: COPY needs a pgx connection, have %T", dc)
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{set.table}, set.cols, pgx.CopyFromRows(set.rows))
		return err
	})
}

// insertRows stages rows with one prepared statement per table, prepared
// once per transaction.
func (w *ImportTx) insertRows(ctx context.Context, set stageSet) error {
	st := w.stmts[set.table]
	if st == nil {
		q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", set.table, strings.Join(set.cols, ", "),
			strings.TrimSuffix(strings.Repeat("?, ", len(set.cols)), ", "))
		var err error
		if st, err = w.tx.Statement.ConnPool.PrepareContext(ctx, q); err != nil {
			return err
		}
		w.stmts[set.table] = st
	}
	for _, r := range set.rows {
		if _, err := st.ExecContext(ctx, r...); err != nil {
			return err
		}
	}
	return nil
}

// analyze refreshes the planner's statistics of the tables staged into, so
// that the set-based diff and publication plan for the rows just staged.
func (w *ImportTx) analyze(ctx context.Context) error {
	if w.s.dialect != Postgres {
		return nil
	}
	for t := range w.staged {
		if err := w.tx.WithContext(ctx).Exec("ANALYZE " + t).Error; err != nil {
			return err
		}
		delete(w.staged, t)
	}
	return nil
}

// PublishedPopulation is the published population of iso3 by year, read
// inside the import transaction (SQLite has one connection).
func (w *ImportTx) PublishedPopulation(ctx context.Context, iso3 string) (map[int]float64, error) {
	var rows []populationRow
	if err := w.tx.WithContext(ctx).Where("iso3 = ? AND active", iso3).Find(&rows).Error; err != nil {
		return nil, translate(err, "store.PublishedPopulation")
	}
	out := make(map[int]float64, len(rows))
	for _, r := range rows {
		out[r.Year] = r.Persons
	}
	return out, nil
}
