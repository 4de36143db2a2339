package importers

import (
	"os"
	"sync"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
)

// Reading ahead while a file is received
//
// Before its first row, the parse of a text file reads the whole file once
// (its encoding and line count) and its first rows again (the evidence of
// each column's decimal separator, scanLocales). Prepare does both while
// the file is still being hashed and kept, so that the parse starts at its
// first row. What it finds depends only on the file's bytes and the column
// limit; the parse of the same file (same path, size and modification
// time) takes it, and any other parse reads the file itself as before.

// prepKey names a file as prepared.
type prepKey struct {
	path    string
	size    int64
	mod     time.Time
	maxCols int
}

// prepared is what Prepare read of a text file.
type prepared struct {
	done      chan struct{} // closed when the fields below are set
	ok        bool          // a text file, read without error
	sheets    []sheet
	info      csvInfo
	lines     int64
	colVotes  map[colKey]*localeVotes
	fileVotes localeVotes
}

// preparing holds the files being or having been prepared, until their
// release.
type preparing struct {
	mu    sync.Mutex
	files map[prepKey]*prepared
}

var _ access.Preparer = (*Parser)(nil)

// Prepare starts reading what the parse of the text file at path will
// need; release forgets it. An .xlsx, .xls or unreadable file is left to
// the parse.
func (p *Parser) Prepare(path string, lim access.Limits) (release func()) {
	key, ok := fileKey(path, lim)
	if !ok || key.size > withDefaults(lim).MaxBytes {
		return func() {} // the upload is refused before it is parsed
	}
	pr := &prepared{done: make(chan struct{})}
	p.prep.mu.Lock()
	if p.prep.files == nil {
		p.prep.files = map[prepKey]*prepared{}
	}
	p.prep.files[key] = pr
	p.prep.mu.Unlock()
	go func() {
		defer close(pr.done)
		defer func() { _ = recover() }() // the parse reads the file itself and reports
		prepareText(pr, path, withDefaults(lim))
	}()
	return func() {
		<-pr.done
		p.prep.mu.Lock()
		if p.prep.files[key] == pr {
			delete(p.prep.files, key)
		}
		p.prep.mu.Unlock()
	}
}

// prepareText reads a text file's encoding, lines and decimal separator
// evidence into pr.
func prepareText(pr *prepared, path string, lim access.Limits) {
	head, _, err := fileHead(path)
	if err != nil || isXLSX(head) || isXLS(head) || isODS(head) || bytesLookBinary(head) {
		return
	}
	sheets, info, lines, err := csvFileSheets(path, head)
	if err != nil {
		return
	}
	r := &run{lim: lim}
	r.scanLocales(sheets)
	for _, ps := range r.prescans { // none for text: its lines are read again
		ps.close()
	}
	pr.sheets, pr.info, pr.lines = sheets, info, lines
	pr.colVotes, pr.fileVotes = r.colVotes, r.fileVotes
	pr.ok = len(r.prescans) == 0
}

// preparedFor is what Prepare read of the file at path, if anything,
// once it is read.
func (p *Parser) preparedFor(path string, lim access.Limits) *prepared {
	key, ok := fileKey(path, lim)
	if !ok {
		return nil
	}
	p.prep.mu.Lock()
	pr := p.prep.files[key]
	p.prep.mu.Unlock()
	if pr == nil {
		return nil
	}
	<-pr.done
	if !pr.ok {
		return nil
	}
	return pr
}

// fileKey names the file at path as it is now.
func fileKey(path string, lim access.Limits) (prepKey, bool) {
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() {
		return prepKey{}, false
	}
	return prepKey{path: path, size: st.Size(), mod: st.ModTime(), maxCols: withDefaults(lim).MaxColumns}, true
}
