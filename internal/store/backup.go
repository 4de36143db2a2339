package store

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/reliefgap/reliefgap/internal/access"
)

// Backup writes a consistent copy of a SQLite database, stored upload files
// included (they live in the database), to path, which must not exist. It
// is safe while the service runs: VACUUM INTO reads one snapshot. A
// PostgreSQL database is backed up with pg_dump (see the README).
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.dialect != SQLite {
		return access.Errorf(access.Invalid, "store.Backup",
			"back up PostgreSQL with pg_dump: pg_dump --format=custom --file=%s \"$RELIEFGAP_DB\" (restore with pg_restore --clean --dbname=…)", path)
	}
	if _, err := os.Stat(path); err == nil {
		return access.Errorf(access.Conflict, "store.Backup", "%s exists; a backup never overwrites a file", path)
	}
	if err := s.db.WithContext(ctx).Exec("VACUUM INTO ?", path).Error; err != nil {
		return translate(err, "store.Backup")
	}
	return nil
}

// CheckBackup opens a SQLite database file (a copy of a backup: opening
// may add WAL files beside it) and reports its schema and data versions,
// so that a restore can refuse what is not a reliefgap database.
func CheckBackup(ctx context.Context, path string) (schema, data int64, err error) {
	if _, err := os.Stat(path); err != nil {
		return 0, 0, access.Errorf(access.NotFound, "store.CheckBackup", "%v", err)
	}
	if strings.ContainsAny(path, "?#") {
		return 0, 0, access.Errorf(access.Invalid, "store.CheckBackup", "a backup path may not contain ? or #")
	}
	b, err := Open(ctx, "sqlite:"+path, Options{Manual: true})
	if err != nil {
		return 0, 0, err
	}
	defer b.Close()
	if schema, err = b.SchemaVersion(ctx); err != nil {
		return 0, 0, access.Errorf(access.Invalid, "store.CheckBackup", "%s is not a reliefgap database: %v", path, err)
	}
	if data, err = b.DataVersion(ctx); err != nil {
		return 0, 0, access.Errorf(access.Invalid, "store.CheckBackup", "%s is not a reliefgap database: %v", path, err)
	}
	if schema <= 0 {
		return 0, 0, fmt.Errorf("%s has no reliefgap schema", path)
	}
	return schema, data, nil
}
