package access

import (
	"strings"
	"unicode/utf8"
)

// CheckText refuses text a person could not have meant and a database may
// refuse: invalid UTF-8, NUL and other control characters (tab and line
// breaks excepted), or more than max bytes. field names it in the error.
func CheckText(op, field, v string, max int) error {
	switch {
	case !utf8.ValidString(v):
		return Errorf(Invalid, op, "%s is not valid UTF-8 text", field)
	case len(v) > max:
		return Errorf(Invalid, op, "%s is longer than %d bytes", field, max)
	}
	if i := strings.IndexFunc(v, func(r rune) bool {
		return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f
	}); i >= 0 {
		return Errorf(Invalid, op, "%s contains a control character at byte %d", field, i)
	}
	return nil
}
