package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/reliefgap/reliefgap/internal/access"
)

type availabilityRow struct {
	ID                 int64    `gorm:"column:id;primaryKey"`
	ISO3               string   `gorm:"column:iso3"`
	Year               int      `gorm:"column:year"`
	Medicine           string   `gorm:"column:medicine"`
	VocabularyVersion  int      `gorm:"column:vocabulary_version"`
	Drug               string   `gorm:"column:drug"`
	Sector             string   `gorm:"column:sector"`
	AvailabilityPct    *float64 `gorm:"column:availability_pct"`
	Facilities         *int     `gorm:"column:facilities"`
	MedianPriceRatio   *float64 `gorm:"column:median_price_ratio"`
	PriceReference     string   `gorm:"column:price_reference"`
	PriceReferenceYear int      `gorm:"column:price_reference_year"`
	MedianUnitPrice    *float64 `gorm:"column:median_unit_price"`
	Currency           string   `gorm:"column:currency"`
	DailyWage          *float64 `gorm:"column:daily_wage"`
	Survey             string   `gorm:"column:survey"`
	UploadID           int64    `gorm:"column:upload_id"`
	Sheet              string   `gorm:"column:sheet"`
	RowNum             int      `gorm:"column:row_num"`
	Active             bool     `gorm:"column:active"`
}

func (availabilityRow) TableName() string { return "availability_surveys" }

type ccsRow struct {
	ID        int64  `gorm:"column:id;primaryKey"`
	ISO3      string `gorm:"column:iso3"`
	Year      int    `gorm:"column:year"`
	Indicator string `gorm:"column:indicator"`
	Answer    string `gorm:"column:answer"`
	UploadID  int64  `gorm:"column:upload_id"`
	Sheet     string `gorm:"column:sheet"`
	RowNum    int    `gorm:"column:row_num"`
	Active    bool   `gorm:"column:active"`
}

func (ccsRow) TableName() string { return "ccs_answers" }

func init() {
	obsTables[access.KindAvailability] = obsTable{"availability_surveys", []string{"iso3", "year", "medicine", "sector"},
		[]string{"availability_pct", "facilities", "median_price_ratio", "price_reference", "price_reference_year",
			"median_unit_price", "currency", "daily_wage", "drug", "survey"}, []string{"iso3", "year"}}
	// The first value column is text: the diff sample shows no old and new numbers.
	obsTables[access.KindCCS] = obsTable{"ccs_answers", []string{"iso3", "year", "indicator"}, []string{"answer"}, []string{"iso3", "year"}}
}

// stageAvailability stores a batch's survey rows and country-capacity
// answers, inactive, with upload id as lineage.
func (w *ImportTx) stageAvailability(tx *gorm.DB, b access.Batch) error {
	id := w.uploadID
	if len(b.Availability) > 0 {
		rows := make([]availabilityRow, len(b.Availability))
		for i, a := range b.Availability {
			rows[i] = availabilityRow{ISO3: a.ISO3, Year: a.Year, Medicine: a.Medicine, VocabularyVersion: a.VocabularyVersion,
				Drug: a.Drug, Sector: string(a.Sector), AvailabilityPct: a.AvailabilityPct, Facilities: a.FacilitiesSurveyed,
				MedianPriceRatio: a.MedianPriceRatio, PriceReference: a.PriceReference, PriceReferenceYear: a.PriceReferenceYear,
				MedianUnitPrice: a.MedianUnitPrice, Currency: a.Currency, DailyWage: a.DailyWage, Survey: a.Survey,
				UploadID: id, Sheet: a.Lineage.Sheet, RowNum: a.Lineage.Row}
		}
		if err := tx.CreateInBatches(rows, w.batch).Error; err != nil {
			return translate(err, "store.Stage")
		}
	}
	if len(b.CCS) > 0 {
		rows := make([]ccsRow, len(b.CCS))
		for i, c := range b.CCS {
			ind := c.Indicator
			if ind == "" {
				ind = access.CCSIndicatorOralMorphine
			}
			rows[i] = ccsRow{ISO3: c.ISO3, Year: c.Year, Indicator: ind, Answer: string(c.Answer),
				UploadID: id, Sheet: c.Lineage.Sheet, RowNum: c.Lineage.Row}
		}
		if err := tx.CreateInBatches(rows, w.batch).Error; err != nil {
			return translate(err, "store.Stage")
		}
	}
	return nil
}

// AvailabilitySurveys returns the published facility survey rows of iso3
// (every country when ""), newest survey first. An unknown country is
// NotFound.
func (s *Store) AvailabilitySurveys(ctx context.Context, iso3 string) ([]access.AvailabilitySurvey, error) {
	return s.AvailabilitySurveysAsOf(ctx, iso3, 0)
}

// AvailabilitySurveysAsOf is AvailabilitySurveys as published at data
// version v (0: now).
func (s *Store) AvailabilitySurveysAsOf(ctx context.Context, iso3 string, v int64) ([]access.AvailabilitySurvey, error) {
	const op = "store.AvailabilitySurveys"
	if err := s.knownCountry(ctx, iso3, op); err != nil {
		return nil, err
	}
	cond, args := visibleAt("", v)
	q := s.reader().WithContext(ctx).Where(cond, args...)
	if iso3 != "" {
		q = q.Where("iso3 = ?", iso3)
	}
	var rows []availabilityRow
	if err := q.Order("iso3, year DESC, medicine, sector").Find(&rows).Error; err != nil {
		return nil, translate(err, op)
	}
	out := make([]access.AvailabilitySurvey, len(rows))
	for i, r := range rows {
		out[i] = access.AvailabilitySurvey{ISO3: r.ISO3, Year: r.Year, Medicine: r.Medicine, VocabularyVersion: r.VocabularyVersion,
			Drug: r.Drug, Sector: access.Sector(r.Sector), AvailabilityPct: r.AvailabilityPct, FacilitiesSurveyed: r.Facilities,
			MedianPriceRatio: r.MedianPriceRatio, PriceReference: r.PriceReference, PriceReferenceYear: r.PriceReferenceYear,
			MedianUnitPrice: r.MedianUnitPrice, Currency: r.Currency, DailyWage: r.DailyWage, Survey: r.Survey,
			Lineage: access.Lineage{UploadID: r.UploadID, Sheet: r.Sheet, Row: r.RowNum}}
	}
	return out, nil
}

// CCSRecords returns the published country-capacity answers of iso3 (every
// country when ""), newest first. An unknown country is NotFound.
func (s *Store) CCSRecords(ctx context.Context, iso3 string) ([]access.CCSRecord, error) {
	return s.CCSRecordsAsOf(ctx, iso3, 0)
}

// CCSRecordsAsOf is CCSRecords as published at data version v (0: now).
func (s *Store) CCSRecordsAsOf(ctx context.Context, iso3 string, v int64) ([]access.CCSRecord, error) {
	const op = "store.CCSRecords"
	if err := s.knownCountry(ctx, iso3, op); err != nil {
		return nil, err
	}
	cond, args := visibleAt("", v)
	q := s.reader().WithContext(ctx).Where(cond, args...)
	if iso3 != "" {
		q = q.Where("iso3 = ?", iso3)
	}
	var rows []ccsRow
	if err := q.Order("iso3, year DESC, indicator").Find(&rows).Error; err != nil {
		return nil, translate(err, op)
	}
	out := make([]access.CCSRecord, len(rows))
	for i, r := range rows {
		out[i] = access.CCSRecord{ISO3: r.ISO3, Year: r.Year, Indicator: r.Indicator, Answer: access.CCSAnswer(r.Answer),
			Lineage: access.Lineage{UploadID: r.UploadID, Sheet: r.Sheet, Row: r.RowNum}}
	}
	return out, nil
}

func (s *Store) knownCountry(ctx context.Context, iso3, op string) error {
	if iso3 == "" {
		return nil
	}
	var n int64
	if err := s.reader().WithContext(ctx).Table("countries").Where("iso3 = ?", iso3).Count(&n).Error; err != nil {
		return translate(err, op)
	}
	if n == 0 {
		return access.Errorf(access.NotFound, op, "no country %q", iso3)
	}
	return nil
}
