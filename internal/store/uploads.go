package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/reliefgap/reliefgap/internal/access"
)

type blobRow struct {
	SHA256    string     `gorm:"column:sha256;primaryKey"`
	Size      int64      `gorm:"column:size"`
	Data      []byte     `gorm:"column:data"`
	Parts     int        `gorm:"column:parts"` // > 0: the bytes are in upload_blob_parts
	CreatedAt time.Time  `gorm:"column:created_at"`
	PrunedAt  *time.Time `gorm:"column:pruned_at"`
}

func (blobRow) TableName() string { return "upload_blobs" }

type uploadRow struct {
	ID            int64      `gorm:"column:id;primaryKey"`
	SHA256        string     `gorm:"column:sha256"`
	Filename      string     `gorm:"column:filename"`
	Size          int64      `gorm:"column:size"`
	Kind          string     `gorm:"column:kind"`
	Layout        string     `gorm:"column:layout"`
	Country       string     `gorm:"column:country"`
	Uploader      string     `gorm:"column:uploader"`
	UploaderKeyID int64      `gorm:"column:uploader_key_id"`
	Status        string     `gorm:"column:status"`
	Reason        string     `gorm:"column:reason"`
	ReceivedAt    time.Time  `gorm:"column:received_at"`
	DecidedAt     *time.Time `gorm:"column:decided_at"`
	Counts        string     `gorm:"column:counts"`
	Problems      string     `gorm:"column:problems"`
	Diff          string     `gorm:"column:diff"`
	Matches       string     `gorm:"column:matches"`
	SupersededBy  int64      `gorm:"column:superseded_by"`
	ReplaceScope  bool       `gorm:"column:replace_scope"`
	Supplement    int        `gorm:"column:supplement"`
	Source        string     `gorm:"column:source"`
	Licence       string     `gorm:"column:licence"`
	Citation      string     `gorm:"column:citation"`
}

func (uploadRow) TableName() string { return "uploads" }

func uploadToRow(u access.Upload) uploadRow {
	j := func(v any, empty string) string {
		b, err := json.Marshal(v)
		if err != nil || string(b) == "null" {
			return empty
		}
		return string(b)
	}
	return uploadRow{
		ID: u.ID, SHA256: u.SHA256, Filename: u.Filename, Size: u.Size, Kind: string(u.Kind), Layout: u.Layout,
		Country: u.Country, Uploader: u.Uploader, UploaderKeyID: u.UploaderKey, Status: string(u.Status), Reason: u.Reason,
		ReceivedAt: u.ReceivedAt, DecidedAt: u.DecidedAt, Counts: j(u.Counts, "{}"), Problems: j(u.Problems, "[]"),
		Diff: j(u.Diff, "{}"), Matches: j(u.Matches, "[]"), SupersededBy: u.SupersededBy,
		ReplaceScope: u.Replace, Supplement: u.Supplement,
		Source: u.Terms.Source, Licence: u.Terms.Licence, Citation: u.Terms.Citation,
	}
}

func rowToUpload(r uploadRow) access.Upload {
	u := access.Upload{
		ID: r.ID, SHA256: r.SHA256, Filename: r.Filename, Size: r.Size, Kind: access.ImportKind(r.Kind), Layout: r.Layout,
		Country: r.Country, Uploader: r.Uploader, UploaderKey: r.UploaderKeyID, Status: access.UploadStatus(r.Status),
		Reason: r.Reason, ReceivedAt: r.ReceivedAt.UTC(), DecidedAt: r.DecidedAt, SupersededBy: r.SupersededBy,
		Replace: r.ReplaceScope, Supplement: r.Supplement,
		Terms: access.Terms{Source: r.Source, Licence: r.Licence, Citation: r.Citation},
	}
	_ = json.Unmarshal([]byte(r.Counts), &u.Counts)
	_ = json.Unmarshal([]byte(r.Problems), &u.Problems)
	_ = json.Unmarshal([]byte(r.Diff), &u.Diff)
	_ = json.Unmarshal([]byte(r.Matches), &u.Matches)
	return u
}

// PutBlob keeps the bytes of an upload, addressed by their SHA-256. Storing
// the same bytes again is a no-op.
func (s *Store) PutBlob(ctx context.Context, sha string, data []byte) error {
	row := blobRow{SHA256: sha, Size: int64(len(data)), Data: data, CreatedAt: time.Now().UTC()}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
	if err == nil {
		// Bytes removed by retention come back when the file is sent again.
		err = s.db.WithContext(ctx).Exec(`UPDATE upload_blobs SET data = ?, pruned_at = NULL WHERE sha256 = ? AND pruned_at IS NOT NULL`, data, sha).Error
	}
	return translate(err, "store.PutBlob")
}

// blobPart is the size of the parts a blob stored from a file is kept in.
const blobPart = 1 << 20

// PutBlobFrom keeps the bytes read from r (a file of size bytes) under sha,
// in parts of blobPart bytes, reading and writing one part at a time.
// Bytes already stored are not read again; bytes removed by retention are
// stored again. It runs on a connection of its own, whose page cache on
// SQLite is held to 2 MiB meanwhile: the pool's 64 MiB would otherwise
// keep every page of a large file written.
func (s *Store) PutBlobFrom(ctx context.Context, sha string, size int64, r io.Reader) error {
	conn, sqlTx, tx, release, err := s.connTx(ctx, smallCachePragmas)
	if err != nil {
		return translate(err, "store.PutBlobFrom")
	}
	defer release()
	if err := s.putParts(ctx, conn, tx, sha, size, r); err != nil {
		_ = sqlTx.Rollback()
		return translate(err, "store.PutBlobFrom")
	}
	return translate(sqlTx.Commit(), "store.PutBlobFrom")
}

// putParts is PutBlobFrom's transaction (tx, on conn).
func (s *Store) putParts(ctx context.Context, conn *sql.Conn, tx *gorm.DB, sha string, size int64, r io.Reader) error {
	res := tx.Exec(`INSERT INTO upload_blobs (sha256, size, data, parts, created_at) VALUES (?, ?, ?, 0, ?) ON CONFLICT (sha256) DO NOTHING`,
		sha, size, []byte{}, time.Now().UTC())
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		var pruned sql.NullTime
		if err := tx.Raw("SELECT pruned_at FROM upload_blobs WHERE sha256 = ?", sha).Row().Scan(&pruned); err != nil {
			return err
		}
		if !pruned.Valid {
			return nil // stored already
		}
		if err := tx.Exec("DELETE FROM upload_blob_parts WHERE sha256 = ?", sha).Error; err != nil {
			return err
		}
	}
	parts := int((size + blobPart - 1) / blobPart)
	if s.dialect == Postgres {
		// The commit does not wait for its WAL to reach the disk: the
		// upload that names these bytes is recorded by a later commit,
		// which does wait, and flushes this one's WAL with its own. A
		// crash in between loses only bytes nothing names yet.
		if err := tx.Exec("SET LOCAL synchronous_commit = off").Error; err != nil {
			return err
		}
		if err := copyParts(ctx, conn, sha, size, r); err != nil {
			return err
		}
	} else {
		buf := make([]byte, blobPart)
		for n := range parts {
			k := int(min(blobPart, size-int64(n)*blobPart))
			if _, err := io.ReadFull(r, buf[:k]); err != nil {
				return shortFile(err, size)
			}
			if err := tx.Exec("INSERT INTO upload_blob_parts (sha256, n, data) VALUES (?, ?, ?)", sha, n, buf[:k]).Error; err != nil {
				return err
			}
		}
		if err := atEOF(r, size); err != nil {
			return err
		}
	}
	return tx.Exec("UPDATE upload_blobs SET parts = ?, size = ?, data = ?, pruned_at = NULL WHERE sha256 = ?", parts, size, []byte{}, sha).Error
}

// copyParts stores the size bytes of r as the parts of blob sha with one
// COPY (PostgreSQL): read from the file as the server takes them, without
// a statement and its round trip per part.
func copyParts(ctx context.Context, conn *sql.Conn, sha string, size int64, r io.Reader) error {
	pr, pw := io.Pipe()
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		pw.CloseWithError(writeParts(pw, sha, size, r))
	}()
	err := copyFrom(ctx, conn, pr, copySQL("upload_blob_parts", []string{"sha256", "n", "data"}))
	pr.CloseWithError(errors.New("store: the COPY of the parts ended")) // the writer stops if the COPY did first
	<-wrote
	return err
}

// writeParts writes COPY's binary format of the parts of blob sha, read
// from r (size bytes), to w.
func writeParts(w io.Writer, sha string, size int64, r io.Reader) error {
	var c copyBuf
	c.start()
	for n := int64(0); n*blobPart < size; n++ {
		k := min(blobPart, size-n*blobPart)
		c.b = binary.BigEndian.AppendUint16(c.b, 3)
		if err := c.value(sha, oidText); err != nil {
			return err
		}
		if err := c.value(n, oidInt4); err != nil {
			return err
		}
		c.b = binary.BigEndian.AppendUint32(c.b, uint32(k))
		if _, err := w.Write(c.b); err != nil {
			return err
		}
		c.b = c.b[:0]
		if _, err := io.CopyN(w, r, k); err != nil {
			return shortFile(err, size)
		}
	}
	if err := atEOF(r, size); err != nil {
		return err
	}
	c.end()
	_, err := w.Write(c.b)
	return err
}

// shortFile explains a file that ended before its size.
func shortFile(err error, size int64) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("the file changed while it was stored: shorter than its %d bytes", size)
	}
	return err
}

// atEOF makes sure r has nothing after its size bytes, and lets it see
// its end (hashCheck checks the hash there).
func atEOF(r io.Reader, size int64) error {
	var one [1]byte
	n, err := io.ReadFull(r, one[:])
	if n > 0 {
		return fmt.Errorf("the file changed while it was stored: longer than its %d bytes", size)
	}
	if err == io.EOF {
		return nil
	}
	return err
}

// smallCachePragmas hold a SQLite connection's page cache to 2 MiB.
var smallCachePragmas = []string{"cache_size", "-2048"}

// smallCache holds a SQLite connection's page cache to 2 MiB until
// restore puts its own size back.
func smallCache(ctx context.Context, conn *sql.Conn) (restore func(), err error) {
	return setPragmas(ctx, conn, smallCachePragmas)
}

// connTx begins a transaction on a connection of its own; on SQLite the
// pragmas (name, value, …) are set on it first, outside the transaction
// (SQLite refuses to change temp_store inside one). The transaction is the
// caller's to end; release then puts the pragmas back and returns the
// connection. tx is a gorm session bound to the transaction.
func (s *Store) connTx(ctx context.Context, pragmas []string) (conn *sql.Conn, sqlTx *sql.Tx, tx *gorm.DB, release func(), err error) {
	conn, err = s.sql.Conn(ctx)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	release = func() { conn.Close() }
	if s.dialect == SQLite && len(pragmas) > 0 {
		restore, err := setPragmas(ctx, conn, pragmas)
		if err != nil {
			conn.Close()
			return nil, nil, nil, nil, err
		}
		release = func() { restore(); conn.Close() }
	}
	if sqlTx, err = conn.BeginTx(ctx, nil); err != nil {
		release()
		return nil, nil, nil, nil, err
	}
	tx = s.db.WithContext(ctx).Session(&gorm.Session{NewDB: true})
	tx.Statement.ConnPool = sqlTx
	return conn, sqlTx, tx, release, nil
}

// Blob returns the bytes stored under sha.
func (s *Store) Blob(ctx context.Context, sha string) ([]byte, error) {
	var b bytes.Buffer
	if err := s.BlobTo(ctx, sha, &b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// BlobTo writes the bytes stored under sha to w, one part at a time.
func (s *Store) BlobTo(ctx context.Context, sha string, w io.Writer) error {
	var row blobRow
	err := s.reader().WithContext(ctx).Where("sha256 = ?", sha).Take(&row).Error
	if err != nil {
		return translate(err, "store.Blob")
	}
	if row.PrunedAt != nil {
		return access.Errorf(access.NotFound, "store.Blob", "the file's bytes were removed by the retention rule on %s", row.PrunedAt.UTC().Format("2006-01-02"))
	}
	if row.Parts == 0 {
		_, err := w.Write(row.Data)
		return err
	}
	row.Data = nil
	// One connection reads the parts; on SQLite its page cache is held to
	// 2 MiB meanwhile, so that reading a large file back does not leave all
	// of its pages cached.
	conn, err := s.readerSQL().Conn(ctx)
	if err != nil {
		return translate(err, "store.Blob")
	}
	defer conn.Close()
	if s.dialect == SQLite {
		restore, err := smallCache(ctx, conn)
		if err != nil {
			return translate(err, "store.Blob")
		}
		defer restore()
	}
	q := "SELECT data FROM upload_blob_parts WHERE sha256 = ? AND n = ?"
	if s.dialect == Postgres {
		q = "SELECT data FROM upload_blob_parts WHERE sha256 = $1 AND n = $2"
	}
	for n := range row.Parts {
		var part []byte
		if err := conn.QueryRowContext(ctx, q, sha, n).Scan(&part); err != nil {
			return translate(err, "store.Blob")
		}
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	return nil
}

// CreateUpload records a new upload and sets its ID. With once set, the
// same bytes for the same kind and scope make one upload: under a lock on
// that triple (an advisory lock on PostgreSQL; SQLite has one writer), an
// upload in flight or stored is returned with duplicate set instead.
//
// The job, if given, is recorded in the same transaction, with Ref naming
// the new upload: an upload is never left without the job that processes it.
func (s *Store) CreateUpload(ctx context.Context, u *access.Upload, once bool, job *access.Job) (first access.Upload, duplicate bool, err error) {
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		if once {
			if s.dialect == Postgres {
				if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", u.SHA256+"/"+u.Country).Error; err != nil {
					return err
				}
			}
			var ok bool
			var err error
			if first, ok, err = findUpload(tx, u.SHA256, u.Kind, u.Country); err != nil || ok {
				duplicate = ok
				return err
			}
		}
		row := uploadToRow(*u)
		row.ID = 0
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		u.ID = row.ID
		if job != nil {
			job.Ref = access.UploadRef(u.ID)
			return enqueue(tx, job)
		}
		return nil
	})
	return first, duplicate, translate(err, "store.CreateUpload")
}

// UpdateUpload saves an upload's status, counts, problems and diff
// unconditionally (tools and tests; the import service uses TransitionUpload).
func (s *Store) UpdateUpload(ctx context.Context, u access.Upload) error {
	row := uploadToRow(u)
	err := s.db.WithContext(ctx).Model(&uploadRow{ID: u.ID}).Select("*").Omit("id", "sha256", "received_at").Updates(&row).Error
	return translate(err, "store.UpdateUpload")
}

// TransitionUpload saves u only if the stored upload's status is one of
// from: a conditional write, so that of two concurrent decisions exactly
// one wins and the other gets a Conflict error.
func (s *Store) TransitionUpload(ctx context.Context, u access.Upload, from ...access.UploadStatus) error {
	return translate(transitionUpload(s.db.WithContext(ctx), u, from...), "store.TransitionUpload")
}

func transitionUpload(tx *gorm.DB, u access.Upload, from ...access.UploadStatus) error {
	row := uploadToRow(u)
	st := make([]string, len(from))
	for i, f := range from {
		st[i] = string(f)
	}
	res := tx.Model(&uploadRow{}).Where("id = ? AND status IN ?", u.ID, st).
		Select("*").Omit("id", "sha256", "received_at").Updates(&row)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return uploadConflict(tx, u.ID, u.Status)
	}
	return nil
}

// uploadConflict explains why upload id could not move to status to.
func uploadConflict(tx *gorm.DB, id int64, to access.UploadStatus) error {
	var cur string
	if err := tx.Raw("SELECT status FROM uploads WHERE id = ?", id).Row().Scan(&cur); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return access.Errorf(access.NotFound, "", "no upload %d", id)
		}
		return err
	}
	return access.Errorf(access.Conflict, "", "upload %d is %s; it cannot become %s", id, cur, to)
}

// Upload returns one upload by id.
func (s *Store) Upload(ctx context.Context, id int64) (access.Upload, error) {
	var row uploadRow
	if err := s.reader().WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return access.Upload{}, translate(err, "store.Upload")
	}
	return rowToUpload(row), nil
}

// FindUpload returns the earliest upload of the same bytes, kind (any kind
// when kind is "") and scope that is in flight (received, validating) or
// stored (submitted, published, superseded), if there is one.
func (s *Store) FindUpload(ctx context.Context, sha string, kind access.ImportKind, country string) (access.Upload, bool, error) {
	u, ok, err := findUpload(s.db.WithContext(ctx), sha, kind, country)
	return u, ok, translate(err, "store.FindUpload")
}

func findUpload(tx *gorm.DB, sha string, kind access.ImportKind, country string) (access.Upload, bool, error) {
	var rows []uploadRow
	q := tx.Where("sha256 = ? AND country = ? AND status NOT IN ?", sha, country,
		[]string{string(access.StatusRejected), string(access.StatusDryRun), string(access.StatusFailed)})
	if kind != "" {
		q = q.Where("kind = ?", string(kind))
	}
	if err := q.Order("id").Limit(1).Find(&rows).Error; err != nil {
		return access.Upload{}, false, err
	}
	if len(rows) == 0 {
		return access.Upload{}, false, nil
	}
	return rowToUpload(rows[0]), true, nil
}

// Uploads lists uploads, newest first, after the cursor id (exclusive).
func (s *Store) Uploads(ctx context.Context, f access.UploadFilter) ([]access.Upload, error) {
	q := s.reader().WithContext(ctx).Order("id DESC")
	if f.Country != "" {
		q = q.Where("country = ?", f.Country)
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", string(f.Kind))
	}
	if f.UploaderKey != 0 {
		q = q.Where("uploader_key_id = ?", f.UploaderKey)
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var rows []uploadRow
	if err := q.Limit(limit).Find(&rows).Error; err != nil {
		return nil, translate(err, "store.Uploads")
	}
	out := make([]access.Upload, len(rows))
	for i, r := range rows {
		out[i] = rowToUpload(r)
	}
	return out, nil
}

// inTx runs fn in a transaction.
func (s *Store) inTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.db.WithContext(ctx).Transaction(fn)
}
