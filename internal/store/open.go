package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	sqlite3 "modernc.org/sqlite/lib"
	"net/url"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/migrations"
)

// Dialect is the database behind a Store.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Store is the gorm-backed implementation of the domain's store interfaces.
type Store struct {
	db *gorm.DB
	// rdb reads an SQLite file through its own pool of read-only
	// connections (WAL lets them read while the one writer writes), so that
	// an import never blocks a reader; nil otherwise, and db reads.
	rdb  *gorm.DB
	rsql *sql.DB
	// touching admits one background key-use write at a time (SQLite).
	touching chan struct{}
	sql      *sql.DB
	dialect  Dialect
	log      *slog.Logger
	secrets  *sealer // seals webhook secrets at rest (nil: kept as they are)
}

// Options tune Open.
type Options struct {
	Logger *slog.Logger
	// Migrate applies pending migrations on open. It is the default for
	// SQLite; for PostgreSQL migrations are run by "reliefgap migrate".
	Migrate bool
	// Manual opens without migrating or checking the schema: the caller
	// runs Migrate itself ("reliefgap migrate").
	Manual bool
	// MaxOpenConns bounds the PostgreSQL connection pool (default 20).
	MaxOpenConns int
	// SecretKey, when set (SecretKeyLen bytes), seals the webhook secrets
	// stored (secrets.go); PreviousSecretKey opens those an earlier key
	// sealed, which are then sealed again with SecretKey.
	SecretKey, PreviousSecretKey []byte
}

// ParseDSN splits a reliefgap DSN into its dialect and the driver's DSN.
func ParseDSN(dsn string) (Dialect, string, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return "", "", access.Errorf(access.Invalid, "store.ParseDSN", "sqlite DSN needs a path, e.g. sqlite:reliefgap.db")
		}
		return SQLite, path, nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		if _, err := url.Parse(dsn); err != nil {
			return "", "", access.Errorf(access.Invalid, "store.ParseDSN", "malformed PostgreSQL URL")
		}
		return Postgres, dsn, nil
	}
	return "", "", access.Errorf(access.Invalid, "store.ParseDSN", "unknown database %q: use sqlite:PATH or postgres://…", Redact(dsn))
}

// Redact hides the password of a DSN for logs and messages.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Open connects to the database named by dsn. SQLite databases are migrated
// on open; PostgreSQL ones only when opts.Migrate is set, and otherwise
// must already be at the latest migration.
func Open(ctx context.Context, dsn string, opts Options) (s *Store, err error) {
	defer access.Wrap(&err, "store.Open(%s)", Redact(dsn))
	dialect, driverDSN, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := &gorm.Config{
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC() },
		SkipDefaultTransaction: true,
		TranslateError:         false,
	}
	var db *gorm.DB
	switch dialect {
	case SQLite:
		db, err = openSQLite(ctx, sqliteDSN(driverDSN), cfg)
	case Postgres:
		db, err = gorm.Open(postgres.Open(driverDSN), cfg)
	}
	if err != nil {
		return nil, &access.Error{Code: access.Internal, Msg: "cannot open database", Err: err}
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if dialect == SQLite {
		// One writer: SQLite serialises writes anyway, and a single
		// connection keeps an in-memory database alive and consistent.
		sqlDB.SetMaxOpenConns(1)
		sqlDB.SetMaxIdleConns(1)
		sqlDB.SetConnMaxLifetime(0)
	} else {
		maxOpen := opts.MaxOpenConns
		if maxOpen <= 0 {
			maxOpen = 20
		}
		sqlDB.SetMaxOpenConns(maxOpen)
		sqlDB.SetMaxIdleConns(max(1, maxOpen/2))
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	secrets, err := newSealer(opts.SecretKey, opts.PreviousSecretKey)
	if err != nil {
		sqlDB.Close()
		return nil, access.Errorf(access.Invalid, "", "%v", err)
	}
	s = &Store{db: db, sql: sqlDB, dialect: dialect, log: log, secrets: secrets}
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, &access.Error{Code: access.Internal, Msg: "database unreachable", Err: err}
	}
	if opts.Manual {
		return s, nil
	}
	if dialect == SQLite || opts.Migrate {
		if _, err := s.migrateOnOpen(ctx); err != nil {
			sqlDB.Close()
			return nil, err
		}
	} else if pending, err := s.pending(ctx); err != nil {
		sqlDB.Close()
		return nil, err
	} else if pending {
		sqlDB.Close()
		return nil, access.Errorf(access.Conflict, "", "the database schema is not up to date: run \"reliefgap migrate\" first")
	}
	if dialect == SQLite && !sqliteInMemory(driverDSN) {
		if err := s.openReaders(driverDSN, cfg); err != nil {
			sqlDB.Close()
			return nil, err
		}
	}
	if err := s.sealStoredSecrets(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// openSQLite opens an SQLite database. A connection's first statements
// switch a new file to WAL, which needs the file to itself: when another
// process opens the same new file at that moment (a CLI import and serve,
// say), SQLite answers "database is locked" at once instead of waiting,
// so the open is tried again for up to sqliteOpenWait.
func openSQLite(ctx context.Context, dsn string, cfg *gorm.Config) (*gorm.DB, error) {
	deadline := time.Now().Add(sqliteOpenWait)
	for wait := 10 * time.Millisecond; ; wait = min(2*wait, 500*time.Millisecond) {
		db, err := gorm.Open(sqlite.Open(dsn), cfg)
		if err == nil || !sqliteBusy(err) || time.Now().Add(wait).After(deadline) {
			return db, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(wait):
		}
	}
}

// sqliteBusy reports whether err is SQLite's "database is locked"
// (SQLITE_BUSY, with any extended code).
func sqliteBusy(err error) bool {
	var coded interface{ Code() int }
	return errors.As(err, &coded) && coded.Code()&0xff == sqlite3.SQLITE_BUSY
}

// sqliteOpenWait bounds how long opening an SQLite file waits for another
// process that holds it (the busy timeout of its connections).
const sqliteOpenWait = 10 * time.Second

// sqliteReaders is the size of the read pool of an SQLite file.
const sqliteReaders = 4

// openReaders opens the read-only pool of an SQLite file. In WAL mode its
// connections read the last committed state while the writer's
// transaction (an import) goes on, so readers are never blocked.
func (s *Store) openReaders(path string, cfg *gorm.Config) error {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	dsn := path + sep + "_pragma=busy_timeout(10000)&_pragma=query_only(1)&_time_format=sqlite"
	rdb, err := gorm.Open(sqlite.Open(dsn), cfg)
	if err != nil {
		return &access.Error{Code: access.Internal, Msg: "cannot open database readers", Err: err}
	}
	rsql, err := rdb.DB()
	if err != nil {
		return err
	}
	rsql.SetMaxOpenConns(sqliteReaders)
	rsql.SetMaxIdleConns(sqliteReaders)
	rsql.SetConnMaxLifetime(0)
	s.rdb, s.rsql, s.touching = rdb, rsql, make(chan struct{}, 1)
	return nil
}

func sqliteInMemory(path string) bool {
	return path == ":memory:" || strings.Contains(path, "mode=memory") || strings.HasPrefix(path, "file::memory:")
}

func sqliteDSN(path string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	// WAL lets readers read while the writer writes; synchronous NORMAL is
	// safe with WAL (a power cut may lose the last commits, never corrupt);
	// a larger page cache and in-memory temporary tables help imports.
	q := "_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-65536)&_pragma=temp_store(MEMORY)&_time_format=sqlite"
	if !sqliteInMemory(path) {
		q += "&_pragma=journal_mode(WAL)"
	}
	return path + sep + q
}

// reader is the pool reads go through.
func (s *Store) reader() *gorm.DB {
	if s.rdb != nil {
		return s.rdb
	}
	return s.db
}

// readerSQL is the database/sql pool reads go through.
func (s *Store) readerSQL() *sql.DB {
	if s.rsql != nil {
		return s.rsql
	}
	return s.sql
}

// Dialect reports which database this is.
func (s *Store) Dialect() Dialect { return s.dialect }

// Close closes the connection pools.
func (s *Store) Close() error {
	if s.rsql != nil {
		s.rsql.Close()
	}
	return s.sql.Close()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	db := s.sql
	if s.rsql != nil {
		db = s.rsql // the writer may be busy with an import; readers answer
	}
	if err := db.PingContext(ctx); err != nil {
		return &access.Error{Code: access.Internal, Op: "store.Ping", Msg: "database unreachable", Err: err}
	}
	return nil
}

func (s *Store) provider() (*goose.Provider, error) {
	var (
		fsys    fs.FS
		dialect goose.Dialect
		// Out of order: migrations written in parallel land on main in any
		// order (0007 after 0016); each is forward-only and independent,
		// so a database at 16 applies 0007 when it arrives.
		opts = []goose.ProviderOption{goose.WithDisableGlobalRegistry(true), goose.WithAllowOutofOrder(true)}
		err  error
	)
	switch s.dialect {
	case SQLite:
		fsys, err = fs.Sub(migrations.SQLite, "sqlite")
		dialect = goose.DialectSQLite3
	case Postgres:
		fsys, err = fs.Sub(migrations.Postgres, "postgres")
		dialect = goose.DialectPostgres
		locker, lerr := lock.NewPostgresSessionLocker()
		if lerr != nil {
			return nil, lerr
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(dialect, s.sql, fsys, opts...)
}

// MigrationResult is one applied migration.
type MigrationResult struct {
	Version  int64
	Name     string
	Duration time.Duration
}

// Migrate applies every pending migration and returns those it applied;
// with nothing pending it is a no-op.
func (s *Store) Migrate(ctx context.Context) (applied []MigrationResult, err error) {
	defer access.Wrap(&err, "store.Migrate")
	p, err := s.provider()
	if err != nil {
		return nil, err
	}
	res, err := p.Up(ctx)
	for _, r := range res {
		applied = append(applied, MigrationResult{Version: r.Source.Version, Name: r.Source.Path, Duration: r.Duration})
	}
	if err != nil {
		return applied, &access.Error{Code: access.Internal, Msg: "migration failed", Err: err}
	}
	return applied, nil
}

// migrateOnOpen migrates; on SQLite, where goose has no lock, two processes
// opening a new file at once (a CLI import and serve) may both try a
// migration: the loser's transaction rolls back, and trying again after the
// winner has finished finds nothing or less to do.
func (s *Store) migrateOnOpen(ctx context.Context) ([]MigrationResult, error) {
	applied, err := s.Migrate(ctx)
	for try := 0; err != nil && s.dialect == SQLite && try < 10; try++ {
		select {
		case <-ctx.Done():
			return applied, err
		case <-time.After(time.Duration(100*(try+1)) * time.Millisecond):
		}
		var more []MigrationResult
		more, err = s.Migrate(ctx)
		applied = append(applied, more...)
	}
	return applied, err
}

// SchemaVersion returns the version of the newest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	p, err := s.provider()
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
}

func (s *Store) pending(ctx context.Context) (bool, error) {
	p, err := s.provider()
	if err != nil {
		return false, err
	}
	ok, err := p.HasPending(ctx)
	if err != nil {
		return false, &access.Error{Code: access.Internal, Msg: "cannot read migration state", Err: err}
	}
	return ok, nil
}

// translate turns driver and gorm errors into coded domain errors.
func translate(err error, op string) error {
	if err == nil {
		return nil
	}
	var ae *access.Error
	if errors.As(err, &ae) {
		return err
	}
	if errors.Is(err, gorm.ErrRecordNotFound) || errors.Is(err, sql.ErrNoRows) {
		return &access.Error{Code: access.NotFound, Op: op, Msg: "not found", Err: err}
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "UNIQUE constraint") || strings.Contains(msg, "duplicate key") || strings.Contains(msg, "SQLSTATE 23505"):
		return &access.Error{Code: access.Conflict, Op: op, Msg: "already exists", Err: err}
	case strings.Contains(msg, "FOREIGN KEY constraint") || strings.Contains(msg, "SQLSTATE 23503"):
		return &access.Error{Code: access.Invalid, Op: op, Msg: "refers to something that does not exist", Err: err}
	case strings.Contains(msg, "CHECK constraint") || strings.Contains(msg, "SQLSTATE 23514"):
		return &access.Error{Code: access.Invalid, Op: op, Msg: "value out of range", Err: err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &access.Error{Code: access.Internal, Op: op, Msg: "cancelled", Err: err}
	}
	return &access.Error{Code: access.Internal, Op: op, Err: fmt.Errorf("%w", err)}
}

// SQL is the underlying connection pool, for its statistics (metrics).
func (s *Store) SQL() *sql.DB { return s.sql }
