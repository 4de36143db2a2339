package store

import (
	"context"
	"time"
)

// DataVersionTime returns when data version version was made.
func (s *Store) DataVersionTime(ctx context.Context, version int64) (time.Time, error) {
	var at time.Time
	err := s.reader().WithContext(ctx).Raw(`SELECT created_at FROM data_versions WHERE version = ?`, version).Row().Scan(&at)
	if err != nil {
		return time.Time{}, translate(err, "store.DataVersionTime")
	}
	return at.UTC(), nil
}
