package importers

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
)

// Batches handed back through ParseInput.Spent are filled again: the
// records emitted are exactly those of a parse that allocates every batch
// anew, and the later batches lie in the arrays of batches handed back.
func TestSpentBatchesAreFilledAgain(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("iso3,year,drug,consumption,unit\n")
	n := 0
	for _, c := range []string{"ABW", "CHL"} {
		for _, d := range testDrugs[:4] {
			for y := 1901; y <= 2100; y++ { // 1,600 rows
				fmt.Fprintf(&sb, "%s,%d,%s,%d.5,kg\n", c, y, d.Code, y%97+1)
				n++
			}
		}
	}
	data := []byte(sb.String())
	run := func(recycle bool) (recs []access.Consumption, reused, batches int) {
		spent := make(chan access.Batch, 2)
		in := access.ParseInput{Filename: "t.csv", Data: data, Resolver: smallResolver(), SaltBase: testSaltBase}
		if recycle {
			in.Spent = spent
		}
		handed := map[*access.Consumption]bool{}
		p := New()
		p.BatchSize = 200 // 8 batches
		_, err := p.Parse(context.Background(), in, func(b access.Batch) error {
			batches++
			if len(b.Consumption) > 0 && handed[&b.Consumption[:1][0]] {
				reused++
			}
			recs = append(recs, b.Consumption...)
			if recycle && cap(b.Consumption) > 0 {
				handed[&b.Consumption[:1][0]] = true
				select {
				case spent <- b:
				default:
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return recs, reused, batches
	}
	fresh, _, _ := run(false)
	again, reused, batches := run(true)
	if len(fresh) != n || len(again) != n {
		t.Fatalf("%d and %d records, want %d", len(fresh), len(again), n)
	}
	if !reflect.DeepEqual(fresh, again) {
		for i := range fresh {
			if !reflect.DeepEqual(fresh[i], again[i]) {
				t.Fatalf("record %d: %+v, filled again %+v", i, fresh[i], again[i])
			}
		}
	}
	// Every batch but the first two (none handed back yet) is refilled.
	if reused < batches-2 || reused == 0 {
		t.Fatalf("%d of %d batches lie in arrays handed back", reused, batches)
	}
}
