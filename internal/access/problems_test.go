package access

import (
	"fmt"
	"testing"
)

func TestGroupProblems(t *testing.T) {
	var ps []Problem
	for i := 0; i < 4812; i++ {
		ps = append(ps, Problem{Severity: SeverityWarning, Code: "under_1kg", Sheet: "Sheet1", Row: 2 + 7*i, Column: "E", Message: "under 1 kg"})
	}
	ps = append(ps, Problem{Severity: SeverityError, Code: "unknown_country", Sheet: "Data 2", Row: 9, Column: "A", Value: "Kenia", Message: "unknown"})
	ps = append(ps, Problem{Severity: SeverityWarning, Code: "aggregates_skipped", Message: "skipped 49 aggregate rows"})
	gs := GroupProblems(ps, 3)
	if len(gs) != 3 {
		t.Fatalf("%d groups", len(gs))
	}
	got := fmt.Sprint(gs[0].Code, gs[0].Count, gs[0].Refs, " ", gs[1].Code, gs[1].Count, gs[1].Refs, " ", gs[2].Code, gs[2].Count, len(gs[2].Refs))
	// Errors first; under_1kg rows 2, 9, 16 (every 7th), sheet named once.
	want := "unknown_country1 ['Data 2'!A9] under_1kg4812 [Sheet1!E2 E9 E16] aggregates_skipped1 0"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
