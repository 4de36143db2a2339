package access

import "testing"

func TestCheckText(t *testing.T) {
	for _, tc := range []struct {
		v   string
		max int
		ok  bool
	}{
		{"Ministère de la Santé", 100, true},
		{"line one\nline two\ttabbed", 100, true},
		{"bad\xff\xfe", 100, false},
		{"nul\x00inside", 100, false},
		{"bell\x07", 100, false},
		{"0123456789", 10, true},
		{"01234567890", 10, false}, // 11 bytes over a limit of 10
	} {
		if err := CheckText("op", "name", tc.v, tc.max); (err == nil) != tc.ok {
			t.Errorf("CheckText(%q, %d) = %v", tc.v, tc.max, err)
		}
	}
}
