package importers

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// fakeRows yields n rows numbered 2, 4, 6 … of varying width, then err;
// with panicAt set it panics when asked for that row.
type fakeRows struct {
	n, i, panicAt int
	err           error
	row           []string
	closed        bool
}

func (f *fakeRows) Next() bool {
	if f.i == f.n {
		return false
	}
	f.i++
	if f.i == f.panicAt {
		panic("broken row")
	}
	f.row = f.row[:0] // reused, as a reader may reuse its slice
	for c := 0; c < f.i%7; c++ {
		f.row = append(f.row, fmt.Sprintf("r%dc%d", f.i, c))
	}
	return true
}
func (f *fakeRows) Row() []string { return f.row }

// NumericCells: in row i, cell c is a number when (i+c) is even.
func (f *fakeRows) NumericCells() []bool {
	out := make([]bool, len(f.row))
	for c := range out {
		out[c] = (f.i+c)%2 == 0
	}
	return out
}
func (f *fakeRows) RowNum() int  { return 2 * f.i }
func (f *fakeRows) Err() error   { return f.err }
func (f *fakeRows) Close() error { f.closed = true; return nil }

// Read ahead, the rows, their numbers and the source's final error are
// those of the source, across many more chunks than are held at once (so
// that chunks are filled again), and the row before the current one, with
// its numeric cells, stays as it was when it was read.
func TestAheadRowsReadsTheSameRows(t *testing.T) {
	wantErr := errors.New("truncated")
	n := 12*aheadRowsPerChunk + 17
	src := &fakeRows{n: n, err: wantErr}
	a := newAheadRows(src)
	// The first rows are read before start, as a sheet's header is.
	if !a.Next() || a.RowNum() != 2 || strings.Join(a.Row(), ",") != "r1c0" {
		t.Fatalf("first row %d %q", a.RowNum(), a.Row())
	}
	a.start()
	var prev []string
	var prevNum []bool
	prevWant, prevNumWant := "", ""
	i := 1
	for a.Next() {
		i++
		if got := strings.Join(prev, ","); i > 2 && (got != prevWant || fmt.Sprint(prevNum) != prevNumWant) {
			t.Fatalf("row %d, read before row %d, changed: %q %v", i-1, i, got, prevNum)
		}
		want := make([]string, i%7)
		wantNum := make([]bool, i%7)
		for c := range want {
			want[c] = fmt.Sprintf("r%dc%d", i, c)
			wantNum[c] = (i+c)%2 == 0
		}
		if a.RowNum() != 2*i || strings.Join(a.Row(), ",") != strings.Join(want, ",") || fmt.Sprint(a.NumericCells()) != fmt.Sprint(wantNum) {
			t.Fatalf("row %d: %d %q %v", i, a.RowNum(), a.Row(), a.NumericCells())
		}
		prev, prevNum = a.Row(), a.NumericCells()
		prevWant, prevNumWant = strings.Join(want, ","), fmt.Sprint(wantNum)
	}
	if i != n || !errors.Is(a.Err(), wantErr) {
		t.Fatalf("%d rows, err %v", i, a.Err())
	}
	if a.Next() {
		t.Fatal("Next after the end")
	}
	if err := a.Close(); err != nil || !src.closed {
		t.Fatalf("Close = %v, closed %v", err, src.closed)
	}
}

// A reader that stops early (a row limit, an error) closes the source:
// the goroutine stops and nothing is left running.
func TestAheadRowsCloseStopsReading(t *testing.T) {
	before := runtime.NumGoroutine()
	for k := 0; k < 20; k++ {
		src := &fakeRows{n: 100 * aheadRowsPerChunk}
		a := newAheadRows(src)
		a.start()
		for j := 0; j < k*50 && a.Next(); j++ {
		}
		if err := a.Close(); err != nil || !src.closed {
			t.Fatalf("Close = %v, closed %v", err, src.closed)
		}
		if src.i >= src.n {
			t.Fatalf("read all %d rows though closed early", src.i)
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > before {
		t.Fatalf("%d goroutines left running (were %d)", g, before)
	}
}

// A panic while reading ahead is raised again in the reader's own
// goroutine, after the rows read before it, so the import's one recovery
// reports it.
func TestAheadRowsRaisesAPanicInTheReader(t *testing.T) {
	src := &fakeRows{n: 2 * aheadRowsPerChunk, panicAt: aheadRowsPerChunk + 3}
	a := newAheadRows(src)
	a.start()
	defer a.Close()
	rows := 0
	got := func() (r any) {
		defer func() { r = recover() }()
		for a.Next() {
			rows++
		}
		return nil
	}()
	if got == nil || !strings.Contains(fmt.Sprint(got), "broken row") || rows != aheadRowsPerChunk+2 {
		t.Fatalf("recovered %v after %d rows", got, rows)
	}
}

// countingOpen opens fakeRows of n rows, counting opens and rows read.
type countingOpen struct {
	n, opens, reads int
	srcs            []*fakeRows
}

func (c *countingOpen) open() (rowSource, error) {
	c.opens++
	f := &fakeRows{n: c.n}
	c.srcs = append(c.srcs, f)
	return &countedRows{fakeRows: f, c: c}, nil
}

type countedRows struct {
	*fakeRows
	c *countingOpen
}

func (r *countedRows) Next() bool {
	ok := r.fakeRows.Next()
	if ok {
		r.c.reads++
	}
	return ok
}

// The rows the decimal-separator scan read are kept and replayed: a sheet
// is read once, rows and numbers as the source gives them, whether the scan
// stopped inside it or read it to the end; a sheet whose rows do not fit
// in the budget is read again from the start; every source is closed.
func TestPrescannedRowsAreReadOnce(t *testing.T) {
	for _, n := range []int{0, 7, localeScanRows - 1, localeScanRows, localeScanRows + 1234} {
		c := &countingOpen{n: n}
		r := &run{}
		r.lim.MaxColumns = 100
		sheets := []sheet{{name: "s", open: c.open, reread: true}}
		r.scanLocales(sheets)
		src, _ := sheets[0].open()
		a := newAheadRows(src)
		i := 0
		for a.Next() {
			i++
			want := make([]string, i%7)
			for k := range want {
				want[k] = fmt.Sprintf("r%dc%d", i, k)
			}
			if a.RowNum() != 2*i || strings.Join(a.Row(), ",") != strings.Join(want, ",") {
				t.Fatalf("n=%d row %d: %d %q", n, i, a.RowNum(), a.Row())
			}
			num := a.NumericCells()
			if len(num) != len(want) {
				t.Fatalf("n=%d row %d: numeric cells %v", n, i, num)
			}
			for c := range num {
				if num[c] != ((i+c)%2 == 0) {
					t.Fatalf("n=%d row %d: numeric cells %v", n, i, num)
				}
			}
			if i == 3 {
				a.start() // the rest read ahead, as a table's rows are
			}
		}
		a.Close()
		for _, p := range r.prescans {
			p.close()
		}
		if i != n || c.opens != 1 || c.reads != n {
			t.Fatalf("n=%d: %d rows, %d opens, %d rows read from the file", n, i, c.opens, c.reads)
		}
		for _, f := range c.srcs {
			if !f.closed {
				t.Fatalf("n=%d: a source was left open", n)
			}
		}
	}
	// Rows over the budget: not kept, the sheet is read again.
	c := &countingOpen{n: 40}
	r := &run{}
	r.lim.MaxColumns = 100
	sheets := []sheet{{name: "big", reread: true, open: func() (rowSource, error) {
		src, _ := c.open()
		return &wideRows{src}, nil
	}}}
	r.scanLocales(sheets)
	src, _ := sheets[0].open()
	i := 0
	for src.Next() {
		i++
	}
	src.Close()
	if i != 40 || c.opens != 2 || c.reads != 80 {
		t.Fatalf("over the budget: %d rows, %d opens, %d rows read", i, c.opens, c.reads)
	}
}

// wideRows gives every row a cell larger than the kept rows' budget / 16.
type wideRows struct{ rowSource }

func (w *wideRows) Row() []string {
	return append(w.rowSource.Row(), strings.Repeat("x", prescanKeepBytes/16))
}
