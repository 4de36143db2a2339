package importers

import (
	"errors"
	"testing"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		loc  Locale
		want float64
		err  error // nil: ok; ErrNotNumber etc.
	}{
		{"0", LocaleUnknown, 0, nil},
		{"25571", LocaleUnknown, 25571, nil},
		{"0.782", LocaleUnknown, 0.782, nil},
		{"4.2e-05", LocaleUnknown, 4.2e-05, nil},
		{"1E3", LocaleDot, 1000, nil},
		{"  12.5 ", LocaleUnknown, 12.5, nil},
		{"-3", LocaleUnknown, -3, nil},
		{"+3", LocaleUnknown, 3, nil},
		{"1,234,567", LocaleUnknown, 1234567, nil},
		{"1,234,567.5", LocaleUnknown, 1234567.5, nil},
		{"1.234.567,5", LocaleUnknown, 1234567.5, nil},
		{"1 234,5", LocaleUnknown, 1234.5, nil},
		{"1 234 567", LocaleUnknown, 1234567, nil},
		{"1\u00a0234.5", LocaleUnknown, 1234.5, nil},
		{"0,5", LocaleUnknown, 0.5, nil},
		{"12,25", LocaleUnknown, 12.25, nil},
		{"1,234", LocaleUnknown, 0, ErrAmbiguousNumber},
		{"1,234", LocaleDot, 1234, nil},
		{"1,234", LocaleComma, 1.234, nil},
		{"1.234", LocaleComma, 1234, nil},
		{"1.5", LocaleComma, 1.5, nil},
		{"1.234,5", LocaleComma, 1234.5, nil},
		{"1,234.5", LocaleComma, 0, ErrNotNumber},
		{"1.234,5", LocaleDot, 0, ErrNotNumber},
		{"1,5", LocaleDot, 0, ErrNotNumber},
		{"12,34,567", LocaleUnknown, 0, ErrNotNumber},
		{"1,2345", LocaleDot, 0, ErrNotNumber},
		{"", LocaleUnknown, 0, ErrEmptyNumber},
		{"NaN", LocaleUnknown, 0, ErrNotNumber},
		{"Inf", LocaleUnknown, 0, ErrNotNumber},
		{"-Inf", LocaleUnknown, 0, ErrNotNumber},
		{"0x1F", LocaleUnknown, 0, ErrNotNumber},
		{"1_000", LocaleUnknown, 0, ErrNotNumber},
		{"12 kg", LocaleUnknown, 0, ErrNotNumber},
		{"abc", LocaleUnknown, 0, ErrNotNumber},
		{"1e999", LocaleUnknown, 0, ErrNotNumber},
		{"1,5e3", LocaleUnknown, 0, ErrNotNumber},
		{"1.2.3", LocaleUnknown, 0, ErrNotNumber},
		{"1..2", LocaleUnknown, 0, ErrNotNumber},
		{"-", LocaleUnknown, 0, ErrNotNumber},
		{".", LocaleUnknown, 0, ErrNotNumber},
		{"1 23", LocaleUnknown, 0, ErrNotNumber},
		{"$5", LocaleUnknown, 0, ErrNotNumber},
		{"5%", LocaleUnknown, 0, ErrNotNumber},
	}
	for _, tt := range tests {
		got, err := ParseNumber(tt.in, tt.loc)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("ParseNumber(%q, %d) = %v, %v; want error %v", tt.in, tt.loc, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseNumber(%q, %d) = %v, %v; want %v", tt.in, tt.loc, got, err, tt.want)
		}
	}
}

func TestParseYear(t *testing.T) {
	for s, want := range map[string]int{"2013": 2013, "1900": 1900, "2100": 2100, "2013.0": 2013} {
		if y, ok := parseYear(s); !ok || y != want {
			t.Errorf("parseYear(%q) = %d, %v", s, y, ok)
		}
	}
	for _, s := range []string{"1899", "2101", "13", "2013.5", "2,013", "two", "", "2e3"} {
		if y, ok := parseYear(s); ok {
			t.Errorf("parseYear(%q) = %d, want refusal", s, y)
		}
	}
}
