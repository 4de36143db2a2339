package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"
)

// annotationRow is an upload's annotated workbook (migration 0018).
type annotationRow struct {
	UploadID  int64     `gorm:"column:upload_id;primaryKey"`
	Size      int64     `gorm:"column:size"`
	Data      []byte    `gorm:"column:data"`
	CreatedAt time.Time `gorm:"column:created_at"`
}

func (annotationRow) TableName() string { return "upload_annotations" }

// PutAnnotated stores the annotated workbook of upload id; a second one is
// ignored (the first was built from the same bytes and problems).
func (s *Store) PutAnnotated(ctx context.Context, id int64, data []byte) error {
	row := annotationRow{UploadID: id, Size: int64(len(data)), Data: data, CreatedAt: time.Now().UTC()}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
	return translate(err, "store.PutAnnotated")
}

// Annotated returns the stored annotated workbook of upload id, NotFound
// when none was built (or retention removed it).
func (s *Store) Annotated(ctx context.Context, id int64) ([]byte, error) {
	var row annotationRow
	if err := s.reader().WithContext(ctx).Where("upload_id = ?", id).Take(&row).Error; err != nil {
		return nil, translate(err, "store.Annotated")
	}
	return row.Data, nil
}
