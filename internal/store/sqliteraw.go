package store

import (
	"errors"
	"fmt"
	"reflect"
	"unsafe"

	"modernc.org/libc"
	"modernc.org/libc/sys/types"
	sqlite3 "modernc.org/sqlite/lib"
)

// rawInsert is an INSERT prepared once on one SQLite connection and run
// for every row staged in the transaction: bind, step, reset. The SQLite
// driver (database/sql) prepares a statement's text again on every
// execution and binds each argument by searching the statement's
// parameters, which made parsing SQL and binding the bulk of staging.
//
// It reaches the connection's handle below database/sql (sqliteHandle);
// if a driver version lays its connection out differently the import
// stages through database/sql as before.
type rawInsert struct {
	tls  *libc.TLS
	db   uintptr
	stmt uintptr
	buf  uintptr // the current row's text values, back to back
	size int     // bytes allocated at buf
}

// sqliteHandle returns the SQLite handle and the C runtime state of the
// driver connection dc (what database/sql's Conn.Raw passes).
func sqliteHandle(dc any) (tls *libc.TLS, db uintptr, ok bool) {
	v := reflect.ValueOf(dc)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, 0, false
	}
	v = v.Elem()
	fdb, ftls := v.FieldByName("db"), v.FieldByName("tls")
	if !fdb.IsValid() || !ftls.IsValid() || fdb.Kind() != reflect.Uintptr || ftls.Type() != reflect.TypeFor[*libc.TLS]() {
		return nil, 0, false
	}
	db = *(*uintptr)(unsafe.Pointer(fdb.UnsafeAddr()))
	tls = *(**libc.TLS)(unsafe.Pointer(ftls.UnsafeAddr()))
	return tls, db, tls != nil && db != 0
}

// prepareRawInsert prepares q on the connection.
func prepareRawInsert(tls *libc.TLS, db uintptr, q string) (*rawInsert, error) {
	zSQL, err := libc.CString(q)
	if err != nil {
		return nil, err
	}
	defer libc.Xfree(tls, zSQL)
	pp := libc.Xmalloc(tls, types.Size_t(unsafe.Sizeof(uintptr(0))))
	if pp == 0 {
		return nil, errors.New("store: out of memory preparing a statement")
	}
	defer libc.Xfree(tls, pp)
	if rc := sqlite3.Xsqlite3_prepare_v2(tls, db, zSQL, -1, pp, 0); rc != sqlite3.SQLITE_OK {
		return nil, rawErr(tls, db, rc)
	}
	r := &rawInsert{tls: tls, db: db, stmt: *(*uintptr)(ptr(pp))}
	if r.stmt == 0 {
		return nil, fmt.Errorf("store: %q prepared to nothing", q)
	}
	return r, nil
}

// ptr turns an address in the C runtime's memory (never Go's heap) into
// a pointer.
func ptr(p uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&p)) }

func rawErr(tls *libc.TLS, db uintptr, rc int32) error {
	return &rawError{msg: libc.GoString(sqlite3.Xsqlite3_errmsg(tls, db)), code: rc, ext: sqlite3.Xsqlite3_extended_errcode(tls, db)}
}

// rawError is an error of SQLite itself: its message, result code and
// extended result code (SQLITE_CONSTRAINT_FOREIGNKEY, say).
type rawError struct {
	msg       string
	code, ext int32
}

func (e *rawError) Error() string { return fmt.Sprintf("sqlite: %s (%d)", e.msg, e.code) }

// rowRefused is a row the database refused, and why.
type rowRefused struct {
	row []any
	err error
}

func (e *rowRefused) Error() string { return e.err.Error() }
func (e *rowRefused) Unwrap() error { return e.err }

// exec runs the statement for rows, as many as it has rows of parameters.
func (r *rawInsert) exec(rows ...[]any) error {
	text := 0
	for _, row := range rows {
		for _, v := range row {
			if s, ok := v.(string); ok {
				text += len(s) + 1
			}
		}
	}
	if text > r.size {
		if r.buf != 0 {
			libc.Xfree(r.tls, r.buf)
		}
		r.size = max(text, 256)
		if r.buf = libc.Xmalloc(r.tls, types.Size_t(r.size)); r.buf == 0 {
			r.size = 0
			return errors.New("store: out of memory staging a row")
		}
	}
	at := r.buf
	n := int32(0)
	for _, row := range rows {
		for _, v := range row {
			n++
			if err := r.bind(n, v, &at); err != nil {
				return err
			}
		}
	}
	rc := sqlite3.Xsqlite3_step(r.tls, r.stmt)
	reset := sqlite3.Xsqlite3_reset(r.tls, r.stmt)
	if rc != sqlite3.SQLITE_DONE {
		return rawErr(r.tls, r.db, rc)
	}
	if reset != sqlite3.SQLITE_OK {
		return rawErr(r.tls, r.db, reset)
	}
	return nil
}

// bind binds v to parameter n; a text value is copied to *at, in the
// row buffer, which it then points past.
func (r *rawInsert) bind(n int32, v any, at *uintptr) error {
	var rc int32
	switch v := v.(type) {
	case nil:
		rc = sqlite3.Xsqlite3_bind_null(r.tls, r.stmt, n)
	case string:
		copy(unsafe.Slice((*byte)(ptr(*at)), len(v)), v)
		rc = sqlite3.Xsqlite3_bind_text(r.tls, r.stmt, n, *at, int32(len(v)), 0) // static: kept until the next execution
		*at += uintptr(len(v)) + 1
	case int:
		rc = sqlite3.Xsqlite3_bind_int64(r.tls, r.stmt, n, int64(v))
	case int64:
		rc = sqlite3.Xsqlite3_bind_int64(r.tls, r.stmt, n, v)
	case float64:
		rc = sqlite3.Xsqlite3_bind_double(r.tls, r.stmt, n, v)
	case bool:
		b := int64(0)
		if v {
			b = 1
		}
		rc = sqlite3.Xsqlite3_bind_int64(r.tls, r.stmt, n, b)
	default:
		return fmt.Errorf("store: cannot stage a %T", v)
	}
	if rc != sqlite3.SQLITE_OK {
		return rawErr(r.tls, r.db, rc)
	}
	return nil
}

// close finalizes the statement and frees its buffer.
func (r *rawInsert) close() {
	if r.stmt != 0 {
		sqlite3.Xsqlite3_finalize(r.tls, r.stmt)
		r.stmt = 0
	}
	if r.buf != 0 {
		libc.Xfree(r.tls, r.buf)
		r.buf, r.size = 0, 0
	}
}
