package alerts

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
)

func sp(s string) *string { return &s }

func TestBandChangesAndNeedMet(t *testing.T) {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	g := access.CountryGaps{Country: access.CountryRef{ISO3: "XAA", Name: "<Testland>"}, Years: []access.YearGaps{
		{Year: 2019, Adequacy: sp("very inadequate"), BenchmarkBand: sp("low"), NeedMetPct: access.F(12)},
		{Year: 2020, Adequacy: sp("inadequate"), BenchmarkBand: sp("low"), NeedMetPct: access.F(8.25)},
		{Year: 2021, Adequacy: nil, BenchmarkBand: sp("moderate")}, // no need figure in 2021
	}}
	ch := BandChanges(g, at, "")
	if len(ch) != 2 || !strings.Contains(ch[0].Title, `from "very inadequate" to "inadequate" in 2020`) ||
		!strings.Contains(ch[1].Title, `benchmark band changed from "low" to "moderate" in 2021`) {
		t.Errorf("band changes = %+v", ch)
	}
	// The latest year with need met is 2020: 8.25% < 10%.
	low := NeedMetLow(g, 10, at, "")
	if len(low) != 1 || low[0].ID != "tag:reliefgap.org,2026:XAA:need-met:2020" || !strings.Contains(low[0].Title, "8.2% of need met in 2020") {
		t.Errorf("need met low = %+v", low)
	}
	if got := NeedMetLow(g, 8, at, ""); got != nil {
		t.Errorf("threshold 8: %+v", got)
	}
}

func TestEstimateMissing(t *testing.T) {
	c := access.CountryRef{ISO3: "KEN", Name: "Kenya"}
	for _, tc := range []struct {
		now     time.Time
		hasNext bool
		want    string
	}{
		{time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC), false, ""},
		{time.Date(2026, 6, 20, 12, 0, 0, 0, time.UTC), false, "Kenya: no estimate for 2027 yet, 10 days before 30 June"},
		{time.Date(2026, 6, 20, 12, 0, 0, 0, time.UTC), true, ""},
		{time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), false, ""},
	} {
		got := EstimateMissing(c, tc.hasNext, tc.now, "")
		title := ""
		if len(got) == 1 {
			title = got[0].Title
		}
		if title != tc.want {
			t.Errorf("%s has %v: %q, want %q", tc.now, tc.hasNext, title, tc.want)
		}
	}
}

func TestAtomEscapes(t *testing.T) {
	f := Feed{ID: "tag:x", Title: "a <b> & c", Self: "http://127.0.0.1/feeds/world.atom", Entries: []Entry{
		{ID: "tag:1", Kind: KindPublication, Title: "<script>alert(1)</script>", Updated: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)},
		{ID: "tag:2", Kind: KindBandChange, Title: "later", Updated: time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)},
	}}
	b, err := f.Atom()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "<script>") {
		t.Errorf("markup from data is not escaped:\n%s", b)
	}
	var back atomFeed
	if err := xml.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Entries) != 2 || back.Entries[0].ID != "tag:2" || back.Updated != "2026-01-03T00:00:00Z" || back.Entries[1].Title.Body != "<script>alert(1)</script>" {
		t.Errorf("feed = %+v", back)
	}
}
