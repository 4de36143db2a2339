package importers

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// xmlScanner is a streaming tokenizer for the XML of a worksheet part. It
// accepts a strict subset of what encoding/xml accepts: every token it
// returns is one encoding/xml returns the same way, and it gives up with
// errLeanUnsupported on anything outside the subset (comments, CDATA,
// DOCTYPE, names that are not ASCII, namespace declarations below the root
// element, malformed markup), leaving that document to encoding/xml.
type xmlScanner struct {
	r    io.Reader
	buf  []byte
	pos  int  // next unread byte
	end  int  // end of the data in buf
	eof  bool // r has no more data
	rerr error

	// The current token; the slices point into buf and hold until the
	// next call.
	name  []byte
	attrs []rawAttr
	text  []byte

	closeNext bool // the last start element was self-closing: its end is owed
	rootSeen  bool
	names     []byte // the names of the open elements, end to end
	nameEnds  []int
}

// rawAttr is one attribute of a start element, its value still escaped.
type rawAttr struct {
	name, value []byte
	plain       bool // the value needs no unescaping
}

type xmlTok uint8

const (
	tokEOF xmlTok = iota
	tokStart
	tokEnd
	tokText
)

// errLeanUnsupported marks a worksheet the lean reader leaves to excelize.
var errLeanUnsupported = errors.New("worksheet XML outside the lean reader's subset")

const scanBufSize = 256 << 10

func newXMLScanner(r io.Reader) *xmlScanner {
	return &xmlScanner{r: r, buf: make([]byte, scanBufSize)}
}

// newXMLScannerBytes scans a part held in memory, without copying it.
func newXMLScannerBytes(b []byte) *xmlScanner {
	return &xmlScanner{buf: b, end: len(b), eof: true}
}

// fill moves the unread bytes to the front of the buffer and reads more,
// growing the buffer when a single token fills it.
func (s *xmlScanner) fill() {
	if s.eof {
		return
	}
	if s.pos > 0 {
		s.end = copy(s.buf, s.buf[s.pos:s.end])
		s.pos = 0
	}
	if s.end == len(s.buf) {
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	// Fill the buffer whole: a token that does not fit is scanned again
	// from its start after each fill, so each fill must at least double
	// what is scanned, or a long token would take quadratic time.
	for s.end < len(s.buf) {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.eof = true
			if err != io.EOF {
				s.rerr = err
			}
			return
		}
	}
}

// parse results of a token attempt
const (
	scanOK = iota
	scanMore
	scanBad
	scanSkip // a processing instruction: no token
)

// next returns the next token. An error means the document is left to
// encoding/xml: it is malformed or outside the subset.
func (s *xmlScanner) next() (xmlTok, error) {
	if s.closeNext {
		s.closeNext = false
		s.pop()
		return tokEnd, nil
	}
	for {
		if s.pos >= s.end {
			if !s.eof {
				s.fill()
				continue
			}
			if s.rerr != nil || len(s.nameEnds) > 0 {
				return tokEOF, errLeanUnsupported
			}
			return tokEOF, nil
		}
		if s.buf[s.pos] != '<' {
			i := bytes.IndexByte(s.buf[s.pos:s.end], '<')
			if i < 0 && !s.eof {
				s.fill()
				continue
			}
			if i < 0 {
				i = s.end - s.pos
			}
			s.text = s.buf[s.pos : s.pos+i]
			if !plainText(s.text) && !validText(s.text, true) {
				return tokText, errLeanUnsupported
			}
			s.pos += i
			return tokText, nil
		}
		tok, st := s.tag()
		switch st {
		case scanOK:
			return tok, nil
		case scanSkip:
			continue
		case scanMore:
			if s.eof {
				return tokEOF, errLeanUnsupported
			}
			s.fill()
			continue
		}
		return tokEOF, errLeanUnsupported
	}
}

func (s *xmlScanner) pop() {
	n := len(s.nameEnds) - 1
	s.nameEnds = s.nameEnds[:n]
	start := 0
	if n > 0 {
		start = s.nameEnds[n-1]
	}
	s.names = s.names[:start]
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\r' || c == '\n' || c == '\t' }

func isNameByteASCII(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '_' || c == ':' || c == '.' || c == '-'
}

func isNameStart(c byte) bool { return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '_' }

// scanName reads a name at i: ASCII, starting with a letter or '_', with
// at most one ':' that starts a local part of the same shape.
func (s *xmlScanner) scanName(i int) (name []byte, next int, st int) {
	b := s.buf[:s.end]
	j := i
	for j < len(b) && (isNameByteASCII(b[j]) || b[j] >= utf8.RuneSelf) {
		if b[j] >= utf8.RuneSelf {
			return nil, 0, scanBad
		}
		j++
	}
	if j == len(b) {
		return nil, 0, scanMore
	}
	name = b[i:j]
	if len(name) == 0 || !isNameStart(name[0]) {
		return nil, 0, scanBad
	}
	if k := bytes.IndexByte(name, ':'); k >= 0 {
		if k+1 >= len(name) || !isNameStart(name[k+1]) || bytes.IndexByte(name[k+1:], ':') >= 0 {
			return nil, 0, scanBad
		}
	}
	return name, j, scanOK
}

func (s *xmlScanner) skipSpace(i int) int {
	for i < s.end && isSpaceByte(s.buf[i]) {
		i++
	}
	return i
}

// tag reads the markup at s.pos, which is '<'.
func (s *xmlScanner) tag() (xmlTok, int) {
	i := s.pos + 1
	if i >= s.end {
		return 0, scanMore
	}
	switch s.buf[i] {
	case '/':
		return s.endTag(i + 1)
	case '!':
		return 0, scanBad
	case '?':
		return 0, s.procInst(i + 1)
	}
	return s.startTag(i)
}

// endTag reads an end tag whose name starts at i.
func (s *xmlScanner) endTag(i int) (xmlTok, int) {
	b := s.buf[:s.end]
	name, j, st := s.scanName(i)
	if st != scanOK {
		return 0, st
	}
	j = s.skipSpace(j)
	if j >= len(b) {
		return 0, scanMore
	}
	if b[j] != '>' || len(s.nameEnds) == 0 {
		return 0, scanBad
	}
	start := 0
	if n := len(s.nameEnds); n > 1 {
		start = s.nameEnds[n-2]
	}
	if !bytes.Equal(s.names[start:], name) {
		return 0, scanBad
	}
	s.pop()
	s.name = name
	s.pos = j + 1
	return tokEnd, scanOK
}

// procInst skips a processing instruction whose target starts at i,
// refusing an XML declaration of another version or encoding.
func (s *xmlScanner) procInst(i int) int {
	b := s.buf[:s.end]
	target, j, st := s.scanName(i)
	if st != scanOK {
		return st
	}
	if bytes.IndexByte(target, ':') >= 0 {
		return scanBad
	}
	j = s.skipSpace(j)
	k := bytes.Index(b[j:], []byte("?>"))
	if k < 0 {
		return scanMore
	}
	if string(target) == "xml" {
		content := string(b[j : j+k])
		if ver := procInstParam("version", content); ver != "" && ver != "1.0" {
			return scanBad
		}
		if enc := procInstParam("encoding", content); enc != "" && !strings.EqualFold(enc, "utf-8") {
			return scanBad
		}
	}
	s.pos = j + k + 2
	return scanSkip
}

// startTag reads a start (or empty-element) tag whose name starts at i.
func (s *xmlScanner) startTag(i int) (xmlTok, int) {
	b := s.buf[:s.end]
	name, i, st := s.scanName(i)
	if st != scanOK {
		return 0, st
	}
	s.attrs = s.attrs[:0]
	selfClose := false
	for {
		j := s.skipSpace(i)
		if j >= len(b) {
			return 0, scanMore
		}
		if b[j] == '/' {
			if j+1 >= len(b) {
				return 0, scanMore
			}
			if b[j+1] != '>' {
				return 0, scanBad
			}
			selfClose = true
			i = j + 2
			break
		}
		if b[j] == '>' {
			i = j + 1
			break
		}
		if j == i {
			return 0, scanBad // encoding/xml takes attributes without spaces between; leave those to it
		}
		if i, st = s.attr(j); st != scanOK {
			return 0, st
		}
	}
	s.rootSeen = true
	s.names = append(s.names, name...)
	s.nameEnds = append(s.nameEnds, len(s.names))
	s.name = name
	s.closeNext = selfClose
	s.pos = i
	return tokStart, scanOK
}

// attr reads one attribute starting at j into s.attrs and returns where
// the markup goes on.
func (s *xmlScanner) attr(j int) (next int, st int) {
	b := s.buf[:s.end]
	aname, k, st := s.scanName(j)
	if st != scanOK {
		return 0, st
	}
	k = s.skipSpace(k)
	if k >= len(b) {
		return 0, scanMore
	}
	if b[k] != '=' {
		return 0, scanBad
	}
	k = s.skipSpace(k + 1)
	if k >= len(b) {
		return 0, scanMore
	}
	q := b[k]
	if q != '"' && q != '\'' {
		return 0, scanBad
	}
	e := bytes.IndexByte(b[k+1:], q)
	if e < 0 {
		return 0, scanMore
	}
	val := b[k+1 : k+1+e]
	plain := plainText(val)
	if !plain && (bytes.IndexByte(val, '<') >= 0 || !validText(val, false)) {
		return 0, scanBad
	}
	if s.rootSeen && (string(aname) == "xmlns" || bytes.HasPrefix(aname, []byte("xmlns:"))) {
		return 0, scanBad // a namespace declared below the root could rebind names
	}
	s.attrs = append(s.attrs, rawAttr{name: aname, value: val, plain: plain})
	return k + 2 + e, scanOK
}

// localName is the part of a name after its prefix.
func localName(name []byte) []byte {
	if k := bytes.IndexByte(name, ':'); k >= 0 {
		return name[k+1:]
	}
	return name
}

func isPrefixed(name []byte) bool { return bytes.IndexByte(name, ':') >= 0 }

// plainBytes are the bytes that text may hold as they are: printable ASCII
// other than the markup characters, tab and newline.
var plainBytes = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = true
	}
	t['<'], t['&'], t['>'], t[']'] = false, false, false, false
	t['\t'], t['\n'] = true, true
	return t
}()

func plainText(b []byte) bool {
	for _, c := range b {
		if !plainBytes[c] {
			return false
		}
	}
	return true
}

// validText reports whether encoding/xml reads raw (character data when
// chardata is set, else a quoted attribute value) without an error.
func validText(raw []byte, chardata bool) bool {
	_, ok := unescapeText(raw, chardata)
	return ok
}

// unescapeText returns raw as encoding/xml reads it: entities and
// character references replaced, "\r\n" and "\r" read as "\n", and false
// wherever encoding/xml reports a syntax error.
func unescapeText(raw []byte, chardata bool) ([]byte, bool) {
	if bytes.IndexByte(raw, '&') < 0 && bytes.IndexByte(raw, '\r') < 0 {
		if chardata && bytes.Contains(raw, []byte("]]>")) {
			return nil, false
		}
		return raw, validRunes(raw)
	}
	out := make([]byte, 0, len(raw))
	var b0, b1 byte
	for i := 0; i < len(raw); i++ {
		b := raw[i]
		if chardata && b0 == ']' && b1 == ']' && b == '>' {
			return nil, false
		}
		if b == '<' {
			return nil, false
		}
		if b == '&' {
			i++
			if i >= len(raw) {
				return nil, false
			}
			if raw[i] == '#' {
				i++
				base := 10
				if i < len(raw) && raw[i] == 'x' {
					base = 16
					i++
				}
				start := i
				for i < len(raw) && ('0' <= raw[i] && raw[i] <= '9' ||
					base == 16 && ('a' <= raw[i] && raw[i] <= 'f' || 'A' <= raw[i] && raw[i] <= 'F')) {
					i++
				}
				if i >= len(raw) || raw[i] != ';' {
					return nil, false
				}
				n, err := strconv.ParseUint(string(raw[start:i]), base, 64)
				if err != nil || n > unicode.MaxRune {
					return nil, false
				}
				out = append(out, string(rune(n))...)
			} else {
				start := i
				for i < len(raw) && (isNameByteASCII(raw[i]) || raw[i] >= utf8.RuneSelf) {
					i++
				}
				if i >= len(raw) || raw[i] != ';' {
					return nil, false
				}
				switch string(raw[start:i]) {
				case "lt":
					out = append(out, '<')
				case "gt":
					out = append(out, '>')
				case "amp":
					out = append(out, '&')
				case "apos":
					out = append(out, '\'')
				case "quot":
					out = append(out, '"')
				default:
					return nil, false
				}
			}
			b0, b1 = 0, 0
			continue
		}
		switch {
		case b == '\r':
			out = append(out, '\n')
		case b1 == '\r' && b == '\n':
		default:
			out = append(out, b)
		}
		b0, b1 = b1, b
	}
	return out, validRunes(out)
}

// validRunes reports whether b is UTF-8 made of characters XML allows.
func validRunes(b []byte) bool {
	for len(b) > 0 {
		if b[0] < utf8.RuneSelf {
			c := b[0]
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			b = b[1:]
			continue
		}
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			return false
		}
		if !(r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
			return false
		}
		b = b[size:]
	}
	return true
}

// procInstParam is encoding/xml's reading of param="..." in the xml
// declaration.
func procInstParam(param, s string) string {
	param += "="
	lenp := len(param)
	i := 0
	var sep byte
	for i < len(s) {
		sub := s[i:]
		k := strings.Index(sub, param)
		if k < 0 || lenp+k >= len(sub) {
			return ""
		}
		i += lenp + k + 1
		if c := sub[lenp+k]; c == '\'' || c == '"' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return ""
	}
	j := strings.IndexByte(s[i:], sep)
	if j < 0 {
		return ""
	}
	return s[i : i+j]
}
