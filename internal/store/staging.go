package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
	"modernc.org/libc"

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
// Each row leaves its first value for the staging order. The rows' values
// lie in a's slab, which the next call reuses: they are only good until
// then (Stage has written them all by the time it returns).
func (a *rowArena) stageSets(b access.Batch, id int64) []stageSet {
	a.reset()
	idv := any(id) // boxed once, not once a row
	var out []stageSet
	if len(b.Consumption) > 0 {
		rows := a.rows(len(b.Consumption), len(consumptionCols)+1)
		for i, c := range b.Consumption {
			copy(rows[i], []any{nil, a.text(1, c.ISO3), a.year(c.Year), a.text(3, c.Drug), nullable(c.Grams), a.text(5, string(c.State)),
				nullable(c.Manufactured), nullable(c.UtilizedForManufacture), nullable(c.Stock), nullable(c.Seizures), nullable(c.StockOutDays),
				a.text(11, c.Conversion), idv, a.text(13, c.Lineage.Sheet), c.Lineage.Row, false})
		}
		out = append(out, stageSet{"consumption", consumptionCols, rows})
	}
	if len(b.Estimates) > 0 {
		rows := a.rows(len(b.Estimates), len(estimateCols)+1)
		for i, e := range b.Estimates {
			copy(rows[i], []any{nil, a.text(1, e.ISO3), a.year(e.Year), a.text(3, e.Drug), a.text(4, string(e.Kind)), e.Number, a.text(6, string(e.Status)),
				nullable(e.ToBeConsumed), nullable(e.UtilizedForManufacture), nullable(e.StockTarget), nullable(e.SpecialStocks), nullable(e.Total),
				a.text(12, e.Conversion), idv, a.text(14, e.Lineage.Sheet), e.Lineage.Row, false})
		}
		out = append(out, stageSet{"estimates", estimateCols, rows})
	}
	if len(b.Population) > 0 {
		rows := a.rows(len(b.Population), len(populationCols)+1)
		for i, p := range b.Population {
			copy(rows[i], []any{nil, p.ISO3, p.Year, p.Persons, p.Source, idv, p.Lineage.Sheet, p.Lineage.Row, false})
		}
		out = append(out, stageSet{"population", populationCols, rows})
	}
	if len(b.Deaths) > 0 {
		rows := a.rows(len(b.Deaths), len(deathsCols)+1)
		for i, d := range b.Deaths {
			copy(rows[i], []any{nil, d.ISO3, d.Year, d.Cause, d.Deaths, d.Source, idv, d.Lineage.Sheet, d.Lineage.Row, false})
		}
		out = append(out, stageSet{"deaths", deathsCols, rows})
	}
	if len(b.Countries) > 0 {
		rows := a.rows(len(b.Countries), len(metadataCols)+1)
		for i, m := range b.Countries {
			copy(rows[i], []any{nil, m.ISO3, m.WHORegion, m.IncomeGroup, m.IncomeVintage, m.DataYear, m.Name, idv, m.Lineage.Sheet, m.Lineage.Row, false})
		}
		out = append(out, stageSet{"country_metadata", metadataCols, rows})
	}
	return out
}

// rowArena holds the values of a batch's staged rows, reused from batch to
// batch: a row is a window of one slab, not a slice of its own, so a
// batch of a few thousand rows costs two allocations the first time and
// none after (at a few hundred thousand rows the rows' own slices were a
// third of everything an import allocated).
type rowArena struct {
	vals []any
	rws  [][]any
	nv   int // values handed out since reset
	nr   int // rows handed out since reset
	// A value put in a row is boxed (made an interface), which costs an
	// allocation for most values. Codes and texts repeat from row to row,
	// and years from a small range: their boxes are kept and used again.
	texts [arenaTextCols]boxedText // the last text of each column
	years []any                    // by year, from 0 to maxBoxedYear
}

const (
	arenaTextCols = 16
	maxBoxedYear  = 2999
)

type boxedText struct {
	s   string
	box any
}

// text is s boxed; the box of the column's last text when s is the same.
func (a *rowArena) text(col int, s string) any {
	t := &a.texts[col]
	if t.box == nil || t.s != s {
		t.s, t.box = s, s
	}
	return t.box
}

// year is y boxed, from the boxes kept for the years 0 to maxBoxedYear.
func (a *rowArena) year(y int) any {
	if y < 0 || y > maxBoxedYear {
		return y
	}
	if a.years == nil {
		a.years = make([]any, maxBoxedYear+1)
	}
	if a.years[y] == nil {
		a.years[y] = y
	}
	return a.years[y]
}

func (a *rowArena) reset() {
	clear(a.vals[:a.nv]) // let go of the last batch's values
	a.nv, a.nr = 0, 0
}

// rows hands out n rows of width values each.
func (a *rowArena) rows(n, width int) [][]any {
	if need := a.nv + n*width; need > len(a.vals) {
		// A grown slab is a new one: the rows handed out already keep
		// the old one.
		a.vals, a.nv = make([]any, max(need, 2*len(a.vals))), 0
	}
	if need := a.nr + n; need > len(a.rws) {
		a.rws, a.nr = make([][]any, max(need, 2*len(a.rws))), 0
	}
	out := a.rws[a.nr : a.nr+n : a.nr+n]
	for i := range out {
		out[i] = a.vals[a.nv : a.nv+width : a.nv+width]
		a.nv += width
	}
	a.nr += n
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
	tx        *gorm.DB
	sqlTx     *sql.Tx
	conn      *sql.Conn
	s         *Store
	uploadID  int64
	arena     rowArena              // the values of the batch being staged
	stmts     map[string]*sql.Stmt  // SQLite without raw access: by statement text (insertSQL)
	raw       map[string]*rawInsert // SQLite: by statement text (insertSQL), prepared once (see rawInsert)
	writing   bool                  // SQLite: the transaction holds the database's write lock (lockMain)
	noRaw     bool                  // SQLite: the driver's connection could not be reached
	temp      map[string]bool       // observation tables whose rows wait in a temporary table
	unchecked []refCode             // PostgreSQL: codes copied in but not yet checked (checkCodes)
	colTypes  map[string][]uint32   // PostgreSQL: column types by table and columns (columnTypes)
	stream    *copyStream           // PostgreSQL: the COPY left open across batches, if any
	landed    map[string]bool       // temporary tables already copied into their table
	seq       int64                 // file order of the staged rows
	firstSeq  map[string]int64      // by table: the order of its first staged row
	counts    map[string]int64      // by table: rows staged
	batch     int                   // rows per gorm batch insert

	// Publishing as rows arrive (direct.go)
	direct    bool                  // PublishWhenValid was called
	dv        int64                 // the data version reserved for the rows
	directIn  map[string]bool       // tables published into as rows arrived
	oldMade   map[string]bool       // tables whose replaced rows have a temporary table (oldName)
	known     map[refCode]bool      // country and drug codes checked
	published map[tableCountry]bool // has published rows of other uploads
	replaced  map[string]int64      // by table: published rows withdrawn for rows of this upload
}

// stgName is the temporary table in which an import stages the rows of
// table. Staging goes there, not into table itself: a temporary table has
// no index, constraint or trigger to maintain and is never logged, so
// staging costs what reading does; the diff reads it; and the rows are
// then copied into table once, already published (or inactive, awaiting
// an administrator), in one set-based INSERT instead of an UPDATE of
// every row.
func stgName(table string) string { return "stg_" + table }

// stagedCols are the columns of each observation table an import writes.
var stagedCols = map[string][]string{
	"consumption": consumptionCols, "estimates": estimateCols, "population": populationCols,
	"deaths": deathsCols, "country_metadata": metadataCols,
}

// WithImport runs fn in one transaction for upload uploadID, on a
// connection of its own. If fn returns an error (or panics) everything it
// staged is rolled back.
func (s *Store) WithImport(ctx context.Context, uploadID int64, fn func(w access.ImportWriter) error) (err error) {
	defer func() { err = translate(err, "store.WithImport") }()
	conn, sqlTx, tx, release, err := s.connTx(ctx, sqliteImportPragmas)
	if err != nil {
		return err
	}
	defer release()
	done := false
	w := &ImportTx{conn: conn, s: s, uploadID: uploadID, stmts: map[string]*sql.Stmt{}, raw: map[string]*rawInsert{},
		temp: map[string]bool{}, landed: map[string]bool{}, firstSeq: map[string]int64{}, counts: map[string]int64{}, batch: 500,
		directIn: map[string]bool{}, oldMade: map[string]bool{}, known: map[refCode]bool{}, published: map[tableCountry]bool{}, replaced: map[string]int64{}, sqlTx: sqlTx}
	defer func() {
		_ = w.endCopy()
		w.closeStatements()
		if !done {
			_ = sqlTx.Rollback()
		}
		w.dropTemp(context.WithoutCancel(ctx))
	}()
	w.tx = tx
	if err := fn(w); err != nil {
		return err
	}
	if err := w.endCopy(); err != nil {
		return err
	}
	w.closeStatements()
	// Rows staged but not yet copied (an upload settled without Finish)
	// wait, inactive, for an administrator.
	if err := w.landAll(ctx, false, 0); err != nil {
		return err
	}
	done = true
	return sqlTx.Commit()
}

// sqliteImportPragmas bound what an import may hold in memory on SQLite:
// its temporary tables go to a file (the pool's connections keep them in
// memory, where they are small), and its page cache is 2 MiB instead of
// the pool's 64 MiB, which a large import would fill (the pages it writes
// are read back from the operating system's cache when needed).
//
// temp_store goes first: set after cache_size, it left a 854,250-row import
// taking twice the time (measured).
var sqliteImportPragmas = []string{"temp_store", "FILE", "cache_size", "-2048"}

// setPragmas sets SQLite pragmas on one connection, in order (name, value,
// name, value…); restore puts back the values they had, in reverse order.
func setPragmas(ctx context.Context, conn *sql.Conn, set []string) (restore func(), err error) {
	type was struct {
		name string
		v    int64
	}
	var old []was
	restore = func() {
		for i := len(old) - 1; i >= 0; i-- {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA %s = %d", old[i].name, old[i].v))
		}
	}
	for i := 0; i+1 < len(set); i += 2 {
		name, v := set[i], set[i+1]
		var prev int64
		if err := conn.QueryRowContext(ctx, "PRAGMA "+name).Scan(&prev); err != nil {
			restore()
			return nil, err
		}
		if _, err := conn.ExecContext(ctx, "PRAGMA "+name+" = "+v); err != nil {
			restore()
			return nil, err
		}
		old = append(old, was{name, prev})
	}
	return restore, nil
}

// lockMain takes the database's write lock for the import transaction on
// SQLite, before its first read of the database; it does nothing on
// PostgreSQL or when already held.
//
// Staging writes only temporary tables, so the transaction does not touch
// the database while the file is parsed, and other connections write as
// usual (an upload published as its rows arrive takes the lock at its
// first batch instead, see direct.go). Its first access after that is
// taken as a write: SQLite then waits (busy timeout) for another writer to
// finish. A transaction that read first and then wrote would instead be
// refused at once ("database is locked") when another connection wrote
// meanwhile or held the lock at that moment, as a job queue's poll does.
func (w *ImportTx) lockMain(ctx context.Context) error {
	if w.s.dialect != SQLite || w.writing {
		return nil
	}
	if err := w.tx.WithContext(ctx).Exec("UPDATE uploads SET status = status WHERE id = ?", w.uploadID).Error; err != nil {
		return err
	}
	w.writing = true
	return nil
}

// ready makes the transaction's connection ready for statements: a COPY
// left open is ended and the codes it copied checked (PostgreSQL), the
// write lock taken (SQLite).
func (w *ImportTx) ready(ctx context.Context) error {
	if err := w.endCopy(); err != nil {
		return err
	}
	if err := w.checkCodes(ctx); err != nil {
		return err
	}
	return w.lockMain(ctx)
}

// dropTemp removes the temporary tables of the import (PostgreSQL drops
// them at commit; a SQLite connection keeps them until dropped).
func (w *ImportTx) dropTemp(ctx context.Context) {
	if w.s.dialect != SQLite {
		return
	}
	for t := range w.temp {
		_, _ = w.conn.ExecContext(ctx, "DROP TABLE IF EXISTS temp."+stgName(t))
	}
	for t := range w.oldMade {
		_, _ = w.conn.ExecContext(ctx, "DROP TABLE IF EXISTS temp."+oldName(t))
	}
}

// ensureTemp creates the temporary table of set's table on first use.
func (w *ImportTx) ensureTemp(ctx context.Context, set stageSet) error {
	if w.temp[set.table] {
		return nil
	}
	cols := "id, " + strings.Join(set.cols, ", ")
	name := stgName(set.table)
	var q string
	if w.s.dialect == Postgres {
		q = fmt.Sprintf("CREATE TEMP TABLE %s ON COMMIT DROP AS SELECT %s FROM %s WHERE 1 = 0", name, cols, set.table)
	} else {
		if err := w.tx.WithContext(ctx).Exec("DROP TABLE IF EXISTS temp." + name).Error; err != nil {
			return err
		}
		// Columns without types, so that creating the table does not read
		// the database (see lockMain): values keep the type they are bound
		// with, and take their column's when copied into the table.
		q = fmt.Sprintf("CREATE TEMP TABLE %s (%s)", name, cols)
	}
	if err := w.tx.WithContext(ctx).Exec(q).Error; err != nil {
		return err
	}
	w.temp[set.table] = true
	return nil
}

// src is where the staged rows of table are read from: its temporary
// table until they are landed, then table itself.
func (w *ImportTx) src(table string) string {
	if w.temp[table] && !w.landed[table] {
		return stgName(table)
	}
	return table
}

// land copies the staged rows of table into it, in file order: published
// at data version v when active is set, else inactive.
func (w *ImportTx) land(ctx context.Context, table string, active bool, v int64) error {
	if !w.temp[table] || w.landed[table] {
		return nil
	}
	cols := stagedCols[table]
	sel := make([]string, len(cols))
	for i, c := range cols {
		sel[i] = c
		if c == "active" {
			sel[i] = "?"
		}
	}
	var pub any
	if active {
		pub = v
	}
	// A fresh temporary table is read in the order it was written: the
	// rows keep their file order without a sort. On PostgreSQL only rows
	// naming a known country (and drug) are copied, and a shortfall is
	// then explained (checkReferences): the tables have no row-by-row
	// foreign keys there (migration 0019).
	where := ""
	if w.s.dialect == Postgres {
		where = " s WHERE " + strings.Join(referenceConds(table, "EXISTS"), " AND ")
	}
	q := fmt.Sprintf("INSERT INTO %s (%s, published_in) SELECT %s, ? FROM %s%s",
		table, strings.Join(cols, ", "), strings.Join(sel, ", "), stgName(table), where)
	res := w.tx.WithContext(ctx).Exec(q, active, pub)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != w.counts[table] {
		if err := w.checkReferences(ctx, table); err != nil {
			return err
		}
		return fmt.Errorf("store: %d of %d staged %s rows were copied", res.RowsAffected, w.counts[table], table)
	}
	w.landed[table] = true
	return nil
}

// referenceConds are the conditions that a staged row (alias s) names a
// known country and, for drug tables, a known drug: "EXISTS" or "NOT
// EXISTS".
func referenceConds(table, exists string) []string {
	conds := []string{exists + " (SELECT 1 FROM countries c WHERE c.iso3 = s.iso3)"}
	if table == "consumption" || table == "estimates" {
		conds = append(conds, exists+" (SELECT 1 FROM drugs d WHERE d.code = s.drug)")
	}
	return conds
}

// checkReferences makes sure, in one query, that every staged row names a
// known country (and drug): on PostgreSQL the observation tables have no
// row-by-row foreign keys (migration 0019). The importers resolve every
// name against the same tables, so a miss means the reference data
// changed under the import.
func (w *ImportTx) checkReferences(ctx context.Context, table string) error {
	if w.s.dialect != Postgres {
		return nil // SQLite keeps its foreign keys
	}
	conds := referenceConds(table, "NOT EXISTS")
	var sheet, iso3 string
	var row int
	err := w.tx.WithContext(ctx).Raw(fmt.Sprintf("SELECT s.sheet, s.row_num, s.iso3 FROM %s s WHERE %s LIMIT 1",
		stgName(table), strings.Join(conds, " OR "))).Row().Scan(&sheet, &row, &iso3)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return unknownCodeAt(sheet, row, iso3)
}

// unknownCodeAt is the error for a row (of sheet, or of a text file when
// sheet is "") that names a country (iso3) or drug no longer known.
func unknownCodeAt(sheet string, row int, iso3 string) error {
	where := fmt.Sprintf("line %d", row)
	if sheet != "" {
		where = fmt.Sprintf("row %d of sheet %q", row, sheet)
	}
	return access.Errorf(access.Conflict, "store.Stage", "%s names a country or drug (%s) that is no longer known; import the file again", where, iso3)
}

// landAll lands every staged table.
func (w *ImportTx) landAll(ctx context.Context, active bool, v int64) error {
	if err := w.ready(ctx); err != nil {
		return translate(err, "store.Finish")
	}
	for t := range w.temp {
		if err := w.land(ctx, t, active, v); err != nil {
			return translate(err, "store.Finish")
		}
	}
	return nil
}

func (w *ImportTx) closeStatements() {
	for k, st := range w.stmts {
		st.Close()
		delete(w.stmts, k)
	}
	if len(w.raw) > 0 {
		_ = w.conn.Raw(func(any) error {
			for k, r := range w.raw {
				r.close()
				delete(w.raw, k)
			}
			return nil
		})
	}
}

// Stage stores a batch of records, inactive, with this upload as lineage.
func (w *ImportTx) Stage(ctx context.Context, b access.Batch) error {
	// The store's own guard: NaN and ±Inf never reach a column, whatever
	// the caller (PostgreSQL would store them and sums would turn to Inf).
	if err := access.CheckBatch(b); err != nil {
		return err
	}
	for _, set := range w.arena.stageSets(b, w.uploadID) {
		if w.direct && directTables[set.table] {
			err := w.stageDirect(ctx, set)
			if err == nil {
				continue
			}
			if !errors.Is(err, errNotDirect) {
				return translate(err, "store.Stage")
			}
		}
		if err := w.endCopy(); err != nil {
			return translate(err, "store.Stage")
		}
		if err := w.ensureTemp(ctx, set); err != nil {
			return translate(err, "store.Stage")
		}
		if w.counts[set.table] == 0 {
			w.firstSeq[set.table] = w.seq + 1
		}
		for _, r := range set.rows {
			w.seq++
			r[0] = w.seq
		}
		w.counts[set.table] += int64(len(set.rows))
		set.cols = append([]string{"id"}, set.cols...)
		set.table = stgName(set.table)
		var err error
		if w.s.dialect == Postgres {
			err = w.copyRows(ctx, set)
		} else {
			err = w.insertRows(ctx, set, 0)
		}
		if err != nil {
			return translate(err, "store.Stage")
		}
	}
	// Survey tables are small: gorm's batched inserts do.
	if len(b.Availability) > 0 || len(b.CCS) > 0 {
		if err := w.ready(ctx); err != nil {
			return translate(err, "store.Stage")
		}
	}
	return w.stageAvailability(w.tx.WithContext(ctx), b)
}

// copyRows stages rows with a COPY of their own, on the connection the
// transaction runs on.
func (w *ImportTx) copyRows(ctx context.Context, set stageSet) error {
	if err := w.streamRows(ctx, set.table, set.cols, set.rows); err != nil {
		return err
	}
	return w.endCopy()
}

// pgxConn is the pgx connection below a database/sql driver connection.
func pgxConn(dc any) (*pgx.Conn, error) {
	c, ok := dc.(*stdlib.Conn)
	if !ok {
		return nil, fmt.Errorf("store: COPY needs a pgx connection, have %T", dc)
	}
	return c.Conn(), nil
}

// insertRows stages rows on SQLite: with one INSERT per table prepared
// once on the connection and run for every row (rawInsert), else, if the
// connection cannot be reached below database/sql, with multi-row INSERTs
// of insertChunk rows (and single rows for a batch's tail). The SQLite
// driver parses a statement's text again on every execution, so one row
// per execution through it would spend more time parsing SQL than storing
// rows.
//
// published, when not 0, is written as every row's published_in: a
// constant of the statement, not a value bound for every row.
func (w *ImportTx) insertRows(ctx context.Context, set stageSet, published int64) error {
	cols := strings.Join(set.cols, ", ")
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(set.cols)), ", ") + ")"
	if published != 0 {
		cols += ", published_in"
		one = strings.TrimSuffix(one, ")") + fmt.Sprintf(", %d)", published)
	}
	if !w.noRaw {
		err := w.conn.Raw(func(dc any) error {
			tls, db, ok := sqliteHandle(dc)
			if !ok {
				w.noRaw = true
				return nil
			}
			return w.insertRaw(tls, db, set, cols, one)
		})
		if err != nil || !w.noRaw {
			return err
		}
	}
	stmt := func(n int) (*sql.Stmt, error) {
		q := insertSQL(set.table, cols, one, n)
		if st := w.stmts[q]; st != nil {
			return st, nil
		}
		st, err := w.tx.Statement.ConnPool.PrepareContext(ctx, q)
		if err != nil {
			return nil, err
		}
		w.stmts[q] = st
		return st, nil
	}
	args := make([]any, 0, insertChunk*len(set.cols))
	for rows := set.rows; len(rows) > 0; {
		n := insertChunk
		if len(rows) < n {
			n = 1 // a batch's tail, row by row
		}
		st, err := stmt(n)
		if err != nil {
			return err
		}
		args = args[:0]
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// insertSQL is an INSERT into table's columns cols of n rows, each row's
// values as in one. The statements an import prepares are kept by their
// text (ImportTx.raw, ImportTx.stmts).
func insertSQL(table, cols, one string, n int) string {
	return fmt.Sprintf("INSERT INTO %s (%s) VALUES %s", table, cols, strings.TrimSuffix(strings.Repeat(one+", ", n), ", "))
}

// rawChunk is how many rows one execution of a prepared SQLite INSERT
// stores (rawInsert): each execution of a statement has a cost of its own
// (a statement journal, cursors opened and closed), a third of the work of
// a one-row INSERT into an indexed table.
const rawChunk = 16

// insertRaw inserts set's rows into the columns cols, each row's values
// as in one, with statements prepared once on the connection (rawInsert):
// rawChunk rows per execution, then the rest one by one. A row refused is
// named (rowRefused): its chunk is tried again row by row.
func (w *ImportTx) insertRaw(tls *libc.TLS, db uintptr, set stageSet, cols, one string) error {
	prepared := func(n int) (*rawInsert, error) {
		q := insertSQL(set.table, cols, one, n)
		if ins := w.raw[q]; ins != nil {
			return ins, nil
		}
		ins, err := prepareRawInsert(tls, db, q)
		if err == nil {
			w.raw[q] = ins
		}
		return ins, err
	}
	single, err := prepared(1)
	if err != nil {
		return err
	}
	many, err := prepared(rawChunk)
	if err != nil {
		return err
	}
	byRow := func(rows [][]any) error {
		for _, r := range rows {
			if err := single.exec(r); err != nil {
				return &rowRefused{r, err}
			}
		}
		return nil
	}
	rows := set.rows
	for ; len(rows) >= rawChunk; rows = rows[rawChunk:] {
		if err := many.exec(rows[:rawChunk]...); err != nil {
			// Nothing of the chunk was stored: row by row, to name the row
			// refused.
			if err := byRow(rows[:rawChunk]); err != nil {
				return err
			}
		}
	}
	return byRow(rows)
}

// insertChunk is how many rows one SQLite INSERT stages. The driver binds
// each parameter by searching the arguments for it (time quadratic in the
// parameters of a statement), so few rows per statement are best: parsing
// is paid once per 8 rows, binding stays ~8 × 17² steps a statement.
const insertChunk = 8

// PublishedPopulation is the published population of the countries iso3s
// by country and year, read in one query inside the import transaction
// (SQLite has one connection).
func (w *ImportTx) PublishedPopulation(ctx context.Context, iso3s []string) (map[string]map[int]float64, error) {
	out := map[string]map[int]float64{}
	if len(iso3s) == 0 {
		return out, nil
	}
	if err := w.ready(ctx); err != nil {
		return nil, translate(err, "store.PublishedPopulation")
	}
	rows, err := w.tx.WithContext(ctx).Raw("SELECT iso3, year, persons FROM population WHERE active AND iso3 IN ?", iso3s).Rows()
	if err != nil {
		return nil, translate(err, "store.PublishedPopulation")
	}
	defer rows.Close()
	for rows.Next() {
		var iso3 string
		var year int
		var persons float64
		if err := rows.Scan(&iso3, &year, &persons); err != nil {
			return nil, translate(err, "store.PublishedPopulation")
		}
		if out[iso3] == nil {
			out[iso3] = map[int]float64{}
		}
		out[iso3][year] = persons
	}
	return out, translate(rows.Err(), "store.PublishedPopulation")
}
