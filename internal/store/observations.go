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
// publication SQL: its key columns (one active row per key) and its value
// columns (compared for the diff; the first is the headline value).
type obsTable struct {
	name   string
	keys   []string
	values []string
}

var obsTables = map[access.ImportKind]obsTable{
	access.KindConsumption: {"consumption", []string{"iso3", "year", "drug"}, []string{"grams", "state", "manufactured_g", "utilized_g", "stock_g", "seizures_g", "stock_out_days"}},
	access.KindEstimates:   {"estimates", []string{"iso3", "year", "drug", "kind"}, []string{"total_g", "status", "consumed_g", "utilized_g", "stock_g", "special_g"}},
	access.KindPopulation:  {"population", []string{"iso3", "year"}, []string{"persons"}},
	access.KindDeaths:      {"deaths", []string{"iso3", "year", "cause"}, []string{"deaths"}},
	access.KindCountries:   {"country_metadata", []string{"iso3", "data_year"}, []string{"who_region", "income_group", "vintage"}},
}

// ImportTx is an open import transaction: records are staged (stored but
// not active) as they arrive; Finish computes the diff and, if asked,
// publishes. Nothing is visible to others until the transaction commits.
type ImportTx struct {
	tx       *gorm.DB
	s        *Store
	uploadID int64
	batch    int
}

// WithImport runs fn in one transaction for upload uploadID. If fn returns
// an error everything it staged is rolled back.
func (s *Store) WithImport(ctx context.Context, uploadID int64, fn func(w access.ImportWriter) error) error {
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		return fn(&ImportTx{tx: tx, s: s, uploadID: uploadID, batch: 500})
	})
	return translate(err, "store.WithImport")
}

// Stage stores a batch of records, inactive, with this upload as lineage.
func (w *ImportTx) Stage(ctx context.Context, b access.Batch) error {
	// The store's own guard: NaN and ±Inf never reach a column, whatever
	// the caller (PostgreSQL would store them and sums would turn to Inf).
	if err := access.CheckBatch(b); err != nil {
		return err
	}
	tx := w.tx.WithContext(ctx)
	id := w.uploadID
	if len(b.Consumption) > 0 {
		rows := make([]consumptionRow, len(b.Consumption))
		for i, c := range b.Consumption {
			rows[i] = consumptionRow{ISO3: c.ISO3, Year: c.Year, Drug: c.Drug, Grams: c.Grams, State: string(c.State), ManufacturedG: c.Manufactured,
				UtilizedG: c.UtilizedForManufacture, StockG: c.Stock, SeizuresG: c.Seizures, StockOutDays: c.StockOutDays, Conversion: c.Conversion,
				UploadID: id, Sheet: c.Lineage.Sheet, RowNum: c.Lineage.Row}
		}
		if err := tx.CreateInBatches(rows, w.batch).Error; err != nil {
			return translate(err, "store.Stage")
		}
	}
	if len(b.Estimates) > 0 {
		rows := make([]estimateRow, len(b.Estimates))
		for i, e := range b.Estimates {
			rows[i] = estimateRow{ISO3: e.ISO3, Year: e.Year, Drug: e.Drug, Kind: string(e.Kind), Status: string(e.Status),
				ConsumedG: e.ToBeConsumed, UtilizedG: e.UtilizedForManufacture, StockG: e.StockTarget, SpecialG: e.SpecialStocks,
				TotalG: e.Total, Conversion: e.Conversion, UploadID: id, Sheet: e.Lineage.Sheet, RowNum: e.Lineage.Row}
		}
		if err := tx.CreateInBatches(rows, w.batch).Error; err != nil {
			return translate(err, "store.Stage")
		}
	}
	if len(b.Population) > 0 {
		rows := make([]populationRow, len(b.Population))
		for i, p := range b.Population {
			rows[i] = populationRow{ISO3: p.ISO3, Year: p.Year, Persons: p.Persons, UploadID: id, Sheet: p.Lineage.Sheet, RowNum: p.Lineage.Row}
		}
		if err := tx.CreateInBatches(rows, w.batch).Error; err != nil {
			return translate(err, "store.Stage")
		}
	}
	if len(b.Deaths) > 0 {
		rows := make([]deathsRow, len(b.Deaths))
		for i, d := range b.Deaths {
			rows[i] = deathsRow{ISO3: d.ISO3, Year: d.Year, Cause: d.Cause, Deaths: d.Deaths, UploadID: id, Sheet: d.Lineage.Sheet, RowNum: d.Lineage.Row}
		}
		if err := tx.CreateInBatches(rows, w.batch).Error; err != nil {
			return translate(err, "store.Stage")
		}
	}
	if len(b.Countries) > 0 {
		rows := make([]metadataRow, len(b.Countries))
		for i, m := range b.Countries {
			rows[i] = metadataRow{ISO3: m.ISO3, WHORegion: m.WHORegion, IncomeGroup: m.IncomeGroup, Vintage: m.IncomeVintage,
				DataYear: m.DataYear, Name: m.Name, UploadID: id, Sheet: m.Lineage.Sheet, RowNum: m.Lineage.Row}
		}
		if err := tx.CreateInBatches(rows, w.batch).Error; err != nil {
			return translate(err, "store.Stage")
		}
	}
	return w.stageAvailability(tx, b)
}

func (s *Store) distinct(a, b string) string {
	if s.dialect == SQLite {
		return a + " IS NOT " + b
	}
	return a + " IS DISTINCT FROM " + b
}

func keyMatch(t obsTable, a, b string) string {
	parts := make([]string, len(t.keys))
	for i, k := range t.keys {
		parts[i] = fmt.Sprintf("%s.%s = %s.%s", a, k, b, k)
	}
	return strings.Join(parts, " AND ")
}

// Diff compares the staged rows of this upload with the published ones:
// added (no published row for the key), changed, unchanged, and removed
// (published rows of the same scope whose country, year and drug or cause
// the upload covers but which it no longer lists).
func (w *ImportTx) Diff(ctx context.Context, kind access.ImportKind, scope string) (d access.Diff, unchanged int, err error) {
	return w.s.diff(w.tx.WithContext(ctx), w.uploadID, kind, scope)
}

func (s *Store) diff(tx *gorm.DB, uploadID int64, kind access.ImportKind, scope string) (d access.Diff, unchanged int, err error) {
	t := obsTables[kind]
	var diffs []string
	for _, v := range t.values {
		diffs = append(diffs, s.distinct("s."+v, "a."+v))
	}
	changed := "(" + strings.Join(diffs, " OR ") + ")"
	q := fmt.Sprintf(`SELECT
  COALESCE(SUM(CASE WHEN a.id IS NULL THEN 1 ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN a.id IS NOT NULL AND %[1]s THEN 1 ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN a.id IS NOT NULL AND NOT %[1]s THEN 1 ELSE 0 END), 0)
FROM %[2]s s LEFT JOIN %[2]s a ON a.active AND %[3]s
WHERE s.upload_id = ?`, changed, t.name, keyMatch(t, "a", "s"))
	row := tx.Raw(q, uploadID).Row()
	if err := row.Scan(&d.Added, &d.Changed, &unchanged); err != nil {
		return d, 0, translate(err, "store.Diff")
	}
	where, args := s.removedWhere(t, uploadID, scope)
	if err := tx.Raw("SELECT COUNT(*) FROM "+t.name+" a WHERE "+where, args...).Row().Scan(&d.Removed); err != nil {
		return d, 0, translate(err, "store.Diff")
	}
	// A sample of the changes, for people to read.
	keys := make([]string, len(t.keys))
	for i, k := range t.keys {
		keys[i] = "s." + k
		if k == "year" && s.dialect == Postgres {
			keys[i] = "CAST(s.year AS TEXT)"
		}
	}
	v := t.values[0]
	sample := fmt.Sprintf(`SELECT %s, a.%s, s.%s, CASE WHEN a.id IS NULL THEN 'added' ELSE 'changed' END
FROM %s s LEFT JOIN %s a ON a.active AND %s
WHERE s.upload_id = ? AND (a.id IS NULL OR %s) ORDER BY s.id LIMIT 50`,
		strings.Join(keys, " || '/' || "), v, v, t.name, t.name, keyMatch(t, "a", "s"), changed)
	if kind == access.KindCountries || kind == access.KindCCS || kind == access.KindEstimates && v == "status" {
		sample = strings.Replace(sample, fmt.Sprintf("a.%s, s.%s", v, v), "NULL, NULL", 1)
	}
	rows, err := tx.Raw(sample, uploadID).Rows()
	if err != nil {
		return d, 0, translate(err, "store.Diff")
	}
	defer rows.Close()
	for rows.Next() {
		var c access.DiffChange
		var oldV, newV sql.NullFloat64
		if err := rows.Scan(&c.Key, &oldV, &newV, &c.Op); err != nil {
			return d, 0, translate(err, "store.Diff")
		}
		c.Field = v
		if oldV.Valid {
			c.Old = access.F(oldV.Float64)
		}
		if newV.Valid {
			c.New = access.F(newV.Float64)
		}
		d.Changes = append(d.Changes, c)
	}
	return d, unchanged, translate(rows.Err(), "store.Diff")
}

// removedWhere selects the published rows an upload removes: rows of
// earlier uploads with the same scope, whose dimensions the upload covers,
// and whose key it does not list.
func (s *Store) removedWhere(t obsTable, uploadID int64, scope string) (string, []any) {
	var conds []string
	args := []any{scope}
	conds = append(conds, "a.active", "a.upload_id IN (SELECT id FROM uploads WHERE country = ?)", "a.upload_id <> ?")
	args = append(args, uploadID)
	for _, k := range t.keys {
		conds = append(conds, fmt.Sprintf("a.%s IN (SELECT %s FROM %s WHERE upload_id = ?)", k, k, t.name))
		args = append(args, uploadID)
	}
	conds = append(conds, fmt.Sprintf("NOT EXISTS (SELECT 1 FROM %s s WHERE s.upload_id = ? AND %s)", t.name, keyMatch(t, "s", "a")))
	args = append(args, uploadID)
	return strings.Join(conds, " AND "), args
}

// Publish makes the upload's rows the published values: the rows they
// replace and the rows the upload removes are deactivated (kept, as
// history), uploads left with no published row become superseded, and the
// upload itself becomes published.
func (w *ImportTx) Publish(ctx context.Context, kind access.ImportKind, scope string) error {
	return w.s.publish(w.tx.WithContext(ctx), w.uploadID, kind, scope)
}

// PublishUpload publishes a submitted upload in its own transaction.
func (s *Store) PublishUpload(ctx context.Context, u access.Upload) error {
	return translate(s.inTx(ctx, func(tx *gorm.DB) error {
		return s.publish(tx, u.ID, u.Kind, u.Country)
	}), "store.PublishUpload")
}

func (s *Store) publish(tx *gorm.DB, uploadID int64, kind access.ImportKind, scope string) error {
	t, ok := obsTables[kind]
	if !ok {
		return access.Errorf(access.Invalid, "store.Publish", "unknown kind %q", kind)
	}
	// The publication's data version stamps the rows it withdraws and the
	// rows it publishes, so earlier versions can still be answered.
	v, err := bumpDataVersion(tx, "publish "+string(kind), uploadID)
	if err != nil {
		return err
	}
	replace := fmt.Sprintf("UPDATE %[1]s SET active = FALSE, withdrawn_in = ? WHERE active AND upload_id <> ? AND EXISTS (SELECT 1 FROM %[1]s s WHERE s.upload_id = ? AND %[2]s)",
		t.name, keyMatch(t, "s", t.name))
	if err := tx.Exec(replace, v, uploadID, uploadID).Error; err != nil {
		return err
	}
	where, args := s.removedWhere(t, uploadID, scope)
	where = strings.ReplaceAll(where, "a.", t.name+".")
	where = strings.ReplaceAll(where, "s.upload_id = ? AND "+keyMatch(t, "s", "a"), "s.upload_id = ? AND "+keyMatch(t, "s", t.name))
	if err := tx.Exec("UPDATE "+t.name+" SET active = FALSE, withdrawn_in = ? WHERE "+where, append([]any{v}, args...)...).Error; err != nil {
		return err
	}
	if err := tx.Exec("UPDATE "+t.name+" SET active = TRUE, published_in = ? WHERE upload_id = ?", v, uploadID).Error; err != nil {
		return err
	}
	if kind == access.KindCountries {
		if err := s.applyCountryMetadata(tx, uploadID); err != nil {
			return err
		}
	}
	now := time.Now().UTC()
	if err := tx.Exec(fmt.Sprintf(`UPDATE uploads SET status = ?, superseded_by = ? WHERE kind = ? AND id <> ? AND status = ?
AND NOT EXISTS (SELECT 1 FROM %s o WHERE o.upload_id = uploads.id AND o.active)`, t.name),
		string(access.StatusSuperseded), uploadID, string(kind), uploadID, string(access.StatusPublished)).Error; err != nil {
		return err
	}
	return tx.Exec("UPDATE uploads SET status = ?, decided_at = ? WHERE id = ?", string(access.StatusPublished), now, uploadID).Error
}

// applyCountryMetadata copies a published countries upload into countries
// (WHO region) and income_groups (a new active vintage per country).
func (s *Store) applyCountryMetadata(tx *gorm.DB, uploadID int64) error {
	var rows []metadataRow
	if err := tx.Where("upload_id = ?", uploadID).Order("id").Find(&rows).Error; err != nil {
		return err
	}
	if err := applyIncomeYears(tx, uploadID, rows); err != nil {
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
		if err := tx.Exec("UPDATE income_groups SET active = FALSE WHERE iso3 = ? AND active", r.ISO3).Error; err != nil {
			return err
		}
		if err := tx.Exec("DELETE FROM income_groups WHERE iso3 = ? AND vintage = ?", r.ISO3, vintage).Error; err != nil {
			return err
		}
		up := uploadID
		if err := tx.Create(&incomeRow{ISO3: r.ISO3, Vintage: vintage, IncomeGroup: r.IncomeGroup,
			Source: fmt.Sprintf("upload %d", uploadID), UploadID: &up, Active: true}).Error; err != nil {
			return err
		}
	}
	return nil
}

// ConsumptionOverEstimate lists staged consumption rows of the upload that
// exceed the published estimate (annual plus supplementary) for the same
// country, year and drug.
func (w *ImportTx) ConsumptionOverEstimate(ctx context.Context) ([]access.Problem, error) {
	q := `SELECT s.iso3, s.year, s.drug, s.grams, e.total, s.sheet, s.row_num
FROM consumption s JOIN (SELECT iso3, year, drug, SUM(total_g) AS total FROM estimates WHERE active AND total_g IS NOT NULL GROUP BY iso3, year, drug) e
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
