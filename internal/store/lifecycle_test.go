package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// brokenImports is a store whose import transactions fail, as a database
// that went away would.
type brokenImports struct{ *store.Store }

func (brokenImports) WithImport(context.Context, int64, func(access.ImportWriter) error) error {
	return &access.Error{Code: access.Internal, Op: "store.WithImport", Err: errors.New("connection reset by peer")}
}

type panicParser struct{}

func (panicParser) Parse(context.Context, access.ParseInput, func(access.Batch) error) (access.ParseResult, error) {
	var m map[string]int
	m["boom"]++ // a bug in a parser
	return access.ParseResult{}, nil
}

// TestSystemFaultsEndFailed: a database error or a panic while importing
// leaves the upload failed (retryable), never validating nor rejected, and
// stores nothing.
func TestSystemFaultsEndFailed(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for name, imp := range map[string]*access.ImportService{
			"database error": {Store: brokenImports{s}, Parser: lineParser{}},
			"panic":          {Store: s, Parser: panicParser{}},
		} {
			res, err := imp.Import(ctx, access.Operator, name+".csv", []byte("KEN,2020,morphine,"+name), access.ImportOptions{Kind: access.KindConsumption, Publish: true})
			if access.ErrorCode(err) != access.Internal {
				t.Fatalf("%s: err = %v", name, err)
			}
			u, err := s.Upload(ctx, res.Upload.ID)
			if err != nil {
				t.Fatal(err)
			}
			if u.Status != access.StatusFailed || u.Reason == "" || u.DecidedAt == nil {
				t.Fatalf("%s: upload = %+v", name, u)
			}
			if got := publishedGrams(t, s, "KEN"); len(got) != 0 {
				t.Fatalf("%s: a failed import stored %v", name, got)
			}
		}
	})
}
