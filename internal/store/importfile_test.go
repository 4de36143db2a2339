package store_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/reliefgap/reliefgap/importers"
	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// A file imported from disk (as the CLI does) is hashed, kept and parsed
// as a stream, and ends as the same published rows and the same stored
// bytes as any upload; importing it again changes nothing.
func TestImportFileStreams(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		// 20 countries × 4 drugs × 120 years = 9,600 rows (≈ 300 KB, above
		// the 256 KiB spool threshold).
		var b bytes.Buffer
		b.WriteString("iso3,year,drug,consumption,unit\n")
		countries := []string{"KEN", "UGA", "TZA", "NGA", "GHA", "ZAF", "ETH", "RWA", "ZMB", "MWI",
			"IND", "PAK", "BGD", "NPL", "LKA", "THA", "VNM", "PHL", "IDN", "MYS"}
		drugs := []string{"morphine", "fentanyl", "oxycodone", "pethidine"}
		rows := 0
		for _, c := range countries {
			for _, d := range drugs {
				for y := 1900; y < 2020; y++ {
					fmt.Fprintf(&b, "%s,%d,%s,%d,kg\n", c, y, d, 5+(y%7))
					rows++
				}
			}
		}
		path := filepath.Join(t.TempDir(), "big.csv")
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		imp := &access.ImportService{Store: s, Parser: importers.New()}
		res, err := imp.ImportFile(ctx, access.Operator, "big.csv", path, access.ImportOptions{Kind: access.KindConsumption, Publish: true})
		if err != nil {
			t.Fatal(err)
		}
		u := res.Upload
		if u.Status != access.StatusPublished || u.Counts.Records != rows || u.Diff.Added != rows || u.Size != int64(b.Len()) {
			t.Fatalf("upload %+v %+v, want %d rows published", u.Status, u.Counts, rows)
		}
		// The diff lists the file's first rows, in file order.
		if c := u.Diff.Changes; len(c) != 50 || c[0].Key != "KEN/1900/morphine" || c[49].Key != "KEN/1949/morphine" || *c[0].New != 1000*(5+1900%7) { // 8 kg
			t.Fatalf("diff sample %+v", c)
		}
		if got, err := s.Blob(ctx, u.SHA256); err != nil || !bytes.Equal(got, b.Bytes()) {
			t.Fatalf("stored bytes differ (%d of %d), %v", len(got), b.Len(), err)
		}
		if g := publishedGrams(t, s, "KEN"); len(g) != 4*120 {
			t.Fatalf("KEN has %d published rows, want 480", len(g))
		}
		again, err := imp.ImportFile(ctx, access.Operator, "big.csv", path, access.ImportOptions{Kind: access.KindConsumption, Publish: true})
		if err != nil || !again.Duplicate || again.Upload.ID != u.ID {
			t.Fatalf("second import: %+v %v", again, err)
		}
	})
}
