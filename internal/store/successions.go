package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/reliefgap/reliefgap/internal/access"
)

type successionRow struct {
	Predecessor string `gorm:"column:predecessor;primaryKey"`
	Successor   string `gorm:"column:successor;primaryKey"`
	Kind        string `gorm:"column:kind"`
	FirstYear   int    `gorm:"column:first_year"`
	Note        string `gorm:"column:note"`
}

func (successionRow) TableName() string { return "successions" }

type incomeYearRow struct {
	ID          int64  `gorm:"column:id;primaryKey"`
	ISO3        string `gorm:"column:iso3"`
	Year        int    `gorm:"column:year"`
	IncomeGroup string `gorm:"column:income_group"`
	Vintage     string `gorm:"column:vintage"`
	Source      string `gorm:"column:source"`
	UploadID    *int64 `gorm:"column:upload_id"`
	// The data versions that published and withdrew the row (migration 0017).
	PublishedIn int64  `gorm:"column:published_in"`
	WithdrawnIn *int64 `gorm:"column:withdrawn_in"`
}

func (incomeYearRow) TableName() string { return "income_group_years" }

// Successions returns every recorded change of borders, by predecessor and
// successor.
func (s *Store) Successions(ctx context.Context) ([]access.Succession, error) {
	var rows []successionRow
	if err := s.reader().WithContext(ctx).Order("predecessor, successor").Find(&rows).Error; err != nil {
		return nil, translate(err, "store.Successions")
	}
	out := make([]access.Succession, len(rows))
	for i, r := range rows {
		out[i] = access.Succession{Predecessor: r.Predecessor, Successor: r.Successor,
			Kind: access.SuccessionKind(r.Kind), Year: r.FirstYear, Note: r.Note}
	}
	return out, nil
}

// IncomeYears returns the income group by data year of the countries
// named (every country when none is), ordered by country and year.
func (s *Store) IncomeYears(ctx context.Context, iso3 ...string) ([]access.IncomeYear, error) {
	return s.incomeYearsAt(ctx, 0, iso3...)
}

// incomeYearsAt is IncomeYears as they stood at data version v (0: now).
func (s *Store) incomeYearsAt(ctx context.Context, v int64, iso3 ...string) ([]access.IncomeYear, error) {
	var rows []incomeYearRow
	cond, args := "withdrawn_in IS NULL", []any(nil)
	if v > 0 {
		cond, args = visibleAt("", v)
	}
	q := s.reader().WithContext(ctx).Where(cond, args...).Order("iso3, year")
	if len(iso3) > 0 {
		q = q.Where("iso3 IN ?", iso3)
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate(err, "store.IncomeYears")
	}
	out := make([]access.IncomeYear, len(rows))
	for i, r := range rows {
		out[i] = access.IncomeYear{ISO3: r.ISO3, Year: r.Year, Group: r.IncomeGroup, Vintage: r.Vintage}
		if r.UploadID != nil {
			out[i].Lineage.UploadID = *r.UploadID
		}
	}
	return out, nil
}

// applyIncomeYears copies the rows of a published countries upload that
// carry a data year into income_group_years (the last publication wins for
// a country and year). A current classification (no data year) whose
// vintage names a fiscal year ("FY2026") also classifies data year FY − 2,
// for countries that already have a history: alone, one year of history
// would leave every earlier year unclassified.
// The row a publication replaces is withdrawn at data version v, not deleted.
func applyIncomeYears(tx *gorm.DB, uploadID, v int64, rows []metadataRow) error {
	for _, r := range rows {
		year := r.DataYear
		if year == 0 {
			fy, ok := fiscalYear(r.Vintage)
			if !ok || r.IncomeGroup == "" {
				continue
			}
			year = fy - access.IncomeFiscalLag
			var n int64
			if err := tx.Raw("SELECT COUNT(*) FROM income_group_years WHERE iso3 = ? AND withdrawn_in IS NULL", r.ISO3).Row().Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				continue
			}
		}
		if err := tx.Exec("UPDATE income_group_years SET withdrawn_in = ? WHERE iso3 = ? AND year = ? AND withdrawn_in IS NULL", v, r.ISO3, year).Error; err != nil {
			return err
		}
		up := uploadID
		if err := tx.Create(&incomeYearRow{ISO3: r.ISO3, Year: year, IncomeGroup: r.IncomeGroup, Vintage: r.Vintage,
			Source: fmt.Sprintf("upload %d", uploadID), UploadID: &up, PublishedIn: v}).Error; err != nil {
			return err
		}
	}
	return nil
}

// fiscalYear reads "FY2026" or "FY26" as 2026; a bare year is not read
// (it may name the data year or the fiscal year).
func fiscalYear(v string) (int, bool) {
	s := strings.ToUpper(strings.TrimSpace(v))
	if !strings.HasPrefix(s, "FY") {
		return 0, false
	}
	s = strings.TrimSpace(s[2:])
	n, err := strconv.Atoi(s)
	switch {
	case err != nil:
		return 0, false
	case len(s) == 2:
		if n >= 50 {
			return 1900 + n, true
		}
		return 2000 + n, true
	case len(s) == 4 && n >= 1900 && n <= 2100:
		return n, true
	}
	return 0, false
}

// attachIncomeYears adds each country's income group by data year to its
// inputs (iso3 "" for every country).
func (s *Store) attachIncomeYears(ctx context.Context, in map[string]*access.CountryInputs, iso3 string, v int64) error {
	var names []string
	if iso3 != "" {
		names = []string{iso3}
	}
	ys, err := s.incomeYearsAt(ctx, v, names...)
	if err != nil {
		return err
	}
	for _, y := range ys {
		if ci := in[y.ISO3]; ci != nil {
			ci.Income = append(ci.Income, y)
		}
	}
	return nil
}
