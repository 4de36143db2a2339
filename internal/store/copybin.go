package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Rows are copied into PostgreSQL in COPY's binary format, written here
// from the staged values. pgx's CopyFrom would do the same, but looks up
// an encode plan for every value and wants every row as a fresh []any;
// at a few hundred thousand rows that was a fifth of an import's work on
// the client.

// PostgreSQL type OIDs of the columns rows are copied into.
const (
	oidBool    = 16
	oidInt8    = 20
	oidInt4    = 23
	oidText    = 25
	oidFloat8  = 701
	oidVarchar = 1043
)

// copyBuf holds one COPY's rows in the binary format.
type copyBuf struct {
	b []byte
}

// start begins a COPY: the signature, no flags, no header extension.
func (c *copyBuf) start() {
	c.b = append(c.b[:0], "PGCOPY\n\xff\r\n\x00"...)
	c.b = binary.BigEndian.AppendUint32(c.b, 0)
	c.b = binary.BigEndian.AppendUint32(c.b, 0)
}

// end closes a COPY.
func (c *copyBuf) end() { c.b = binary.BigEndian.AppendUint16(c.b, 0xffff) }

// row appends one row: the values vals (of the column types oids), then
// extra.
func (c *copyBuf) row(vals []any, oids []uint32, extra ...any) error {
	c.b = binary.BigEndian.AppendUint16(c.b, uint16(len(vals)+len(extra)))
	for i, v := range vals {
		if err := c.value(v, oids[i]); err != nil {
			return err
		}
	}
	for i, v := range extra {
		if err := c.value(v, oids[len(vals)+i]); err != nil {
			return err
		}
	}
	return nil
}

// value appends one field: its length, then its bytes; a nil is NULL.
func (c *copyBuf) value(v any, oid uint32) error {
	if v == nil {
		c.b = binary.BigEndian.AppendUint32(c.b, math.MaxUint32) // -1
		return nil
	}
	switch oid {
	case oidInt4, oidInt8:
		var n int64
		switch x := v.(type) {
		case int:
			n = int64(x)
		case int64:
			n = x
		case int32:
			n = int64(x)
		default:
			return fmt.Errorf("store: COPY of %T into an integer column", v)
		}
		if oid == oidInt4 {
			if n < math.MinInt32 || n > math.MaxInt32 {
				return fmt.Errorf("store: %d is out of range for an integer column", n)
			}
			c.b = binary.BigEndian.AppendUint32(c.b, 4)
			c.b = binary.BigEndian.AppendUint32(c.b, uint32(int32(n)))
			return nil
		}
		c.b = binary.BigEndian.AppendUint32(c.b, 8)
		c.b = binary.BigEndian.AppendUint64(c.b, uint64(n))
	case oidFloat8:
		f, ok := v.(float64)
		if !ok {
			return fmt.Errorf("store: COPY of %T into a double precision column", v)
		}
		c.b = binary.BigEndian.AppendUint32(c.b, 8)
		c.b = binary.BigEndian.AppendUint64(c.b, math.Float64bits(f))
	case oidText, oidVarchar:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("store: COPY of %T into a text column", v)
		}
		if len(s) > math.MaxInt32 {
			return fmt.Errorf("store: a text value of %d bytes", len(s))
		}
		c.b = binary.BigEndian.AppendUint32(c.b, uint32(len(s)))
		c.b = append(c.b, s...)
	case oidBool:
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("store: COPY of %T into a boolean column", v)
		}
		c.b = binary.BigEndian.AppendUint32(c.b, 1)
		if b {
			c.b = append(c.b, 1)
		} else {
			c.b = append(c.b, 0)
		}
	default:
		return fmt.Errorf("store: COPY into a column of type %d is not supported", oid)
	}
	return nil
}

// columnTypes are the type OIDs of table's columns cols, looked up once
// per table and transaction (a temporary table is the session's own).
func (w *ImportTx) columnTypes(ctx context.Context, table string, cols []string) ([]uint32, error) {
	key := table + "\x00" + strings.Join(cols, ",")
	if t, ok := w.colTypes[key]; ok {
		return t, nil
	}
	rows, err := w.sqlTx.QueryContext(ctx, `SELECT attname, atttypid FROM pg_attribute
WHERE attrelid = CAST($1 AS regclass) AND attnum > 0 AND NOT attisdropped`, pgx.Identifier{table}.Sanitize())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byName := map[string]uint32{}
	for rows.Next() {
		var name string
		var oid uint32
		if err := rows.Scan(&name, &oid); err != nil {
			return nil, err
		}
		byName[name] = oid
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]uint32, len(cols))
	for i, c := range cols {
		oid, ok := byName[c]
		if !ok {
			return nil, fmt.Errorf("store: %s has no column %s", table, c)
		}
		out[i] = oid
	}
	if w.colTypes == nil {
		w.colTypes = map[string][]uint32{}
	}
	w.colTypes[key] = out
	return out, nil
}

// copySQL is the COPY statement for table's columns cols, in the binary
// format.
func copySQL(table string, cols []string) string {
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = pgx.Identifier{c}.Sanitize()
	}
	return fmt.Sprintf("COPY %s (%s) FROM STDIN (FORMAT binary)", pgx.Identifier{table}.Sanitize(), strings.Join(quoted, ", "))
}

// copyFrom runs the COPY q on conn, reading its data from r.
func copyFrom(ctx context.Context, conn *sql.Conn, r io.Reader, q string) error {
	return conn.Raw(func(dc any) error {
		c, err := pgxConn(dc)
		if err != nil {
			return err
		}
		_, err = c.PgConn().CopyFrom(ctx, r, q)
		return err
	})
}

// copyStream is one COPY kept open across batches, so that the server
// stores a batch while the next is read and checked instead of waiting
// for it: rows go into a table published as they arrive (stageDirect).
// Anything else the transaction does on its connection ends the stream
// first (endCopy); the next batch opens another.
type copyStream struct {
	table  string
	chunks chan []byte   // encoded rows, in order; closed at the end
	done   chan struct{} // closed when the COPY has ended
	err    error         // the COPY's outcome, once done
	cur    []byte        // what Read has yet to hand on of the chunk it took
	last   []byte        // the chunk Read took last
	spare  chan []byte   // chunks sent, for reuse
}

// Read hands the encoded rows to the COPY as they come.
func (c *copyStream) Read(p []byte) (int, error) {
	for len(c.cur) == 0 {
		if c.last != nil {
			// Every byte of the last chunk has been handed on: it may
			// take the next batch's rows.
			select {
			case c.spare <- c.last[:0]:
			default:
			}
			c.last = nil
		}
		b, ok := <-c.chunks
		if !ok {
			return 0, io.EOF
		}
		c.cur, c.last = b, b
	}
	n := copy(p, c.cur)
	c.cur = c.cur[n:]
	return n, nil
}

// send queues one chunk, unless the COPY has already ended (failed).
func (c *copyStream) send(b []byte) error {
	select {
	case c.chunks <- b:
		return nil
	case <-c.done:
		if c.err != nil {
			return c.err
		}
		return errors.New("store: the COPY ended early")
	}
}

// chunk is an empty buffer for the next batch's rows.
func (c *copyStream) chunk() []byte {
	select {
	case b := <-c.spare:
		return b
	default:
		return nil
	}
}

// streamRows copies rows (followed by extra) into table's columns cols
// through the transaction's open COPY into table, opening one if need be.
func (w *ImportTx) streamRows(ctx context.Context, table string, cols []string, rows [][]any, extra ...any) error {
	if w.stream != nil && w.stream.table != table {
		if err := w.endCopy(); err != nil {
			return err
		}
	}
	oids, err := w.columnTypes(ctx, table, cols) // looked up before the COPY opens
	if err != nil {
		return err
	}
	if w.stream == nil {
		if err := w.openCopy(ctx, table, cols); err != nil {
			return err
		}
	}
	c := &copyBuf{b: w.stream.chunk()}
	for _, r := range rows {
		if err := c.row(r, oids, extra...); err != nil {
			return err
		}
	}
	return w.stream.send(c.b)
}

// openCopy starts a COPY into table's columns cols on the transaction's
// connection; it runs until endCopy.
func (w *ImportTx) openCopy(ctx context.Context, table string, cols []string) error {
	st := &copyStream{table: table, chunks: make(chan []byte, 2), done: make(chan struct{}), spare: make(chan []byte, 4)}
	w.stream = st
	go func() {
		defer close(st.done)
		st.err = copyFrom(ctx, w.conn, st, copySQL(table, cols))
	}()
	var head copyBuf
	head.start()
	return st.send(head.b)
}

// endCopy ends the open COPY, if any, and says how it went.
func (w *ImportTx) endCopy() error {
	st := w.stream
	if st == nil {
		return nil
	}
	w.stream = nil
	var tail copyBuf
	tail.end()
	err := st.send(tail.b)
	close(st.chunks)
	<-st.done
	if err != nil {
		return err
	}
	return st.err
}
