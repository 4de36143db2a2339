package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/reliefgap/reliefgap/internal/access"
)

// Publishing as rows arrive
//
// An upload that is to be published as soon as it is valid (an
// administrator's import with publish set) does not wait in a temporary
// table: each batch goes straight into its table, already published,
// while the parser reads the next one, so that the work of the table's
// indexes overlaps reading the file instead of following it. An invalid
// upload is rolled back with everything else.
//
// Its rows are published at a data version reserved when the first batch
// arrives. Publications of one table are serialised (publicationLock, held
// to commit; on SQLite the database's one write lock, taken at the first
// batch), so the published rows a batch replaces can be withdrawn before
// it is stored; they are kept in a temporary table for the diff. Data
// versions are made in commit order (dataVersionLock): if another change
// took a later version while the upload was read, its rows are stamped
// with a new one at publication.
//
// PostgreSQL copies the rows in (one COPY left open across batches, see
// copybin.go); SQLite inserts them with one statement prepared once
// (rawInsert), and its foreign keys check their countries and drugs.

// directTables are the tables an upload is published into as it arrives:
// those whose rows are complete when staged (population and deaths take
// their series afterwards, SetSeries) and large enough to matter.
var directTables = map[string]bool{"consumption": true, "estimates": true}

// Advisory locks (PostgreSQL, two-key form, held until commit): one for
// making data versions, one per observation table for publishing into it.
const lockSpace = 727000

var publicationLockID = map[string]int{"consumption": 1, "estimates": 2, "population": 3, "deaths": 4, "country_metadata": 5,
	"availability_surveys": 6, "ccs_answers": 7}

const dataVersionLockID = 0

func lockPG(tx *gorm.DB, d Dialect, id int) error {
	if d != Postgres {
		return nil // SQLite has one writer at a time
	}
	return tx.Exec("SELECT pg_advisory_xact_lock(?, ?)", lockSpace, id).Error
}

// publicationLock serialises publications into table until commit.
func publicationLock(tx *gorm.DB, d Dialect, table string) error {
	id, ok := publicationLockID[table]
	if !ok {
		id = 99 // any other table
	}
	return lockPG(tx, d, id)
}

// refCode is a country ('c') or drug ('d') code an import has checked.
type refCode struct {
	kind byte
	code string
}

// tableCountry is a country's rows in an observation table.
type tableCountry struct{ table, iso3 string }

func oldName(table string) string { return "stg_old_" + table }

// errNotDirect tells Stage to stage the batch as usual: the table's
// publication lock is held by another transaction.
var errNotDirect = errors.New("store: staging instead")

// PublishWhenValid lets the import publish consumption and estimates rows
// as they arrive.
func (w *ImportTx) PublishWhenValid(ctx context.Context, u access.Upload) error {
	w.direct = true
	return nil
}

// stageDirect stores one batch of a direct table, published at the
// reserved data version, after withdrawing the published rows it replaces.
func (w *ImportTx) stageDirect(ctx context.Context, set stageSet) error {
	t := set.table
	if !w.directIn[t] {
		if err := w.beginDirect(ctx, t); err != nil {
			return err
		}
	}
	if w.s.dialect == Postgres {
		w.noteCodes(set.rows)
	}
	if err := w.withdrawReplaced(ctx, t, set.rows); err != nil {
		return err
	}
	// Each row without the staging order, active, published at the
	// reserved version.
	rows := make([][]any, len(set.rows))
	for i, r := range set.rows {
		r[len(r)-1] = true // active
		rows[i] = r[1:]
	}
	var err error
	if w.s.dialect == SQLite {
		err = w.insertDirect(ctx, set.table, set.cols, rows)
	} else {
		err = w.streamRows(ctx, t, append(set.cols[:len(set.cols):len(set.cols)], "published_in"), rows, w.dv)
	}
	if err != nil {
		return err
	}
	w.counts[t] += int64(len(rows))
	return nil
}

// beginDirect starts publishing into table as rows arrive: it takes the
// table's publication lock (PostgreSQL) or the database's write lock
// (SQLite), reserves the data version and notes which countries have
// published rows there.
func (w *ImportTx) beginDirect(ctx context.Context, table string) error {
	tx := w.tx.WithContext(ctx)
	if err := w.endCopy(); err != nil {
		return err
	}
	if w.s.dialect == Postgres {
		// Another publication into the table is under way (a second serve
		// process importing, say): this upload does not wait for it but
		// stages as usual and publishes at its end.
		var got bool
		if err := tx.Raw("SELECT pg_try_advisory_xact_lock(?, ?)", lockSpace, publicationLockID[table]).Row().Scan(&got); err != nil {
			return err
		}
		if !got {
			w.direct = false
			return errNotDirect
		}
	} else if err := w.lockMain(ctx); err != nil {
		return err
	}
	if w.dv == 0 {
		v, err := w.s.nextDataVersion(tx)
		if err != nil {
			return err
		}
		w.dv = v
	}
	if err := w.loadPublished(ctx, table); err != nil {
		return err
	}
	w.directIn[table] = true
	return nil
}

// nextDataVersion takes a data version for a change without recording it:
// from the sequence on PostgreSQL; on SQLite the one after the last made,
// which no other connection can take while the caller holds the write
// lock.
func (s *Store) nextDataVersion(tx *gorm.DB) (int64, error) {
	q := "SELECT nextval(pg_get_serial_sequence('data_versions', 'version'))"
	if s.dialect == SQLite {
		// AUTOINCREMENT: seq is the largest version ever made.
		q = "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'data_versions'), 0) + 1"
	}
	var v int64
	err := tx.Raw(q).Row().Scan(&v)
	return v, err
}

// insertDirect inserts rows into table's columns cols on SQLite,
// published at the reserved data version. A country or drug no longer
// known fails its row's foreign key, and is reported at that row.
func (w *ImportTx) insertDirect(ctx context.Context, table string, cols []string, rows [][]any) error {
	err := w.insertRows(ctx, stageSet{table: table, cols: cols, rows: rows}, w.dv)
	var refused *rowRefused
	var raw *rawError
	if errors.As(err, &refused) && errors.As(err, &raw) && raw.ext == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY {
		r := refused.row
		return unknownCodeAt(r[colIndex(cols, "sheet")].(string), int(toInt64(r[colIndex(cols, "row_num")])), r[0].(string))
	}
	return err
}

// firstDirectID is the id of the upload's first row stored in table.
func (w *ImportTx) firstDirectID(ctx context.Context, table string) (int64, error) {
	var id sql.NullInt64
	err := w.tx.WithContext(ctx).Raw(fmt.Sprintf("SELECT MIN(id) FROM %s WHERE upload_id = ?", table), w.uploadID).Row().Scan(&id)
	return id.Int64, err
}

// noteCodes notes the countries and drugs rows name that are not yet
// checked; checkCodes checks them.
func (w *ImportTx) noteCodes(rows [][]any) {
	for _, r := range rows {
		if c := (refCode{'c', r[1].(string)}); !w.known[c] {
			w.known[c] = true
			w.unchecked = append(w.unchecked, c)
		}
		if d := (refCode{'d', r[3].(string)}); !w.known[d] {
			w.known[d] = true
			w.unchecked = append(w.unchecked, d)
		}
	}
}

// checkCodes makes sure every country and drug noted is known: the
// observation tables have no row-by-row foreign keys on PostgreSQL
// (migration 0019), and the importers resolve names against the same
// tables, so a miss means the reference data changed under the import. It
// runs whenever the transaction's connection is free of a COPY (ready), so
// before the import commits.
func (w *ImportTx) checkCodes(ctx context.Context) error {
	if len(w.unchecked) == 0 {
		return nil
	}
	var iso3s, drugs []string
	for _, c := range w.unchecked {
		if c.kind == 'c' {
			iso3s = append(iso3s, c.code)
		} else {
			drugs = append(drugs, c.code)
		}
	}
	w.unchecked = nil
	for _, q := range []struct {
		codes      []string
		table, col string
	}{{iso3s, "countries", "iso3"}, {drugs, "drugs", "code"}} {
		if len(q.codes) == 0 {
			continue
		}
		var n int
		if err := w.sqlTx.QueryRowContext(ctx, fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE %s = ANY($1)", q.table, q.col), q.codes).Scan(&n); err != nil {
			return err
		}
		if n != len(q.codes) {
			return w.unknownCode(ctx, q.codes)
		}
	}
	return nil
}

// unknownCode explains a country or drug among codes that is no longer
// known by the first row copied in that names one.
func (w *ImportTx) unknownCode(ctx context.Context, codes []string) error {
	for t := range w.directIn {
		var sheet, iso3 string
		var row int
		err := w.sqlTx.QueryRowContext(ctx, fmt.Sprintf("SELECT s.sheet, s.row_num, s.iso3 FROM %s s WHERE s.upload_id = $1 AND (%s) ORDER BY s.id LIMIT 1",
			t, strings.Join(referenceConds(t, "NOT EXISTS"), " OR ")), w.uploadID).Scan(&sheet, &row, &iso3)
		if err == nil {
			return unknownCodeAt(sheet, row, iso3)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	return access.Errorf(access.Conflict, "store.Stage", "the file names a country or drug (%s) that is no longer known; import the file again", strings.Join(codes, ", "))
}

// loadPublished notes which countries have published rows in table: what
// other uploads published cannot change while this import holds the
// table's publication lock (only fewer rows, withdrawn meanwhile, which
// costs an UPDATE of nothing). One probe of the table's key index per
// country.
func (w *ImportTx) loadPublished(ctx context.Context, table string) error {
	rows, err := w.sqlTx.QueryContext(ctx, fmt.Sprintf(`WITH RECURSIVE c(iso3) AS (
  SELECT MIN(iso3) FROM %[1]s WHERE active
  UNION ALL
  SELECT (SELECT MIN(iso3) FROM %[1]s WHERE active AND iso3 > c.iso3) FROM c WHERE c.iso3 IS NOT NULL)
SELECT iso3 FROM c WHERE iso3 IS NOT NULL`, table))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var iso3 string
		if err := rows.Scan(&iso3); err != nil {
			return err
		}
		w.published[tableCountry{table, iso3}] = true
	}
	return rows.Err()
}

// withdrawReplaced withdraws the published rows of other uploads that
// rows replace (same key), keeping them in the table's temporary old
// table for the diff. Rows of a country with no published rows
// (loadPublished; the usual first import) cost nothing more.
func (w *ImportTx) withdrawReplaced(ctx context.Context, table string, rows [][]any) error {
	var hit [][]any
	for _, r := range rows {
		if w.published[tableCountry{table, r[1].(string)}] {
			hit = append(hit, r)
		}
	}
	if len(hit) == 0 {
		return nil
	}
	if err := w.endCopy(); err != nil {
		return err
	}
	if err := w.makeOld(ctx, table); err != nil {
		return err
	}
	t := obsTableByName(table)
	if w.s.dialect == SQLite {
		return w.withdrawReplacedSQLite(ctx, t, hit)
	}
	// The key columns of the batch, as arrays: one UPDATE for the batch.
	keys := make([]any, len(t.keys))
	types := make([]string, len(t.keys))
	for k, col := range t.keys {
		i := colIndex(stagedCols[table], col) + 1 // rows lead with the staging order
		if intColumns[col] {
			a := make([]int64, len(hit))
			for j, r := range hit {
				a[j] = toInt64(r[i])
			}
			keys[k], types[k] = a, "bigint[]"
		} else {
			a := make([]string, len(hit))
			for j, r := range hit {
				a[j] = r[i].(string)
			}
			keys[k], types[k] = a, "text[]"
		}
	}
	unnest := make([]string, len(keys))
	for k := range keys {
		unnest[k] = fmt.Sprintf("CAST($%d AS %s)", k+1, types[k])
	}
	// Each key is looked up in the index of published keys (at most one
	// row each: LIMIT 1 keeps the planner from turning the lookups into a
	// join), and its row updated where it lies (ctid). As a plain join,
	// with the table's statistics out of date after a large import, the
	// planner read and sorted the whole table for every batch: 290 ms
	// against 52 ms for a batch of 2,000 rows of 100,000 published.
	n := len(keys)
	q := fmt.Sprintf(`WITH k AS (SELECT * FROM unnest(%[1]s) AS k(%[2]s)),
m AS (SELECT x.ctid AS row FROM k CROSS JOIN LATERAL (SELECT a.ctid FROM %[3]s a WHERE a.active AND a.upload_id <> $%[5]d AND %[6]s LIMIT 1) x),
d AS (UPDATE %[3]s a SET active = FALSE, withdrawn_in = $%[4]d FROM m WHERE a.ctid = m.row RETURNING a.*)
INSERT INTO %[7]s SELECT * FROM d`, strings.Join(unnest, ", "), strings.Join(t.keys, ", "), table, n+1, n+2, keyMatch(t.keys, "a", "k"), oldName(table))
	res, err := w.sqlTx.ExecContext(ctx, q, append(keys, w.dv, w.uploadID)...)
	if err != nil {
		return err
	}
	k, err := res.RowsAffected()
	w.replaced[table] += k
	return err
}

// makeOld makes the temporary table of the published rows of table that
// the import replaces, at the first rows replaced: most uploads replace
// none.
func (w *ImportTx) makeOld(ctx context.Context, table string) error {
	if w.oldMade[table] {
		return nil
	}
	tx := w.tx.WithContext(ctx)
	q := fmt.Sprintf("CREATE TEMP TABLE %s ON COMMIT DROP AS SELECT * FROM %s WHERE 1 = 0", oldName(table), table)
	if w.s.dialect == SQLite {
		if err := tx.Exec("DROP TABLE IF EXISTS temp." + oldName(table)).Error; err != nil {
			return err
		}
		q = fmt.Sprintf("CREATE TEMP TABLE %s AS SELECT * FROM %s WHERE 0", oldName(table), table)
	}
	if err := tx.Exec(q).Error; err != nil {
		return err
	}
	if w.s.dialect == SQLite {
		// The diff looks the upload's rows up in it by key: SQLite, with no
		// statistics, would otherwise read it whole for every row.
		t := obsTableByName(table)
		if err := tx.Exec(fmt.Sprintf("CREATE INDEX temp.%[1]s_key ON %[1]s (%s)", oldName(table), strings.Join(t.keys, ", "))).Error; err != nil {
			return err
		}
	}
	w.oldMade[table] = true
	return nil
}

// withdrawReplacedSQLite withdraws on SQLite the published rows of other
// uploads that the rows hit replace: the batch's keys go as one JSON
// array, each found through the table's key index; the withdrawn rows are
// then kept in the old table.
func (w *ImportTx) withdrawReplacedSQLite(ctx context.Context, t obsTable, hit [][]any) error {
	keys := make([][]any, len(hit))
	for j, r := range hit {
		k := make([]any, len(t.keys))
		for i, col := range t.keys {
			k[i] = r[colIndex(stagedCols[t.name], col)+1] // rows lead with the staging order
		}
		keys[j] = k
	}
	js, err := json.Marshal(keys)
	if err != nil {
		return err
	}
	sel := make([]string, len(t.keys))
	for i, col := range t.keys {
		sel[i] = fmt.Sprintf("json_extract(value, '$[%d]') AS %s", i, col)
	}
	q := fmt.Sprintf(`UPDATE %[1]s SET active = FALSE, withdrawn_in = ? WHERE id IN (
  SELECT a.id FROM (SELECT %[2]s FROM json_each(?)) k JOIN %[1]s a ON a.active AND %[3]s WHERE a.upload_id <> ?) RETURNING id`,
		t.name, strings.Join(sel, ", "), keyMatch(t.keys, "a", "k"))
	var ids []int64
	if err := w.tx.WithContext(ctx).Raw(q, w.dv, string(js), w.uploadID).Scan(&ids).Error; err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	idJSON, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	if _, err := w.sqlTx.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s SELECT * FROM %s WHERE id IN (SELECT value FROM json_each(?))", oldName(t.name), t.name), string(idJSON)); err != nil {
		return err
	}
	w.replaced[t.name] += int64(len(ids))
	return nil
}

func obsTableByName(name string) obsTable {
	for _, t := range obsTables {
		if t.name == name {
			return t
		}
	}
	return obsTable{name: name}
}

func colIndex(cols []string, c string) int {
	for i, x := range cols {
		if x == c {
			return i
		}
	}
	panic("store: no column " + c)
}

func toInt64(v any) int64 {
	switch v := v.(type) {
	case int:
		return int64(v)
	case int64:
		return v
	case int32:
		return int64(v)
	}
	panic(fmt.Sprintf("store: %T is not an integer", v))
}

// directVersion is the data version an upload published as it arrived is
// published at: the one reserved for its rows, unless a change committed
// meanwhile took a later one; then its rows, and the rows it withdrew, are
// stamped with a new version, so that versions follow commit order.
func (w *ImportTx) directVersion(tx *gorm.DB, table string, u access.Upload) (int64, error) {
	if err := lockPG(tx, w.s.dialect, dataVersionLockID); err != nil {
		return 0, err
	}
	var latest int64
	if err := tx.Raw("SELECT COALESCE(MAX(version), 0) FROM data_versions").Row().Scan(&latest); err != nil {
		return 0, err
	}
	v := w.dv
	if v <= latest {
		var err error
		if v, err = w.s.nextDataVersion(tx); err != nil {
			return 0, err
		}
		if err := tx.Exec(fmt.Sprintf("UPDATE %s SET published_in = ? WHERE upload_id = ? AND published_in = ?", table), v, u.ID, w.dv).Error; err != nil {
			return 0, err
		}
		if w.oldMade[table] {
			if err := tx.Exec(fmt.Sprintf("UPDATE %s SET withdrawn_in = ? WHERE %s IN (SELECT %s FROM %s o)", table, w.s.rowKey(""), w.s.rowKey("o"), oldName(table)), v).Error; err != nil {
				return 0, err
			}
		}
		w.dv = v
	}
	q := "INSERT INTO data_versions (version, reason, upload_id) OVERRIDING SYSTEM VALUE VALUES (?, ?, ?)"
	if w.s.dialect == SQLite {
		q = "INSERT INTO data_versions (version, reason, upload_id) VALUES (?, ?, ?)"
	}
	err := tx.Exec(q, v, "publish "+string(u.Kind), u.ID).Error
	return v, err
}

// undoDirect takes back what was published as it arrived, for an upload
// that ends up not published after all: its rows become inactive
// (awaiting a decision) and the rows they replaced are published again.
func (w *ImportTx) undoDirect(ctx context.Context) error {
	tx := w.tx.WithContext(ctx)
	for t := range w.directIn {
		if err := tx.Exec(fmt.Sprintf("UPDATE %s SET active = FALSE, published_in = NULL WHERE upload_id = ?", t), w.uploadID).Error; err != nil {
			return err
		}
		if !w.oldMade[t] {
			continue // it withdrew nothing
		}
		if err := tx.Exec(fmt.Sprintf("UPDATE %s SET active = TRUE, withdrawn_in = NULL WHERE %s IN (SELECT %s FROM %s o)", t, w.s.rowKey(""), w.s.rowKey("o"), oldName(t))).Error; err != nil {
			return err
		}
	}
	w.directIn = map[string]bool{}
	return nil
}
