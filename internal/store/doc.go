// Package store is reliefgap's only database adapter: the one package that
// imports gorm. It owns every dialect quirk (SQLite: one writer connection,
// foreign keys on, WAL, a busy timeout; PostgreSQL: a pool), the row structs
// and their converters to domain values, the migration runner (goose over the
// embedded SQL in ../../migrations), and the translation of driver errors into
// coded access errors.
//
// A DSN is "sqlite:PATH" (the embedded default; "sqlite::memory:" for an
// in-memory database) or a "postgres://" / "postgresql://" URL.
package store
