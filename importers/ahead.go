package importers

import (
	"fmt"
	"runtime/debug"
)

// aheadRows is a rowSource that, once start is called, reads the rows of
// its source in a goroutine of its own, a chunk at a time, while the
// caller validates the rows already read: unzipping and scanning a sheet's
// XML (or splitting CSV lines) overlaps checking and storing the rows, on
// another core. Until start it simply passes calls on, so that a caller can
// still use the workbook for other things (its merged cells, say) while it
// reads a sheet's first rows; after start nothing else may touch the
// source (or the workbook it reads) until Close, which stops the goroutine
// before closing the source.
//
// At most aheadChunks chunks of aheadRowsPerChunk rows are held at once,
// besides the one the caller reads and the one before it. A chunk read
// through is filled again rather than made anew: a caller keeps nothing of
// a row's cells past the next row but copies of them (the strings
// themselves are never reused), and the row before the current one is
// left alone, so that what the caller took of it just before moving on
// (its numeric cells) stays as it was.
// A panic in the goroutine is raised again in the caller's Next, where the
// import's one recovery catches it.
type aheadRows struct {
	src rowSource

	ch   chan aheadChunk
	free chan aheadChunk // chunks read through, for the goroutine to fill again
	stop chan struct{}
	done chan struct{}

	cur  aheadChunk
	prev aheadChunk // the chunk before cur: its last row may still be in use
	i    int        // the current row of cur
	err  error      // the source's error, once the goroutine has finished
	end  bool
}

// aheadChunk is rows read ahead: their cells back to back, where each
// row ends, and their row numbers. The last chunk of a sheet carries the
// source's error and end set.
type aheadChunk struct {
	cells []string
	num   []bool // beside cells: stored as a number (numericCells)
	ends  []int
	nums  []int
	err   error
	end   bool
	panic any
}

const (
	aheadRowsPerChunk = 512
	aheadChunks       = 4
)

func newAheadRows(src rowSource) *aheadRows { return &aheadRows{src: src} }

// start reads the rest of the rows ahead, in a goroutine; it is called
// between rows (the row read before it is not returned again). It does
// nothing if called again.
func (a *aheadRows) start() {
	if a.ch != nil {
		return
	}
	a.ch = make(chan aheadChunk, aheadChunks-1)
	a.free = make(chan aheadChunk, aheadChunks+1)
	a.stop = make(chan struct{})
	a.done = make(chan struct{})
	a.i = -1
	go a.read()
}

func (a *aheadRows) read() {
	defer close(a.done)
	defer close(a.ch)
	var c aheadChunk
	defer func() {
		if r := recover(); r != nil {
			c.panic = fmt.Sprintf("%v (reading rows ahead)\n%s", r, debug.Stack())
			c.end = true
			select {
			case a.ch <- c:
			case <-a.stop:
			}
		}
	}()
	for {
		c = a.emptyChunk()
		for len(c.nums) < aheadRowsPerChunk {
			if !a.src.Next() {
				c.err, c.end = a.src.Err(), true
				break
			}
			row, num := a.src.Row(), numericOf(a.src)
			c.cells = append(c.cells, row...)
			for i := range row {
				c.num = append(c.num, i < len(num) && num[i])
			}
			c.ends = append(c.ends, len(c.cells))
			c.nums = append(c.nums, a.src.RowNum())
		}
		select {
		case a.ch <- c:
		case <-a.stop:
			return
		}
		if c.end {
			return
		}
	}
}

// emptyChunk is a chunk read through and handed back, emptied, or else a
// new one.
func (a *aheadRows) emptyChunk() aheadChunk {
	select {
	case c := <-a.free:
		clear(c.cells) // the strings of rows already read go with their rows
		return aheadChunk{cells: c.cells[:0], num: c.num[:0], ends: c.ends[:0], nums: c.nums[:0]}
	default:
		return aheadChunk{cells: make([]string, 0, aheadRowsPerChunk*8), num: make([]bool, 0, aheadRowsPerChunk*8),
			ends: make([]int, 0, aheadRowsPerChunk), nums: make([]int, 0, aheadRowsPerChunk)}
	}
}

// recycle hands the chunk before cur back to the goroutine, before the
// next chunk is taken: the goroutine, let go by that, finds it free.
func (a *aheadRows) recycle() {
	if a.prev.cells != nil {
		select {
		case a.free <- a.prev:
		default:
		}
	}
	a.prev = aheadChunk{}
}

func (a *aheadRows) Next() bool {
	if a.ch == nil {
		return a.src.Next()
	}
	if a.end {
		return false
	}
	a.i++
	for a.i >= len(a.cur.nums) {
		if a.cur.end {
			a.end, a.err = true, a.cur.err
			if a.cur.panic != nil {
				panic(a.cur.panic)
			}
			return false
		}
		a.recycle()
		c, ok := <-a.ch
		if !ok {
			a.end = true
			return false
		}
		a.prev, a.cur, a.i = a.cur, c, 0
	}
	return true
}

// span is where the current row's cells are in the current chunk.
func (a *aheadRows) span() (from, to int, ok bool) {
	if a.end || a.i < 0 || a.i >= len(a.cur.nums) {
		return 0, 0, false
	}
	if a.i > 0 {
		from = a.cur.ends[a.i-1]
	}
	return from, a.cur.ends[a.i], true
}

func (a *aheadRows) Row() []string {
	if a.ch == nil {
		return a.src.Row()
	}
	from, to, ok := a.span()
	if !ok {
		return nil
	}
	return a.cur.cells[from:to:to]
}

// NumericCells says which cells of the current row are numbers.
func (a *aheadRows) NumericCells() []bool {
	if a.ch == nil {
		return numericOf(a.src)
	}
	from, to, ok := a.span()
	if !ok {
		return nil
	}
	return a.cur.num[from:to:to]
}

func (a *aheadRows) RowNum() int {
	if a.ch == nil {
		return a.src.RowNum()
	}
	if a.i < 0 || a.i >= len(a.cur.nums) {
		return 0
	}
	return a.cur.nums[a.i]
}

func (a *aheadRows) Err() error {
	if a.ch == nil {
		return a.src.Err()
	}
	return a.err
}

// Close stops the goroutine, waits for it, then closes the source.
func (a *aheadRows) Close() error {
	if a.ch != nil && a.stop != nil {
		close(a.stop)
		for range a.ch {
		}
		<-a.done
		a.stop = nil
	}
	return a.src.Close()
}
