package store

import "context"

// RawStagingReachable reports whether imports into s stage SQLite rows
// through rawInsert (the driver's connection could be reached).
func RawStagingReachable(ctx context.Context, s *Store) (bool, error) {
	conn, err := s.sql.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	ok := false
	err = conn.Raw(func(dc any) error {
		_, _, ok = sqliteHandle(dc)
		return nil
	})
	return ok, err
}

// SQLiteBusy is sqliteBusy.
var SQLiteBusy = sqliteBusy
