package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// A rejected upload's annotated workbook is built once, when it is
// rejected, and served from storage after; a file over MaxAnnotateBytes
// gets none; retention removes it with the bytes.
func TestAnnotatedWorkbookBuiltOnceAndStored(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		imp := newImports(s)
		builds := 0
		imp.Annotate = func(name string, data []byte, ps []access.Problem) ([]byte, error) {
			builds++
			return []byte("annotated " + name + " " + ps[0].Code), nil
		}
		res, err := imp.Import(ctx, access.Operator, "bad.csv", []byte("KEN,2020,morphine,x"), access.ImportOptions{Kind: access.KindConsumption})
		if err != nil || res.Upload.Status != access.StatusRejected {
			t.Fatalf("%+v, %v", res.Upload, err)
		}
		if builds != 1 {
			t.Fatalf("built %d times on rejection, want 1", builds)
		}
		noBytes := func() ([]byte, error) { t.Fatal("the file was read again"); return nil, nil }
		for range 2 {
			out, err := imp.Annotated(ctx, res.Upload, noBytes)
			if err != nil || string(out) != "annotated bad.csv number" {
				t.Fatalf("Annotated = %q, %v", out, err)
			}
		}
		if builds != 1 {
			t.Fatalf("built %d times, want 1", builds)
		}
		big := access.Upload{ID: res.Upload.ID + 1000, Size: access.MaxAnnotateBytes + 1}
		if _, err := imp.Annotated(ctx, big, noBytes); access.ErrorCode(err) != access.TooLarge {
			t.Fatalf("over the bound: %v", err)
		}
		if _, err := s.PruneBlobs(ctx, time.Now().Add(time.Hour), access.AuditEntry{Actor: "op"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Annotated(ctx, res.Upload.ID); access.ErrorCode(err) != access.NotFound {
			t.Fatalf("after retention: %v", err)
		}
		_, err = imp.Annotated(ctx, res.Upload, func() ([]byte, error) { return s.Blob(ctx, res.Upload.SHA256) })
		if access.ErrorCode(err) != access.NotFound || !strings.Contains(err.Error(), "retention") {
			t.Fatalf("after retention, rebuilt from pruned bytes: %v", err)
		}
	})
}
