package access

import (
	"runtime/debug"
	"sync"
	"testing"
)

// Imports running at once lower the garbage collector's target together,
// and the last to end puts back what was set before.
func TestTightGCRestores(t *testing.T) {
	t.Setenv("GOGC", "")
	before := debug.SetGCPercent(130)
	defer debug.SetGCPercent(before)
	var wg sync.WaitGroup
	restores := make(chan func(), 8)
	for range 8 {
		wg.Add(1)
		go func() { defer wg.Done(); restores <- tightGC() }()
	}
	wg.Wait()
	close(restores)
	if got := debug.SetGCPercent(importGCPercent); got != importGCPercent {
		t.Fatalf("during imports the target is %d, want %d", got, importGCPercent)
	}
	for r := range restores {
		r()
	}
	if got := debug.SetGCPercent(130); got != 130 {
		t.Fatalf("after the imports the target is %d, want 130", got)
	}
}
