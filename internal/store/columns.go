package store

import (
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5/pgtype"
)

// The column types below scan the input tables' values as drivers hand
// them over (int64, float64, string or []byte, nil) without the
// reflection database/sql falls back on for int and float fields, and
// without a string allocated per text cell: a few thousand distinct
// codes, sources and sheets stand for the hundred thousand rows read.
// Any other value is converted as database/sql would, through its text.
//
// On PostgreSQL the inputs are read with pgx itself (scanPG), which
// hands each value to the methods below as it decodes it: the text's bytes
// in its own buffer, the numbers decoded, none boxed in an interface.

// inputColumns makes the columns of one read of the inputs: its text
// columns share their interned strings, and its optional figures are
// handed out from blocks rather than allocated one by one.
type inputColumns struct {
	seen   map[string]string
	floats []float64
}

func newInputColumns() *inputColumns { return &inputColumns{seen: map[string]string{}} }

// textColumn holds the last text scanned, interned.
type textColumn struct {
	s    string
	seen map[string]string
}

func (c *inputColumns) text() *textColumn { return &textColumn{seen: c.seen} }

func (t *textColumn) Scan(src any) error {
	switch v := src.(type) {
	case []byte:
		return t.ScanBytes(v)
	case string:
		if s, ok := t.seen[v]; ok {
			t.s = s
			return nil
		}
		t.s = v
	case nil:
		return fmt.Errorf("converting NULL to string is unsupported")
	default:
		t.s = asText(v)
	}
	t.seen[t.s] = t.s
	return nil
}

// ScanBytes takes a text value's bytes (in pgx's buffer, valid until the
// next row, or as the SQLite driver hands a blob over): interned, it is
// allocated only the first time it is seen. The input tables' text
// columns are NOT NULL; a NULL from pgx would read as "".
func (t *textColumn) ScanBytes(v []byte) error {
	if s, ok := t.seen[string(v)]; ok {
		t.s = s
		return nil
	}
	t.s = string(v)
	t.seen[t.s] = t.s
	return nil
}

// nullFloatColumn holds the last number scanned, or none for NULL.
type nullFloatColumn struct {
	v     float64
	valid bool
}

func (c *inputColumns) nullFloat() *nullFloatColumn { return &nullFloatColumn{} }

func (n *nullFloatColumn) Scan(src any) error {
	if src == nil {
		n.v, n.valid = 0, false
		return nil
	}
	n.valid = true
	return (*floatColumn)(&n.v).Scan(src)
}

func (n *nullFloatColumn) ScanFloat64(v pgtype.Float8) error {
	n.v, n.valid = v.Float64, v.Valid
	return nil
}

// ptr is a pointer to n's number, nil for NULL.
func (c *inputColumns) ptr(n *nullFloatColumn) *float64 {
	if !n.valid {
		return nil
	}
	if len(c.floats) == cap(c.floats) {
		c.floats = make([]float64, 0, 1024)
	}
	c.floats = append(c.floats, n.v)
	return &c.floats[len(c.floats)-1]
}

type floatColumn float64

func (f *floatColumn) Scan(src any) error {
	switch v := src.(type) {
	case float64:
		*f = floatColumn(v)
		return nil
	case nil:
		return fmt.Errorf("converting NULL to float64 is unsupported")
	}
	x, err := strconv.ParseFloat(asText(src), 64)
	*f = floatColumn(x)
	return err
}

func (f *floatColumn) ScanFloat64(v pgtype.Float8) error {
	if !v.Valid {
		return fmt.Errorf("converting NULL to float64 is unsupported")
	}
	*f = floatColumn(v.Float64)
	return nil
}

type intColumn int

func (i *intColumn) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		if int64(int(v)) != v {
			return fmt.Errorf("converting %d to int: out of range", v)
		}
		*i = intColumn(v)
		return nil
	case nil:
		return fmt.Errorf("converting NULL to int is unsupported")
	}
	x, err := strconv.ParseInt(asText(src), 10, strconv.IntSize)
	*i = intColumn(x)
	return err
}

func (i *intColumn) ScanInt64(v pgtype.Int8) error {
	if !v.Valid {
		return fmt.Errorf("converting NULL to int is unsupported")
	}
	if int64(int(v.Int64)) != v.Int64 {
		return fmt.Errorf("converting %d to int: out of range", v.Int64)
	}
	*i = intColumn(v.Int64)
	return nil
}

type int64Column int64

func (i *int64Column) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		*i = int64Column(v)
		return nil
	case nil:
		return fmt.Errorf("converting NULL to int64 is unsupported")
	}
	x, err := strconv.ParseInt(asText(src), 10, 64)
	*i = int64Column(x)
	return err
}

func (i *int64Column) ScanInt64(v pgtype.Int8) error {
	if !v.Valid {
		return fmt.Errorf("converting NULL to int64 is unsupported")
	}
	*i = int64Column(v.Int64)
	return nil
}

// asText is a driver value as text, as database/sql writes it when it
// converts through text.
func asText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprintf("%v", v)
}
