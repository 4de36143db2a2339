package importers

// The decimal-separator scan (scanLocales) reads the first rows of every
// sheet before the sheet is parsed. Rather than read a worksheet's rows
// twice, it keeps them, within prescanKeepBytes for the whole file, with the sheet's
// source still open after them: the parse replays the kept rows and reads
// on from there. A sheet the scan read to its end is not read again at
// all.

// prescanKeepBytes bounds the memory of the rows kept, all sheets
// together (about 100,000 rows of a five-column table). A sheet whose rows
// do not fit is read again, as if none were kept.
const prescanKeepBytes = 6 << 20

// prescanned is what the scan kept of one sheet: the text of its cells
// back to back, where each cell and each row ends, and the row numbers.
type prescanned struct {
	text  []byte
	cells []int32 // end of each cell in text
	num   []bool  // beside cells: stored as a number (numericCells)
	rows  []int32 // end of each row in cells
	nums  []int32 // each row's number
	// src is the sheet's source, positioned after rows, until a reader
	// goes past them and takes it; nil when the scan read the whole sheet.
	src      rowSource
	complete bool  // the scan read the whole sheet
	err      error // the source's error at its end, when complete
	open     func() (rowSource, error)
}

// rowBytes is the memory a kept row takes.
func rowBytes(cells []string) int {
	n := 8 + 5*len(cells)
	for _, c := range cells {
		n += len(c)
	}
	return n
}

// keep adds a row, if it fits in budget bytes (then lessened).
func (p *prescanned) keep(n int, cells []string, num []bool, budget *int) bool {
	b := rowBytes(cells)
	if b > *budget || len(p.text) > 1<<31-1-b {
		return false
	}
	*budget -= b
	for i, c := range cells {
		p.text = append(p.text, c...)
		p.cells = append(p.cells, int32(len(p.text)))
		p.num = append(p.num, i < len(num) && num[i])
	}
	p.rows = append(p.rows, int32(len(p.cells)))
	p.nums = append(p.nums, int32(n))
	return true
}

// size is the memory the kept rows take, as counted by keep.
func (p *prescanned) size() int { return len(p.text) + 5*len(p.cells) + 8*len(p.rows) }

// numeric returns which cells of kept row i are numbers.
func (p *prescanned) numeric(i int) []bool {
	from, to := p.span(i)
	return p.num[from:to:to]
}

// span is where kept row i's cells are in cells (and num).
func (p *prescanned) span(i int) (from, to int) {
	if i > 0 {
		from = int(p.rows[i-1])
	}
	return from, int(p.rows[i])
}

// row returns kept row i.
func (p *prescanned) row(i int) []string {
	from, to := p.span(i)
	out := make([]string, to-from)
	start := 0
	if from > 0 {
		start = int(p.cells[from-1])
	}
	for k := from; k < to; k++ {
		end := int(p.cells[k])
		out[k-from] = string(p.text[start:end])
		start = end
	}
	return out
}

// openSheet replays the kept rows, then reads on from the source; once a
// reader has taken the source, the sheet is opened afresh.
func (p *prescanned) openSheet() (rowSource, error) {
	if p.src == nil && !p.complete {
		return p.open()
	}
	return &replayRows{p: p, i: -1}, nil
}

// close closes the source if no reader took it.
func (p *prescanned) close() {
	if p.src != nil {
		p.src.Close()
		p.src = nil
	}
}

// replayRows is a rowSource over a sheet's kept rows and the rest of it.
type replayRows struct {
	p      *prescanned
	i      int
	row    []string  // kept row i
	src    rowSource // taken from p past the kept rows
	closed bool
}

func (r *replayRows) Next() bool {
	if r.src != nil {
		return r.src.Next()
	}
	if r.closed {
		return false
	}
	if r.i+1 < len(r.p.rows) {
		r.i++
		r.row = r.p.row(r.i)
		return true
	}
	r.row = nil
	r.i = len(r.p.rows)
	if r.p.complete || r.p.src == nil {
		return false
	}
	r.src, r.p.src = r.p.src, nil
	return r.src.Next()
}

func (r *replayRows) Row() []string {
	if r.src != nil {
		return r.src.Row()
	}
	return r.row
}

// NumericCells says which cells of the current row are numbers.
func (r *replayRows) NumericCells() []bool {
	if r.src != nil {
		return numericOf(r.src)
	}
	if r.i >= 0 && r.i < len(r.p.rows) {
		return r.p.numeric(r.i)
	}
	return nil
}

func (r *replayRows) RowNum() int {
	if r.src != nil {
		return r.src.RowNum()
	}
	if r.i >= 0 && r.i < len(r.p.rows) {
		return int(r.p.nums[r.i])
	}
	return 0
}

func (r *replayRows) Err() error {
	if r.src != nil {
		return r.src.Err()
	}
	if r.p.complete && r.i >= len(r.p.rows) {
		return r.p.err
	}
	return nil
}

func (r *replayRows) Close() error {
	r.closed = true
	if r.src != nil {
		return r.src.Close()
	}
	return nil
}
