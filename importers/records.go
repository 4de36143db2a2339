package importers

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"

	"github.com/reliefgap/reliefgap/internal/access"
)

// records is what the run remembers of the records it has emitted, for
// duplicate detection and the checks that need more than one record, in
// memory that does not grow with the file: the records themselves are
// written compactly to a spill (in memory while small, then a temporary
// file) and only a small index stays in memory. The index has one entry
// per series (kind, country and dimension: a drug, a cause, a drug and
// estimate kind) holding, by year, where the series' record is in the
// spill. A national table of a few hundred series over two centuries of
// years needs a few megabytes at most, however many rows it has.
type records struct {
	ids     map[seriesKey]int32
	series  []seriesIndex
	sheets  []string
	sheetID map[string]uint64
	spill   spill
	lookup  spillReader // for duplicates and estimate look-ups
	body    []byte      // scratch for encoding
	enc     []byte
	found   entry // the record a look-up found
	fill    entry // the record being put
}

// seriesKey names one series; its strings are the resolver's ISO3 codes and
// the run's interned dimensions.
type seriesKey struct {
	kind access.ImportKind
	iso3 string
	dim  string
}

// seriesIndex is one series: where each year's record is in the spill.
type seriesIndex struct {
	seriesKey
	first int      // the year of at[0]
	at    []uint32 // by year from first: the record's offset in the spill + 1, 0 for none
}

func newRecords() records {
	return records{ids: map[seriesKey]int32{}, sheetID: map[string]uint64{}}
}

// id returns the series' number, adding the series if it is new.
func (rs *records) id(k seriesKey) int32 {
	if id, ok := rs.ids[k]; ok {
		return id
	}
	id := int32(len(rs.series))
	rs.ids[k] = id
	rs.series = append(rs.series, seriesIndex{seriesKey: k})
	return id
}

// slot is where the series' record of year is kept; it widens the series'
// span of years to take year in.
func (s *seriesIndex) slot(year int) *uint32 {
	switch {
	case len(s.at) == 0:
		s.first = year
		s.at = make([]uint32, 1, 8)
	case year < s.first:
		at := make([]uint32, s.first-year+len(s.at), s.first-year+cap(s.at))
		copy(at[s.first-year:], s.at)
		s.at, s.first = at, year
	case year-s.first >= len(s.at):
		need := year - s.first + 1
		if need > cap(s.at) {
			c := max(need, 2*cap(s.at))
			if s.first > 0 && year <= lastYear {
				c = min(c, lastYear-s.first+1) // no room for years no table has
			}
			at := make([]uint32, need, c)
			copy(at, s.at)
			s.at = at
		}
		s.at = s.at[:need]
	}
	return &s.at[year-s.first]
}

// lastYear is the last year parseYear accepts.
const lastYear = 2100

// get reads the record of series id and year, if there is one, into
// rs.found.
func (rs *records) get(id int32, year int) (*entry, bool, error) {
	s := &rs.series[id]
	i := year - s.first
	if i < 0 || i >= len(s.at) || s.at[i] == 0 {
		return nil, false, nil
	}
	if err := rs.read(&rs.lookup, s.at[i], &rs.found); err != nil {
		return nil, false, err
	}
	return &rs.found, true, nil
}

// errSpillFull refuses a file whose records outgrow what the index
// addresses (4 GiB of spilled records: far beyond any upload limit).
var errSpillFull = errors.New("too many records to check for duplicates")

// put keeps e as the record of series id and year.
func (rs *records) put(id int32, year int, e *entry) error {
	off, err := rs.spill.append(rs.encode(id, year, e))
	if err != nil {
		return err
	}
	if off+1 > math.MaxUint32 {
		return errSpillFull
	}
	*rs.series[id].slot(year) = uint32(off + 1)
	return nil
}

// read decodes the record whose offset + 1 is at into e.
func (rs *records) read(sr *spillReader, at uint32, e *entry) error {
	body, _, err := sr.record(&rs.spill, int64(at)-1)
	if err != nil {
		return err
	}
	return rs.decode(body, e)
}

// each calls fn with every record in the order they were put.
func (rs *records) each(fn func(e *entry)) error {
	var sr spillReader
	var e entry
	for off := int64(0); off < rs.spill.size; {
		body, next, err := sr.record(&rs.spill, off)
		if err != nil {
			return err
		}
		if err := rs.decode(body, &e); err != nil {
			return err
		}
		fn(&e)
		off = next
	}
	return nil
}

// sorted returns the series numbers in the order of their names
// ("kind|ISO3|dim"), which fixes the order of the final checks' problems.
func (rs *records) sorted() []int32 {
	names := make([]string, len(rs.series))
	ids := make([]int32, len(rs.series))
	for i, s := range rs.series {
		names[i] = fmt.Sprint(s.kind, "|", s.iso3, "|", s.dim)
		ids[i] = int32(i)
	}
	sort.Slice(ids, func(i, j int) bool { return names[ids[i]] < names[ids[j]] })
	return ids
}

// hasKind reports whether any series is of kind k.
func (rs *records) hasKind(k access.ImportKind) bool {
	for _, s := range rs.series {
		if s.kind == k {
			return true
		}
	}
	return false
}

// close removes the spill file, if any.
func (rs *records) close() { rs.spill.close() }

// A record is spilled as its length (uvarint) and then: series number,
// year, row, sheet number and set bits, and for each field set, in field
// order, its column, value (float64 bits) and the cell as typed.
func (rs *records) encode(id int32, year int, e *entry) []byte {
	sid, ok := rs.sheetID[e.sheet]
	if !ok {
		sid = uint64(len(rs.sheets))
		rs.sheetID[e.sheet] = sid
		rs.sheets = append(rs.sheets, e.sheet)
	}
	b := rs.body[:0]
	b = binary.AppendUvarint(b, uint64(id))
	b = binary.AppendVarint(b, int64(year))
	b = binary.AppendVarint(b, int64(e.row))
	b = binary.AppendUvarint(b, sid)
	b = binary.AppendUvarint(b, uint64(e.set))
	for f := 0; f < nFields; f++ {
		if !e.has(f) {
			continue
		}
		b = binary.AppendVarint(b, int64(e.cols[f]))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(e.vals[f]))
		b = binary.AppendUvarint(b, uint64(len(e.raw[f])))
		b = append(b, e.raw[f]...)
	}
	rs.body = b
	rs.enc = append(binary.AppendUvarint(rs.enc[:0], uint64(len(b))), b...)
	return rs.enc
}

// decode fills e from a spilled record.
func (rs *records) decode(body []byte, e *entry) error {
	d := decoder{b: body}
	id := d.uvarint()
	year := d.varint()
	row := d.varint()
	sid := d.uvarint()
	set := d.uvarint()
	if d.bad || id >= uint64(len(rs.series)) || sid >= uint64(len(rs.sheets)) {
		return errSpillCorrupt
	}
	s := &rs.series[id]
	*e = entry{seriesKey: s.seriesKey, series: int32(id), year: int(year), set: uint32(set), row: int32(row), sheet: rs.sheets[sid]}
	for f := range e.cols {
		e.cols[f] = -1
	}
	for f := 0; f < nFields; f++ {
		if !e.has(f) {
			continue
		}
		e.cols[f] = int16(d.varint())
		e.vals[f] = math.Float64frombits(d.uint64())
		e.raw[f] = string(d.bytes(int(d.uvarint())))
	}
	if d.bad {
		return errSpillCorrupt
	}
	return nil
}

var errSpillCorrupt = errors.New("a spilled record could not be read back")

// decoder reads the fields of a spilled record; bad is set once one is
// cut short.
type decoder struct {
	b   []byte
	bad bool
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.bad, d.b = true, nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.bad, d.b = true, nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) uint64() uint64 {
	if len(d.b) < 8 {
		d.bad, d.b = true, nil
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *decoder) bytes(n int) []byte {
	if n < 0 || n > len(d.b) {
		d.bad, d.b = true, nil
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

// spillInMemory is how many bytes of records are kept in memory before
// they go to a temporary file: small files never touch the disk, and the
// memory a large one takes stays this bound.
var spillInMemory = 1 << 20

// spillWindow is how much of the spill file one read brings in: records
// read in the order they were written (the common case: a file sorted by
// country, drug and year) come from one read in many.
const spillWindow = 64 << 10

// spill holds the encoded records, appended in order: in memory up to
// spillInMemory bytes, then in a temporary file written through a buffer.
type spill struct {
	mem  []byte
	f    *os.File
	name string // the file's name while it still has one to remove
	w    *bufio.Writer
	size int64 // bytes appended
}

// append adds one encoded record and returns its offset.
func (s *spill) append(rec []byte) (int64, error) {
	off := s.size
	if s.f == nil && len(s.mem)+len(rec) > spillInMemory {
		if err := s.toFile(); err != nil {
			return 0, err
		}
	}
	if s.f == nil {
		s.mem = append(s.mem, rec...)
	} else if _, err := s.w.Write(rec); err != nil {
		return 0, fmt.Errorf("writing the records' spill file: %w", err)
	}
	s.size += int64(len(rec))
	return off, nil
}

// toFile moves the records to a temporary file. The file is unlinked at
// once where the system allows it (it then disappears with the process,
// however that ends), else removed by close.
func (s *spill) toFile() error {
	f, err := os.CreateTemp("", "reliefgap-records-*")
	if err != nil {
		return fmt.Errorf("creating the records' spill file: %w", err)
	}
	s.f, s.name = f, f.Name()
	if os.Remove(s.name) == nil {
		s.name = ""
	}
	s.w = bufio.NewWriterSize(f, spillWindow)
	if _, err := s.w.Write(s.mem); err != nil {
		return fmt.Errorf("writing the records' spill file: %w", err)
	}
	s.mem = nil
	return nil
}

func (s *spill) close() {
	if s.f == nil {
		s.mem = nil
		return
	}
	s.f.Close()
	if s.name != "" {
		os.Remove(s.name)
	}
	s.f, s.w, s.name = nil, nil, ""
}

// spillReader reads records back from a spill through a window of the
// file, so that records read in order cost one read per window.
type spillReader struct {
	win []byte
	off int64 // the spill offset of win[0]
}

// bytes returns up to n bytes of s at off (fewer at the end), valid until
// the next call.
func (sr *spillReader) bytes(s *spill, off int64, n int) ([]byte, error) {
	if off < 0 || off > s.size {
		return nil, errSpillCorrupt
	}
	n = int(min(int64(n), s.size-off))
	if s.f == nil {
		return s.mem[off : off+int64(n)], nil
	}
	if off >= sr.off && off+int64(n) <= sr.off+int64(len(sr.win)) {
		return sr.win[off-sr.off:][:n], nil
	}
	if off+int64(n) > s.size-int64(s.w.Buffered()) {
		if err := s.w.Flush(); err != nil {
			return nil, fmt.Errorf("writing the records' spill file: %w", err)
		}
	}
	size := max(n, spillWindow)
	if cap(sr.win) < size {
		sr.win = make([]byte, size)
	}
	sr.win = sr.win[:size]
	k, err := s.f.ReadAt(sr.win, off)
	sr.win, sr.off = sr.win[:k], off
	if k < n {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("reading the records' spill file: %w", err)
	}
	return sr.win[:n], nil
}

// record returns the body of the record at off and the offset of the next.
func (sr *spillReader) record(s *spill, off int64) (body []byte, next int64, err error) {
	head, err := sr.bytes(s, off, binary.MaxVarintLen64)
	if err != nil {
		return nil, 0, err
	}
	l, k := binary.Uvarint(head)
	if k <= 0 || l > uint64(s.size-off) {
		return nil, 0, errSpillCorrupt
	}
	b, err := sr.bytes(s, off, k+int(l))
	if err != nil {
		return nil, 0, err
	}
	if len(b) < k+int(l) {
		return nil, 0, errSpillCorrupt
	}
	return b[k:], off + int64(k) + int64(l), nil
}
