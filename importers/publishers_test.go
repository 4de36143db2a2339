package importers

import (
	"fmt"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/importers/importerstest"
	"github.com/reliefgap/reliefgap/internal/access"
)

// publisherFixture reads importers/testdata/NAME; .grid fixtures are built into a
// workbook named NAME.xlsx.
func publisherFixture(t testing.TB, name string) (filename string, data []byte) {
	t.Helper()
	filename, data, err := importerstest.Fixture("testdata", name)
	if err != nil {
		t.Fatal(err)
	}
	return filename, data
}

// spotValues maps "ISO3 year what" to each record's value.
func spotValues(b access.Batch) map[string]float64 {
	out := map[string]float64{}
	for _, c := range b.Consumption {
		if c.Grams != nil {
			out[fmt.Sprint(c.ISO3, " ", c.Year, " ", c.Drug)] = *c.Grams
		}
	}
	for _, p := range b.Population {
		out[fmt.Sprint(p.ISO3, " ", p.Year, " population")] = p.Persons
	}
	for _, d := range b.Deaths {
		out[fmt.Sprint(d.ISO3, " ", d.Year, " ", d.Cause)] = d.Deaths
	}
	return out
}

func (c collected) records() int { return c.b.Len() }

func skippedCount(c collected) int {
	n := 0
	for _, p := range c.withCode(CodeAggregatesSkipped) {
		var k int
		fmt.Sscanf(p.Message, "skipped %d", &k)
		n += k
	}
	return n
}

// TestPublisherLayouts imports one fixture per publisher layout, each
// written from the publisher's documented layout.
func TestPublisherLayouts(t *testing.T) {
	for _, tc := range importerstest.Cases {
		t.Run(tc.Fixture, func(t *testing.T) {
			name, data := publisherFixture(t, tc.Fixture)
			c := parse(t, access.ParseInput{Filename: name, Data: data})
			checkPublisherCase(t, tc, c)
		})
	}
}

func checkPublisherCase(t *testing.T, tc importerstest.Case, c collected) {
	t.Helper()
	noErrors(t, c)
	if c.Kind != access.ImportKind(tc.Kind) || c.Layout != tc.Layout {
		t.Errorf("kind %q layout %q, want %q %q", c.Kind, c.Layout, access.ImportKind(tc.Kind), tc.Layout)
	}
	if c.Rows != tc.Rows || c.records() != tc.Records {
		t.Errorf("rows %d records %d, want %d and %d", c.Rows, c.records(), tc.Rows, tc.Records)
	}
	if n := skippedCount(c); n != tc.Skipped {
		t.Errorf("%d aggregate rows skipped, want %d: %+v", n, tc.Skipped, c.withCode(CodeAggregatesSkipped))
	}
	ig := c.withCode(CodeSeriesIgnored)
	switch {
	case len(tc.Ignored) == 0 && len(ig) > 0:
		t.Errorf("ignored %+v", ig)
	case len(tc.Ignored) > 0 && len(ig) != 1:
		t.Errorf("ignored %+v, want one summary", ig)
	case len(tc.Ignored) > 0:
		for _, part := range tc.Ignored {
			if !strings.Contains(ig[0].Message, part) {
				t.Errorf("ignored %q lacks %q", ig[0].Message, part)
			}
		}
	}
	got := spotValues(c.b)
	for k, want := range tc.Spot {
		v, ok := got[k]
		if want < 0 {
			if ok {
				t.Errorf("%s = %v, want no record", k, v)
			}
			continue
		}
		if !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", k, v, ok, want)
		}
	}
	states := map[string]string{}
	for _, c := range c.b.Consumption {
		states[fmt.Sprint(c.ISO3, " ", c.Year, " ", c.Drug)] = string(c.GramsState())
	}
	for k, want := range tc.States {
		got := states[k]
		if got == "" {
			got = string(access.ValueNotReported)
		}
		if got != want {
			t.Errorf("state of %s = %s, want %s", k, got, want)
		}
	}
	for code, n := range tc.Warn {
		if got := len(c.withCode(code)); got != n {
			t.Errorf("%d %s problems, want %d: %+v", got, code, n, c.withCode(code))
		}
	}
}
