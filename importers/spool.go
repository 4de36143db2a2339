package importers

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// headSize is how much of a spooled file is read to tell what it is and to
// sniff a CSV delimiter.
const headSize = 64 << 10

// fileHead returns the first bytes of the file at path and its size.
func fileHead(path string) ([]byte, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	head := make([]byte, headSize)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, 0, err
	}
	return head[:n], st.Size(), nil
}

// openXLSXFile opens a spooled workbook. excelize.OpenFile reads the zip
// from the file as needed, where OpenReader would hold all of it in memory;
// large worksheets are unzipped to temporary files and streamed by Rows.
func openXLSXFile(path string, lim limits) (*excelize.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil {
		err = checkSharedStrings(f, st.Size())
	}
	f.Close()
	if err != nil {
		return nil, err
	}
	return excelize.OpenFile(path, xlsxOptions(st.Size()))
}

// csvFileInfo scans a spooled text file once, in constant memory, for its
// encoding (a BOM, else UTF-8 if every byte sequence is, else
// Windows-1252) and its line count; the delimiter is sniffed from head.
func csvFileInfo(path string, head []byte) (csvInfo, int64, error) {
	info := csvInfo{encoding: "utf-8"}
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		info.encoding = "utf-8-bom"
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		info.encoding = "utf-16"
	}
	f, err := os.Open(path)
	if err != nil {
		return info, 0, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	var lines int64
	valid := true
	var carry []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := br.Read(buf)
		chunk := append(carry, buf[:n]...)
		lines += int64(bytes.Count(buf[:n], []byte{'\n'}))
		if valid && info.encoding != "utf-16" {
			// Hold back an incomplete rune at the end of the chunk.
			cut := len(chunk)
			for i := 1; i <= utf8.UTFMax && i <= len(chunk); i++ {
				if utf8.RuneStart(chunk[len(chunk)-i]) {
					if !utf8.FullRune(chunk[len(chunk)-i:]) {
						cut = len(chunk) - i
					}
					break
				}
			}
			if !utf8.Valid(chunk[:cut]) {
				valid = false
			}
			carry = append(carry[:0], chunk[cut:]...)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return info, 0, err
		}
	}
	if valid && len(carry) > 0 {
		valid = utf8.Valid(carry)
	}
	if !valid {
		if info.encoding == "utf-8-bom" {
			return info, 0, fmt.Errorf("the file starts with a UTF-8 byte order mark but is not valid UTF-8")
		}
		info.encoding = "windows-1252"
	}
	text := head
	if info.encoding == "utf-16" {
		text, _ = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder().Bytes(head)
	}
	info.delim = sniffDelimiter(text)
	if info.delim == ';' {
		info.locale = LocaleComma
	}
	return info, lines, nil
}

// csvFileSheets prepares a spooled CSV file, read as a stream through the
// decoder its encoding needs.
func csvFileSheets(path string, head []byte) ([]sheet, csvInfo, int64, error) {
	info, lines, err := csvFileInfo(path, head)
	if err != nil {
		return nil, info, 0, err
	}
	open := func() (rowSource, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		var r io.Reader = bufio.NewReaderSize(f, 256<<10)
		switch info.encoding {
		case "utf-8-bom":
			if _, err := r.(*bufio.Reader).Discard(3); err != nil {
				f.Close()
				return nil, err
			}
		case "utf-16":
			r = transform.NewReader(r, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder())
		case "windows-1252":
			r = transform.NewReader(r, charmap.Windows1252.NewDecoder())
		}
		cr := csv.NewReader(r)
		cr.Comma = info.delim
		cr.FieldsPerRecord = -1
		cr.LazyQuotes = true
		cr.ReuseRecord = true // a row's cells are good until the next (rowSource)
		return &csvRows{r: cr, closer: f}, nil
	}
	return []sheet{{name: "", open: open, merges: func() [][4]int { return nil }}}, info, lines, nil
}
