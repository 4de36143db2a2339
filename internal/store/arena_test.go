package store

import (
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
)

// The rows a batch is staged as are windows of one slab: each exactly as
// wide as its table's columns plus the staging order, none overlapping
// another, and a slab grown in the middle of a batch leaves the rows
// already handed out as they were.
func TestRowArenaWindows(t *testing.T) {
	var a rowArena
	first := a.rows(3, 4)
	for i, r := range first {
		if len(r) != 4 || cap(r) != 4 {
			t.Fatalf("row %d: len %d cap %d, want 4 and 4", i, len(r), cap(r))
		}
		for j := range r {
			r[j] = i*10 + j
		}
	}
	// More than the slab holds: a new slab; the first rows keep theirs.
	more := a.rows(100, 5)
	for i, r := range more {
		for j := range r {
			r[j] = -1
		}
		_ = i
	}
	for i, r := range first {
		for j, v := range r {
			if v != i*10+j {
				t.Fatalf("row %d value %d = %v after the slab grew, want %d", i, j, v, i*10+j)
			}
		}
	}
	// Appending to a row never writes into its neighbour.
	_ = append(more[0], "x")
	if more[1][0] != -1 {
		t.Fatalf("an append to row 0 wrote into row 1: %v", more[1][0])
	}
}

// Two batches staged one after the other: the second's rows say what the
// second batch holds (the slab is reused, not shared by both at once), and
// the upload id is in every row.
func TestStageSetsReuse(t *testing.T) {
	g := func(v float64) *float64 { return &v }
	var a rowArena
	b1 := access.Batch{Consumption: []access.Consumption{{ISO3: "KEN", Year: 2010, Drug: "morphine", Grams: g(5)}, {ISO3: "UGA", Year: 2011, Drug: "fentanyl", Grams: g(7)}}}
	sets := a.stageSets(b1, 42)
	if len(sets) != 1 || sets[0].table != "consumption" || len(sets[0].rows) != 2 {
		t.Fatalf("first batch: %+v", sets)
	}
	if r := sets[0].rows[1]; r[1] != "UGA" || r[2] != 2011 || r[3] != "fentanyl" || r[4] != 7.0 || r[12] != int64(42) || r[15] != false {
		t.Fatalf("first batch, row 2: %v", r)
	}
	b2 := access.Batch{Consumption: []access.Consumption{{ISO3: "TZA", Year: 2012, Drug: "codeine"}}}
	sets = a.stageSets(b2, 42)
	if r := sets[0].rows[0]; len(sets[0].rows) != 1 || r[1] != "TZA" || r[4] != nil || r[12] != int64(42) {
		t.Fatalf("second batch: %v", sets[0].rows)
	}
	if len(sets[0].rows[0]) != len(consumptionCols)+1 {
		t.Fatalf("a row has %d values, want %d", len(sets[0].rows[0]), len(consumptionCols)+1)
	}
}
