package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/reliefgap/reliefgap/internal/access"
)

type countryRow struct {
	ISO3         string `gorm:"column:iso3;primaryKey"`
	ISO2         string `gorm:"column:iso2"`
	NumericCode  string `gorm:"column:numeric_code"`
	Name         string `gorm:"column:name"`
	OfficialName string `gorm:"column:official_name"`
	WHORegion    string `gorm:"column:who_region"`
	UNRegion     string `gorm:"column:un_region"`
	UNSubregion  string `gorm:"column:un_subregion"`
}

func (countryRow) TableName() string { return "countries" }

type aliasRow struct {
	ISO3  string `gorm:"column:iso3"`
	Alias string `gorm:"column:alias"`
}

func (aliasRow) TableName() string { return "country_aliases" }

type incomeRow struct {
	ISO3        string `gorm:"column:iso3;primaryKey"`
	Vintage     string `gorm:"column:vintage;primaryKey"`
	IncomeGroup string `gorm:"column:income_group"`
	Source      string `gorm:"column:source"`
	UploadID    *int64 `gorm:"column:upload_id"`
	Active      bool   `gorm:"column:active"`
	PublishedIn *int64 `gorm:"column:published_in"`
	WithdrawnIn *int64 `gorm:"column:withdrawn_in"`
}

func (incomeRow) TableName() string { return "income_groups" }

type drugRow struct {
	Code       string `gorm:"column:code;primaryKey"`
	Name       string `gorm:"column:name"`
	Convention string `gorm:"column:convention"`
	PainBasket bool   `gorm:"column:pain_basket"`
}

func (drugRow) TableName() string { return "drugs" }

type synonymRow struct {
	DrugCode string `gorm:"column:drug_code"`
	Synonym  string `gorm:"column:synonym"`
}

func (synonymRow) TableName() string { return "drug_synonyms" }

type factorTableRow struct {
	ID         int64     `gorm:"column:id;primaryKey"`
	Name       string    `gorm:"column:name"`
	Version    int       `gorm:"column:version"`
	Kind       string    `gorm:"column:kind"`
	Title      string    `gorm:"column:title"`
	Source     string    `gorm:"column:source"`
	Confidence string    `gorm:"column:confidence"`
	Notes      string    `gorm:"column:notes"`
	CreatedAt  time.Time `gorm:"column:created_at"`
	// PublishedIn is the data version that added this table version.
	PublishedIn int64 `gorm:"column:published_in"`
}

func (factorTableRow) TableName() string { return "factor_tables" }

type factorRowRow struct {
	ID         int64   `gorm:"column:id;primaryKey"`
	TableID    int64   `gorm:"column:table_id"`
	Position   int     `gorm:"column:position"`
	Key        string  `gorm:"column:key"`
	Drug       string  `gorm:"column:drug"`
	Value      float64 `gorm:"column:value"`
	Share      float64 `gorm:"column:share"`
	MgPerDay   float64 `gorm:"column:mg_per_day"`
	Days       float64 `gorm:"column:days"`
	Label      string  `gorm:"column:label"`
	Assumption bool    `gorm:"column:assumption"`
	Confidence string  `gorm:"column:confidence"`
	Note       string  `gorm:"column:note"`
}

func (factorRowRow) TableName() string { return "factor_rows" }

// Countries returns every country with its aliases and current income group,
// ordered by ISO3.
func (s *Store) Countries(ctx context.Context) ([]access.Country, error) {
	return s.countries(ctx, "")
}

// Country returns one country by ISO3.
func (s *Store) Country(ctx context.Context, iso3 string) (access.Country, error) {
	cs, err := s.countries(ctx, iso3)
	if err != nil {
		return access.Country{}, err
	}
	if len(cs) == 0 {
		return access.Country{}, access.Errorf(access.NotFound, "store.Country", "no country %q", iso3)
	}
	return cs[0], nil
}

func (s *Store) countries(ctx context.Context, iso3 string) ([]access.Country, error) {
	return s.countriesAt(ctx, iso3, 0)
}

// countriesAt is countries as they stood at data version v (0: now): the
// income group then in force, and the WHO region of the last countries
// upload published by then.
func (s *Store) countriesAt(ctx context.Context, iso3 string, v int64) ([]access.Country, error) {
	const op = "store.Countries"
	db := s.reader().WithContext(ctx)
	var rows []countryRow
	q := db.Order("iso3")
	if iso3 != "" {
		q = q.Where("iso3 = ?", iso3)
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate(err, op)
	}
	var aliases []aliasRow
	aq := db.Order("iso3, alias")
	if iso3 != "" {
		aq = aq.Where("iso3 = ?", iso3)
	}
	if err := aq.Find(&aliases).Error; err != nil {
		return nil, translate(err, op)
	}
	var incomes []incomeRow
	cond, args := visibleAt("", v)
	iq := db.Where(cond, args...)
	if iso3 != "" {
		iq = iq.Where("iso3 = ?", iso3)
	}
	if err := iq.Find(&incomes).Error; err != nil {
		return nil, translate(err, op)
	}
	byAlias := map[string][]string{}
	for _, a := range aliases {
		byAlias[a.ISO3] = append(byAlias[a.ISO3], a.Alias)
	}
	byIncome := map[string]incomeRow{}
	for _, r := range incomes {
		byIncome[r.ISO3] = r
	}
	if v > 0 {
		// countries.who_region holds today's region; a region published by
		// a countries upload at or before v is the one figures then used.
		var meta []metadataRow
		cond, args := visibleAt("", v)
		mq := db.Where(cond+" AND who_region <> '' AND data_year = 0", args...).Order("published_in, id")
		if iso3 != "" {
			mq = mq.Where("iso3 = ?", iso3)
		}
		if err := mq.Find(&meta).Error; err != nil {
			return nil, translate(err, op)
		}
		for _, m := range meta {
			for i := range rows {
				if rows[i].ISO3 == m.ISO3 {
					rows[i].WHORegion = m.WHORegion
				}
			}
		}
	}
	out := make([]access.Country, 0, len(rows))
	for _, r := range rows {
		inc := byIncome[r.ISO3]
		out = append(out, access.Country{
			ISO3: r.ISO3, ISO2: r.ISO2, Numeric: r.NumericCode, Name: r.Name, OfficialName: r.OfficialName,
			Aliases: byAlias[r.ISO3], WHORegion: r.WHORegion, UNRegion: r.UNRegion, UNSubregion: r.UNSubregion,
			IncomeGroup: inc.IncomeGroup, IncomeVintage: inc.Vintage,
		})
	}
	return out, nil
}

// Drugs returns every drug with its synonyms, ordered by code.
func (s *Store) Drugs(ctx context.Context) ([]access.Drug, error) {
	const op = "store.Drugs"
	var rows []drugRow
	if err := s.reader().WithContext(ctx).Order("code").Find(&rows).Error; err != nil {
		return nil, translate(err, op)
	}
	var syn []synonymRow
	if err := s.reader().WithContext(ctx).Order("drug_code, synonym").Find(&syn).Error; err != nil {
		return nil, translate(err, op)
	}
	by := map[string][]string{}
	for _, r := range syn {
		by[r.DrugCode] = append(by[r.DrugCode], r.Synonym)
	}
	out := make([]access.Drug, 0, len(rows))
	for _, r := range rows {
		out = append(out, access.Drug{Code: r.Code, Name: r.Name, Synonyms: by[r.Code], Convention: r.Convention, PainBasket: r.PainBasket})
	}
	return out, nil
}

// FactorTables returns every version of every factor table with its rows,
// ordered by name and version.
func (s *Store) FactorTables(ctx context.Context) ([]access.FactorTable, error) {
	return s.factorTables(ctx, s.reader().WithContext(ctx).Order("name, version"))
}

// FactorTablesAsOf returns every version of every factor table published
// at or before data version v (0: every version).
func (s *Store) FactorTablesAsOf(ctx context.Context, v int64) ([]access.FactorTable, error) {
	q := s.reader().WithContext(ctx).Order("name, version")
	if v > 0 {
		q = q.Where("published_in <= ?", v)
	}
	return s.factorTables(ctx, q)
}

// FactorTable returns one version of a table; version 0 means the latest.
func (s *Store) FactorTable(ctx context.Context, name string, version int) (access.FactorTable, error) {
	q := s.reader().WithContext(ctx).Where("name = ?", name)
	if version > 0 {
		q = q.Where("version = ?", version)
	} else {
		q = q.Order("version DESC").Limit(1)
	}
	ts, err := s.factorTables(ctx, q)
	if err != nil {
		return access.FactorTable{}, err
	}
	if len(ts) == 0 {
		if version > 0 {
			return access.FactorTable{}, access.Errorf(access.NotFound, "store.FactorTable", "no factor table %s version %d", name, version)
		}
		return access.FactorTable{}, access.Errorf(access.NotFound, "store.FactorTable", "no factor table %s", name)
	}
	return ts[0], nil
}

func (s *Store) factorTables(ctx context.Context, q *gorm.DB) ([]access.FactorTable, error) {
	const op = "store.FactorTables"
	var tabs []factorTableRow
	if err := q.Find(&tabs).Error; err != nil {
		return nil, translate(err, op)
	}
	if len(tabs) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(tabs))
	for i, t := range tabs {
		ids[i] = t.ID
	}
	var rows []factorRowRow
	if err := s.reader().WithContext(ctx).Where("table_id IN ?", ids).Order("table_id, position, id").Find(&rows).Error; err != nil {
		return nil, translate(err, op)
	}
	byTable := map[int64][]access.FactorRow{}
	for _, r := range rows {
		byTable[r.TableID] = append(byTable[r.TableID], access.FactorRow{
			Key: r.Key, Drug: r.Drug, Value: r.Value, Share: r.Share, MgPerDay: r.MgPerDay, Days: r.Days,
			Label: r.Label, Assumption: r.Assumption, Confidence: r.Confidence, Note: r.Note,
		})
	}
	out := make([]access.FactorTable, 0, len(tabs))
	for _, t := range tabs {
		out = append(out, access.FactorTable{
			Name: t.Name, Version: t.Version, Kind: access.FactorKind(t.Kind), Title: t.Title, Source: t.Source,
			Confidence: t.Confidence, Notes: t.Notes, CreatedAt: t.CreatedAt, Rows: byTable[t.ID],
		})
	}
	return out, nil
}

// AddFactorTable stores a new version of a factor table. The version must
// be one more than the latest (or 1 for a new name); tables are never
// changed in place.
func (s *Store) AddFactorTable(ctx context.Context, t access.FactorTable) (out access.FactorTable, err error) {
	const op = "store.AddFactorTable"
	if t.Name == "" || t.Kind == "" || t.Source == "" {
		return out, access.Errorf(access.Invalid, op, "a factor table needs a name, a kind and a source")
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var latest int
		if err := tx.Model(&factorTableRow{}).Where("name = ?", t.Name).Select("COALESCE(MAX(version), 0)").Scan(&latest).Error; err != nil {
			return err
		}
		if t.Version == 0 {
			t.Version = latest + 1
		}
		if t.Version != latest+1 {
			return access.Errorf(access.Conflict, op, "%s: next version is %d, not %d", t.Name, latest+1, t.Version)
		}
		// A new table version changes what figures are computed from.
		v, err := bumpDataVersion(tx, fmt.Sprintf("factor table %s version %d", t.Name, t.Version), 0)
		if err != nil {
			return err
		}
		row := factorTableRow{Name: t.Name, Version: t.Version, Kind: string(t.Kind), Title: t.Title, Source: t.Source,
			Confidence: t.Confidence, Notes: t.Notes, CreatedAt: time.Now().UTC(), PublishedIn: v}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		t.CreatedAt = row.CreatedAt
		rows := make([]factorRowRow, len(t.Rows))
		for i, r := range t.Rows {
			rows[i] = factorRowRow{TableID: row.ID, Position: i + 1, Key: r.Key, Drug: r.Drug, Value: r.Value, Share: r.Share,
				MgPerDay: r.MgPerDay, Days: r.Days, Label: r.Label, Assumption: r.Assumption, Confidence: r.Confidence, Note: r.Note}
		}
		if len(rows) > 0 {
			return tx.Create(&rows).Error
		}
		return nil
	})
	return t, translate(err, op)
}
