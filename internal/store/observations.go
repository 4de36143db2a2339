package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/reliefgap/reliefgap/internal/access"
)

type consumptionRow struct {
	ID            int64    `gorm:"column:id;primaryKey"`
	ISO3          string   `gorm:"column:iso3"`
	Year          int      `gorm:"column:year"`
	Drug          string   `gorm:"column:drug"`
	Grams         *float64 `gorm:"column:grams"`
	State         string   `gorm:"column:state"` // '' for rows written before migration 0006
	ManufacturedG *float64 `gorm:"column:manufactured_g"`
	UtilizedG     *float64 `gorm:"column:utilized_g"`
	StockG        *float64 `gorm:"column:stock_g"`
	SeizuresG     *float64 `gorm:"column:seizures_g"`
	StockOutDays  *float64 `gorm:"column:stock_out_days"`
	Conversion    string   `gorm:"column:conversion"`
	UploadID      int64    `gorm:"column:upload_id"`
	Sheet         string   `gorm:"column:sheet"`
	RowNum        int      `gorm:"column:row_num"`
	Active        bool     `gorm:"column:active"`
}

func (consumptionRow) TableName() string { return "consumption" }

type estimateRow struct {
	ID         int64    `gorm:"column:id;primaryKey"`
	ISO3       string   `gorm:"column:iso3"`
	Year       int      `gorm:"column:year"`
	Drug       string   `gorm:"column:drug"`
	Kind       string   `gorm:"column:kind"`
	Number     int      `gorm:"column:number"`
	Status     string   `gorm:"column:status"`
	ConsumedG  *float64 `gorm:"column:consumed_g"`
	UtilizedG  *float64 `gorm:"column:utilized_g"`
	StockG     *float64 `gorm:"column:stock_g"`
	SpecialG   *float64 `gorm:"column:special_g"`
	TotalG     *float64 `gorm:"column:total_g"`
	Conversion string   `gorm:"column:conversion"`
	UploadID   int64    `gorm:"column:upload_id"`
	Sheet      string   `gorm:"column:sheet"`
	RowNum     int      `gorm:"column:row_num"`
	Active     bool     `gorm:"column:active"`
}

func (estimateRow) TableName() string { return "estimates" }

type populationRow struct {
	ID       int64   `gorm:"column:id;primaryKey"`
	ISO3     string  `gorm:"column:iso3"`
	Year     int     `gorm:"column:year"`
	Persons  float64 `gorm:"column:persons"`
	Source   string  `gorm:"column:source"`
	UploadID int64   `gorm:"column:upload_id"`
	Sheet    string  `gorm:"column:sheet"`
	RowNum   int     `gorm:"column:row_num"`
	Active   bool    `gorm:"column:active"`
}

func (populationRow) TableName() string { return "population" }

type deathsRow struct {
	ID       int64   `gorm:"column:id;primaryKey"`
	ISO3     string  `gorm:"column:iso3"`
	Year     int     `gorm:"column:year"`
	Cause    string  `gorm:"column:cause"`
	Deaths   float64 `gorm:"column:deaths"`
	Source   string  `gorm:"column:source"`
	UploadID int64   `gorm:"column:upload_id"`
	Sheet    string  `gorm:"column:sheet"`
	RowNum   int     `gorm:"column:row_num"`
	Active   bool    `gorm:"column:active"`
}

func (deathsRow) TableName() string { return "deaths" }

type metadataRow struct {
	ID          int64  `gorm:"column:id;primaryKey"`
	ISO3        string `gorm:"column:iso3"`
	WHORegion   string `gorm:"column:who_region"`
	IncomeGroup string `gorm:"column:income_group"`
	Vintage     string `gorm:"column:vintage"`
	DataYear    int    `gorm:"column:data_year"`
	Name        string `gorm:"column:name"`
	UploadID    int64  `gorm:"column:upload_id"`
	Sheet       string `gorm:"column:sheet"`
	RowNum      int    `gorm:"column:row_num"`
	Active      bool   `gorm:"column:active"`
}

func (metadataRow) TableName() string { return "country_metadata" }

// obsTable describes an observation table for the generic staging, diff and
// publication SQL: its key columns (one active row per key), its value
// columns (compared for the diff; the first is the headline value) and its
// group columns: an upload that replaces (Upload.Replace) speaks for every
// group it lists, so a published row of such a group that it leaves out is
// withdrawn. A consumption upload for Kenya 2020 speaks for every drug of
// Kenya 2020; an estimates upload for one kind and number only.
type obsTable struct {
	name   string
	keys   []string
	values []string
	groups []string
}

var obsTables = map[access.ImportKind]obsTable{
	access.KindConsumption: {"consumption", []string{"iso3", "year", "drug"}, []string{"grams", "state", "manufactured_g", "utilized_g", "stock_g", "seizures_g", "stock_out_days"}, []string{"iso3", "year"}},
	access.KindEstimates:   {"estimates", []string{"iso3", "year", "drug", "kind", "number"}, []string{"total_g", "status", "consumed_g", "utilized_g", "stock_g", "special_g"}, []string{"iso3", "year", "kind", "number"}},
	access.KindPopulation:  {"population", []string{"iso3", "year", "source"}, []string{"persons"}, []string{"iso3", "year", "source"}},
	access.KindDeaths:      {"deaths", []string{"iso3", "year", "cause", "source"}, []string{"deaths"}, []string{"iso3", "year", "source"}},
	access.KindCountries:   {"country_metadata", []string{"iso3", "data_year"}, []string{"who_region", "income_group", "vintage"}, []string{"iso3", "data_year"}},
}

// intColumns are the integer key columns, cast to text in keys for people.
var intColumns = map[string]bool{"year": true, "number": true}

// SetSeries names the series of this upload's staged population and deaths
// rows that name none.
func (w *ImportTx) SetSeries(ctx context.Context, source string) error {
	if err := w.ready(ctx); err != nil {
		return translate(err, "store.SetSeries")
	}
	tx := w.tx.WithContext(ctx)
	for _, t := range []string{"population", "deaths"} {
		if err := tx.Exec("UPDATE "+w.src(t)+" SET source = ? WHERE upload_id = ? AND source = ''", source, w.uploadID).Error; err != nil {
			return translate(err, "store.SetSeries")
		}
	}
	return nil
}

func (s *Store) distinct(a, b string) string {
	if s.dialect == SQLite {
		return a + " IS NOT " + b
	}
	return a + " IS DISTINCT FROM " + b
}

func keyMatch(cols []string, a, b string) string {
	parts := make([]string, len(cols))
	for i, k := range cols {
		parts[i] = fmt.Sprintf("%s.%s = %s.%s", a, k, b, k)
	}
	return strings.Join(parts, " AND ")
}

// Diff compares the staged rows of this upload with the published ones:
// added (no published row for the key), changed, unchanged, and removed
// (see removedWhere).
func (w *ImportTx) Diff(ctx context.Context, u access.Upload) (d access.Diff, unchanged int, err error) {
	if err := w.ready(ctx); err != nil {
		return d, 0, translate(err, "store.Diff")
	}
	// The temporary table is not analysed first: the planner sizes it from
	// its pages, and with statistics it hashed the staged rows instead of
	// the (often empty) published ones, a slower plan, after an ANALYZE
	// that itself cost as much as the diff (measured at 100,000 rows).
	src, below := "", int64(0)
	var dd *directDiff
	if t, ok := obsTables[u.Kind]; ok {
		src = w.src(t.name)
		// The table's staged rows are numbered first, first+1, … in file
		// order when no other table was staged in between.
		if first := w.firstSeq[t.name]; src != t.name && first > 0 && w.seq-first+1 == w.counts[t.name] {
			below = first + diffSample
		}
		if w.directIn[t.name] {
			dd = &directDiff{old: oldName(t.name), replaced: w.replaced[t.name], rows: w.counts[t.name]}
			if w.s.dialect == SQLite {
				first, err := w.firstDirectID(ctx, t.name)
				if err != nil {
					return d, 0, err
				}
				dd.firstID = first
			} else if dd.replaced > 0 {
				// Statistics of the replaced rows' keys let the planner
				// join them with the upload's rows by hashing: without,
				// it sorted both sides on disk (100,000 rows replaced:
				// 0.66 s against 0.09 s for this and 0.18 s for the join).
				if err := w.tx.WithContext(ctx).Exec(fmt.Sprintf("ANALYZE %s (%s)", dd.old, strings.Join(t.keys, ", "))).Error; err != nil {
					return d, 0, err
				}
			}
		}
	}
	return w.s.diff(w.tx.WithContext(ctx), u, src, below, dd)
}

// directDiff describes an upload published as it arrived (direct.go): its
// rows are in their table already, and the published rows they replaced
// are in old.
type directDiff struct {
	old      string
	replaced int64 // rows in old
	rows     int64 // rows of the upload
	firstID  int64 // SQLite: the id of its first row
}

// diffSample is how many changes a diff lists for people to read.
const diffSample = 50

// sampleWindow is how many ids from an upload's first the sample of an
// upload published as it arrived looks at first.
const sampleWindow = 1000

// diff compares the rows of upload u staged in src (its table, or the
// import's temporary table) with the published ones.
//
// below, when set, bounds the staged rows' ids from above for the sample
// of an all-new upload: the first rows are those below it.
//
// dd, when set, describes an upload published as it arrived: the rows
// it replaced are compared from dd.old instead of the published ones.
func (s *Store) diff(tx *gorm.DB, u access.Upload, src string, below int64, dd *directDiff) (d access.Diff, unchanged int, err error) {
	t, ok := obsTables[u.Kind]
	if !ok {
		return d, 0, access.Errorf(access.Invalid, "store.Diff", "unknown kind %q", u.Kind)
	}
	if src == "" {
		src = t.name
	}
	var diffs []string
	for _, v := range t.values {
		diffs = append(diffs, s.distinct("s."+v, "a."+v))
	}
	changed := "(" + strings.Join(diffs, " OR ") + ")"
	// The published rows the upload's rows are compared with.
	published := fmt.Sprintf("%s a ON a.active AND %s", t.name, keyMatch(t.keys, "a", "s"))
	if dd != nil {
		published = fmt.Sprintf("%s a ON %s", dd.old, keyMatch(t.keys, "a", "s"))
	}
	if dd != nil && dd.replaced == 0 {
		d.Added = int(dd.rows) // nothing was replaced: every row is new
	} else {
		q := fmt.Sprintf(`SELECT
  COALESCE(SUM(CASE WHEN a.id IS NULL THEN 1 ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN a.id IS NOT NULL AND %[1]s THEN 1 ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN a.id IS NOT NULL AND NOT %[1]s THEN 1 ELSE 0 END), 0)
FROM %[3]s s LEFT JOIN %[2]s
WHERE s.upload_id = ?`, changed, published, src)
		if err := tx.Raw(q, u.ID).Row().Scan(&d.Added, &d.Changed, &unchanged); err != nil {
			return d, 0, translate(err, "store.Diff")
		}
	}
	where, args := s.removedWhere(t, u, src, dd != nil)
	if err := tx.Raw("SELECT COUNT(*) FROM "+t.name+" a WHERE "+where, args...).Row().Scan(&d.Removed); err != nil {
		return d, 0, translate(err, "store.Diff")
	}
	// A sample of the changes, for people to read: removals first, since
	// they are what an uploader is least likely to expect.
	v := t.values[0]
	headline := func(alias string) string {
		if u.Kind == access.KindCountries || u.Kind == access.KindCCS || u.Kind == access.KindEstimates && v == "status" {
			return "NULL"
		}
		return alias + "." + v
	}
	removed := fmt.Sprintf(`SELECT %s, %s, NULL, 'removed' FROM %s a WHERE %s ORDER BY a.id LIMIT %d`,
		s.keyText(t, "a"), headline("a"), t.name, where, diffSample)
	if err := s.sampleChanges(tx, removed, args, v, &d); err != nil {
		return d, 0, err
	}
	sample := fmt.Sprintf(`SELECT %s, %s, %s, CASE WHEN a.id IS NULL THEN 'added' ELSE 'changed' END
FROM %s s LEFT JOIN %s
WHERE s.upload_id = ? AND (a.id IS NULL OR %s) ORDER BY s.id LIMIT %d`,
		s.keyText(t, "s"), headline("a"), headline("s"), src, published, changed, diffSample-len(d.Changes))
	if d.Changed == 0 && unchanged == 0 {
		// Every staged row is new: the first rows are the sample, without
		// joining them all with the published ones again.
		return d, unchanged, s.sampleAdded(tx, t, u, src, below, dd, headline("s"), &d)
	}
	if err := s.sampleChanges(tx, sample, []any{u.ID}, v, &d); err != nil {
		return d, 0, err
	}
	return d, unchanged, nil
}

// sampleAdded adds to d's sample the first rows of upload u, all new,
// staged in src (below and dd as for diff); value is the value column
// listed.
func (s *Store) sampleAdded(tx *gorm.DB, t obsTable, u access.Upload, src string, below int64, dd *directDiff, value string, d *access.Diff) error {
	bound := ""
	if below > 0 {
		bound = fmt.Sprintf(" AND s.id < %d", below) // a scan, without sorting every row
	}
	q := `SELECT %s, NULL, %s, 'added' FROM %s s WHERE s.upload_id = ?%s ORDER BY s.id LIMIT %d`
	want := diffSample - len(d.Changes)
	if dd != nil && s.dialect == Postgres {
		// The upload's first rows are the first entries of its table's
		// primary key, which leads with the upload (migration 0025).
		return s.sampleChanges(tx, fmt.Sprintf(q, s.keyText(t, "s"), value, src, "", want), []any{u.ID}, t.values[0], d)
	}
	if dd != nil && dd.firstID > 0 {
		// SQLite: the upload's first rows in the table, from its first id,
		// in a window that holds them unless other imports' rows came in
		// between (then the whole upload is searched). (upload_id + 0 keeps
		// the planner from reading the upload's every entry in the upload
		// index to intersect with the window.)
		before := len(d.Changes)
		window := fmt.Sprintf(strings.Replace(q, "s.upload_id = ?", "s.upload_id + 0 = ?", 1), s.keyText(t, "s"), value, src,
			fmt.Sprintf(" AND s.id >= %d AND s.id < %d", dd.firstID, dd.firstID+sampleWindow), want)
		if err := s.sampleChanges(tx, window, []any{u.ID}, t.values[0], d); err != nil {
			return err
		}
		if got := len(d.Changes) - before; got == want || int64(got) == dd.rows {
			return nil
		}
		d.Changes = d.Changes[:before]
		bound = fmt.Sprintf(" AND s.id >= %d", dd.firstID)
	}
	return s.sampleChanges(tx, fmt.Sprintf(q, s.keyText(t, "s"), value, src, bound, want), []any{u.ID}, t.values[0], d)
}

// keyText is a row's key as text, e.g. "KEN/2020/morphine".
func (s *Store) keyText(t obsTable, alias string) string {
	keys := make([]string, len(t.keys))
	for i, k := range t.keys {
		keys[i] = alias + "." + k
		if intColumns[k] && s.dialect == Postgres {
			keys[i] = "CAST(" + alias + "." + k + " AS TEXT)"
		}
	}
	return strings.Join(keys, " || '/' || ")
}

func (s *Store) sampleChanges(tx *gorm.DB, q string, args []any, field string, d *access.Diff) error {
	rows, err := tx.Raw(q, args...).Rows()
	if err != nil {
		return translate(err, "store.Diff")
	}
	defer rows.Close()
	for rows.Next() {
		var c access.DiffChange
		var oldV, newV sql.NullFloat64
		if err := rows.Scan(&c.Key, &oldV, &newV, &c.Op); err != nil {
			return translate(err, "store.Diff")
		}
		c.Field = field
		if oldV.Valid {
			c.Old = access.F(oldV.Float64)
		}
		if newV.Valid {
			c.New = access.F(newV.Float64)
		}
		d.Changes = append(d.Changes, c)
	}
	return translate(rows.Err(), "store.Diff")
}

// removedWhere selects (as alias a) the published rows an upload withdraws
// when it is published. Only an upload that replaces withdraws anything:
// the published rows of the groups it lists (country and year; for
// estimates also kind and number) whose key it leaves out. An upload for
// one country withdraws only rows of earlier uploads for that country (its
// earlier submissions); a multi-country table imported with replace, rows
// of any upload.
//
// src holds the upload's staged rows: its table, or the import's
// temporary table. srcPublished says its rows there are published already
// (an upload published as it arrived): they are then looked up through the
// table's index of published keys, as SQLite would otherwise go through
// every row of the upload for every published row.
func (s *Store) removedWhere(t obsTable, u access.Upload, src string, srcPublished bool) (string, []any) {
	if !u.Replace {
		return "1 = 0", nil
	}
	conds := []string{"a.active", "a.upload_id <> ?"}
	args := []any{u.ID}
	if u.Country != "" {
		conds = append(conds, "a.upload_id IN (SELECT id FROM uploads WHERE country = ?)")
		args = append(args, u.Country)
	}
	if s.dialect == SQLite && !srcPublished {
		// Each subquery read once into a temporary index: correlated, as
		// below, SQLite read the upload's rows for every published row.
		cols := func(alias string, names []string) string {
			out := make([]string, len(names))
			for i, n := range names {
				out[i] = alias + "." + n
			}
			return strings.Join(out, ", ")
		}
		conds = append(conds,
			fmt.Sprintf("(%s) IN (SELECT %s FROM %s g WHERE g.upload_id = ?)", cols("a", t.groups), cols("g", t.groups), src),
			fmt.Sprintf("(%s) NOT IN (SELECT %s FROM %s s WHERE s.upload_id = ?)", cols("a", t.keys), cols("s", t.keys), src))
		return strings.Join(conds, " AND "), append(args, u.ID, u.ID)
	}
	gOwn, sOwn := "", ""
	if srcPublished {
		gOwn, sOwn = " AND g.active", " AND s.active"
	}
	conds = append(conds,
		fmt.Sprintf("EXISTS (SELECT 1 FROM %s g WHERE g.upload_id = ?%s AND %s)", src, gOwn, keyMatch(t.groups, "g", "a")),
		fmt.Sprintf("NOT EXISTS (SELECT 1 FROM %s s WHERE s.upload_id = ?%s AND %s)", src, sOwn, keyMatch(t.keys, "s", "a")))
	args = append(args, u.ID, u.ID)
	return strings.Join(conds, " AND "), args
}

// Publish makes the upload's rows the published values: the rows they
// replace and the rows the upload withdraws are deactivated (kept, as
// history), and uploads left with no published row become superseded. The
// upload's own status is the caller's conditional write, in the same
// transaction.
func (w *ImportTx) Publish(ctx context.Context, u access.Upload) error {
	if err := w.ready(ctx); err != nil {
		return translate(err, "store.Publish")
	}
	t, ok := obsTables[u.Kind]
	if ok && w.directIn[t.name] {
		// Published as the rows arrived: only the version, the rows the
		// upload withdraws and the uploads it supersedes remain.
		tx := w.tx.WithContext(ctx)
		return w.s.publishWith(tx, u, t.name, func() (int64, error) { return w.directVersion(tx, t.name, u) }, nil, false)
	}
	if !ok || !w.temp[t.name] || w.landed[t.name] {
		return w.s.publish(w.tx.WithContext(ctx), u, t.name, nil)
	}
	// The staged rows are copied in already published.
	return w.s.publish(w.tx.WithContext(ctx), u, stgName(t.name), func(v int64) error {
		return w.land(ctx, t.name, true, v)
	})
}

// PublishUpload publishes a submitted upload in its own transaction. The
// status moves first, conditionally (submitted → published): a concurrent
// reject either finds it published (and gets Conflict) or has already won,
// and then this publication changes nothing.
func (s *Store) PublishUpload(ctx context.Context, u access.Upload, at time.Time) error {
	return translate(s.inTx(ctx, func(tx *gorm.DB) error {
		res := tx.Exec("UPDATE uploads SET status = ?, decided_at = ? WHERE id = ? AND status = ?",
			string(access.StatusPublished), at, u.ID, string(access.StatusSubmitted))
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return uploadConflict(tx, u.ID, access.StatusPublished)
		}
		t := obsTables[u.Kind]
		return s.publish(tx, u, t.name, nil)
	}), "store.PublishUpload")
}

// Finish stores the settled upload inside the import transaction, if it is
// still in status from.
//
// An upload that is not published at once has its staged rows copied in,
// inactive; a published one has them copied in by Publish.
func (w *ImportTx) Finish(ctx context.Context, u access.Upload, from access.UploadStatus) error {
	if err := w.ready(ctx); err != nil {
		return translate(err, "store.Finish")
	}
	if err := transitionUpload(w.tx.WithContext(ctx), u, from); err != nil {
		return err
	}
	if u.Status == access.StatusPublished {
		return nil
	}
	if len(w.directIn) > 0 {
		if err := w.undoDirect(ctx); err != nil {
			return err
		}
	}
	return w.landAll(ctx, false, 0)
}

// publish publishes upload u, whose rows are in src: its table (a
// submitted upload), or the import's temporary table, in which case land
// copies them in, published at the publication's data version, in place
// of activating them.
func (s *Store) publish(tx *gorm.DB, u access.Upload, src string, land func(v int64) error) error {
	return s.publishWith(tx, u, src, func() (int64, error) { return bumpDataVersion(tx, "publish "+string(u.Kind), u.ID) }, land, true)
}

// publishWith publishes upload u at the data version version returns,
// replacing the published rows its rows replace when replace is set (an
// upload published as it arrived has done so already).
func (s *Store) publishWith(tx *gorm.DB, u access.Upload, src string, version func() (int64, error), land func(v int64) error, replace bool) error {
	t, ok := obsTables[u.Kind]
	if !ok {
		return access.Errorf(access.Invalid, "store.Publish", "unknown kind %q", u.Kind)
	}
	// One publication into a table at a time, to commit.
	if err := publicationLock(tx, s.dialect, t.name); err != nil {
		return err
	}
	// The publication's data version stamps the rows it withdraws and the
	// rows it publishes, so earlier versions can still be answered.
	v, err := version()
	if err != nil {
		return err
	}
	if !replace {
		return s.finishPublication(tx, u, t, src, v)
	}
	// The published rows the upload's rows replace, found from the
	// upload's rows through the index of published keys: going through
	// every published row and looking for it among the upload's went
	// through every staged row for every published row on SQLite.
	replaceQ := fmt.Sprintf("UPDATE %[1]s SET active = FALSE, withdrawn_in = ? WHERE %[4]s IN (SELECT %[5]s FROM %[3]s s JOIN %[1]s a ON a.active AND %[2]s WHERE s.upload_id = ? AND a.upload_id <> ?)",
		t.name, keyMatch(t.keys, "a", "s"), src, s.rowKey(""), s.rowKey("a"))
	if err := tx.Exec(replaceQ, v, u.ID, u.ID).Error; err != nil {
		return err
	}
	if err := s.withdrawRemoved(tx, u, t, src, false, v); err != nil {
		return err
	}
	if land != nil {
		if err := land(v); err != nil {
			return err
		}
	} else if err := tx.Exec("UPDATE "+t.name+" SET active = TRUE, published_in = ? WHERE upload_id = ?", v, u.ID).Error; err != nil {
		return err
	}
	return s.afterPublication(tx, u, t, v)
}

// withdrawRemoved withdraws, at version v, the published rows upload u
// leaves out (removedWhere).
func (s *Store) withdrawRemoved(tx *gorm.DB, u access.Upload, t obsTable, src string, srcPublished bool, v int64) error {
	where, args := s.removedWhere(t, u, src, srcPublished)
	return tx.Exec("UPDATE "+t.name+" SET active = FALSE, withdrawn_in = ? WHERE "+s.rowKey("")+" IN (SELECT "+s.rowKey("a")+" FROM "+t.name+" a WHERE "+where+")", append([]any{v}, args...)...).Error
}

// rowKey is what finds an observation row again, as columns of alias (or
// unqualified): its id on SQLite, where the id is the rowid; its upload and
// id on PostgreSQL, whose primary key leads with the upload (migration
// 0025). Unqualified, it is written to stand before IN.
func (s *Store) rowKey(alias string) string {
	switch {
	case s.dialect == SQLite && alias == "":
		return "id"
	case s.dialect == SQLite:
		return alias + ".id"
	case alias == "":
		return "(upload_id, id)"
	}
	return alias + ".upload_id, " + alias + ".id"
}

// finishPublication completes the publication of an upload whose rows are
// published already.
func (s *Store) finishPublication(tx *gorm.DB, u access.Upload, t obsTable, src string, v int64) error {
	if err := s.withdrawRemoved(tx, u, t, src, true, v); err != nil {
		return err
	}
	return s.afterPublication(tx, u, t, v)
}

// afterPublication applies a countries upload and supersedes the uploads
// left with no published row.
func (s *Store) afterPublication(tx *gorm.DB, u access.Upload, t obsTable, v int64) error {
	if u.Kind == access.KindCountries {
		if err := s.applyCountryMetadata(tx, u.ID, v); err != nil {
			return err
		}
	}
	if err := tx.Exec(fmt.Sprintf(`UPDATE uploads SET status = ?, superseded_by = ? WHERE kind = ? AND id <> ? AND status = ?
AND NOT EXISTS (SELECT 1 FROM %s o WHERE o.upload_id = uploads.id AND o.active)`, t.name),
		string(access.StatusSuperseded), u.ID, string(u.Kind), u.ID, string(access.StatusPublished)).Error; err != nil {
		return err
	}
	return nil
}

// applyCountryMetadata copies a published countries upload into countries
// (WHO region) and income_groups (a new active vintage per country).
// Income-group vintages are withdrawn, not deleted, at data version v.
func (s *Store) applyCountryMetadata(tx *gorm.DB, uploadID, v int64) error {
	var rows []metadataRow
	if err := tx.Where("upload_id = ?", uploadID).Order("id").Find(&rows).Error; err != nil {
		return err
	}
	if err := applyIncomeYears(tx, uploadID, v, rows); err != nil {
		return err
	}
	for _, r := range rows {
		if r.DataYear != 0 {
			continue // a classification by year (income_group_years), not the current one
		}
		if r.WHORegion != "" {
			if err := tx.Exec("UPDATE countries SET who_region = ? WHERE iso3 = ?", r.WHORegion, r.ISO3).Error; err != nil {
				return err
			}
		}
		if r.IncomeGroup == "" {
			continue
		}
		vintage := r.Vintage
		if vintage == "" {
			vintage = fmt.Sprintf("upload-%d", uploadID)
		}
		if err := tx.Exec("UPDATE income_groups SET active = FALSE, withdrawn_in = ? WHERE iso3 = ? AND active", v, r.ISO3).Error; err != nil {
			return err
		}
		// A vintage already held (a correction of it) is kept under its
		// upload's name, so that earlier versions can still be answered.
		var n int64
		if err := tx.Model(&incomeRow{}).Where("iso3 = ? AND vintage = ?", r.ISO3, vintage).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			vintage = fmt.Sprintf("%s (upload %d)", vintage, uploadID)
		}
		up, pub := uploadID, v
		if err := tx.Create(&incomeRow{ISO3: r.ISO3, Vintage: vintage, IncomeGroup: r.IncomeGroup,
			Source: fmt.Sprintf("upload %d", uploadID), UploadID: &up, Active: true, PublishedIn: &pub}).Error; err != nil {
			return err
		}
	}
	return nil
}

// ConsumptionOverEstimate lists staged consumption rows of the upload that
// exceed the published estimate (annual plus supplementary) for the same
// country, year and drug.
func (w *ImportTx) ConsumptionOverEstimate(ctx context.Context) ([]access.Problem, error) {
	if err := w.ready(ctx); err != nil {
		return nil, translate(err, "store.ConsumptionOverEstimate")
	}
	q := `SELECT s.iso3, s.year, s.drug, s.grams, e.total, s.sheet, s.row_num
FROM ` + w.src("consumption") + ` s JOIN (SELECT iso3, year, drug, SUM(total_g) AS total FROM estimates WHERE active AND total_g IS NOT NULL GROUP BY iso3, year, drug) e
  ON e.iso3 = s.iso3 AND e.year = s.year AND e.drug = s.drug
WHERE s.upload_id = ? AND s.grams > e.total ORDER BY s.id LIMIT 1000`
	rows, err := w.tx.WithContext(ctx).Raw(q, w.uploadID).Rows()
	if err != nil {
		return nil, translate(err, "store.ConsumptionOverEstimate")
	}
	defer rows.Close()
	var out []access.Problem
	for rows.Next() {
		var iso3, drug, sheet string
		var year, row int
		var grams, total float64
		if err := rows.Scan(&iso3, &year, &drug, &grams, &total, &sheet, &row); err != nil {
			return nil, translate(err, "store.ConsumptionOverEstimate")
		}
		out = append(out, access.Problem{Severity: access.SeverityWarning, Code: "consumption_above_estimate", Sheet: sheet, Row: row,
			Value:   fmt.Sprintf("%g g", grams),
			Message: fmt.Sprintf("%s %d %s: consumption %g g is above the published estimate of %g g", iso3, year, drug, grams, total)})
	}
	return out, translate(rows.Err(), "store.ConsumptionOverEstimate")
}
