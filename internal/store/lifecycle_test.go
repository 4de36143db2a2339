package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
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

// TestPublishRejectRace sends an administrator's publish and reject for the
// same submitted upload at once, many times: exactly one wins, the other is
// a Conflict (409), and the status and the served rows agree.
func TestPublishRejectRace(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		imp := newImports(s)
		for i := range 16 {
			// Each round submits a different value for KEN 2020 morphine.
			grams := float64(1000 + i)
			res, err := imp.Import(ctx, access.Operator, "k.csv", []byte(fmt.Sprintf("KEN,2020,morphine,%g", grams)), access.ImportOptions{Kind: access.KindConsumption})
			if err != nil || res.Upload.Status != access.StatusSubmitted {
				t.Fatalf("round %d: %+v, %v", i, res.Upload, err)
			}
			before := publishedGrams(t, s, "KEN")["2020/morphine"]
			id := res.Upload.ID
			var wg sync.WaitGroup
			var pubErr, rejErr error
			start := make(chan struct{})
			wg.Add(2)
			go func() { defer wg.Done(); <-start; _, pubErr = imp.Publish(ctx, access.Operator, id, "") }()
			go func() { defer wg.Done(); <-start; _, rejErr = imp.Reject(ctx, access.Operator, id, "wrong year", "") }()
			close(start)
			wg.Wait()
			if (pubErr == nil) == (rejErr == nil) {
				t.Fatalf("round %d: publish err %v, reject err %v: exactly one must win", i, pubErr, rejErr)
			}
			if lost := errors.Join(pubErr, rejErr); access.ErrorCode(lost) != access.Conflict {
				t.Fatalf("round %d: the loser got %v, want a conflict", i, lost)
			}
			u, err := s.Upload(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			served := publishedGrams(t, s, "KEN")["2020/morphine"]
			switch {
			case pubErr == nil && (u.Status != access.StatusPublished || served != grams):
				t.Fatalf("round %d: publish won but status %s, served %g (want %g)", i, u.Status, served, grams)
			case rejErr == nil && (u.Status != access.StatusRejected || served != before):
				t.Fatalf("round %d: reject won but status %s, served %g (want the earlier %g)", i, u.Status, served, before)
			}
		}
	})
}

// TestSameBytesInFlightMakeOneUpload receives the same bytes for the same
// scope several times at once: one upload, the others are its duplicates.
func TestSameBytesInFlightMakeOneUpload(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		imp := newImports(s)
		data := []byte("KEN,2020,morphine,77")
		ids := make([]int64, 6)
		dups := make([]bool, len(ids))
		var wg sync.WaitGroup
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := imp.Receive(ctx, access.Operator, "k.csv", data, access.ImportOptions{Kind: access.KindConsumption, Country: "KEN"})
				if err != nil {
					t.Error(err)
				}
				ids[i], dups[i] = res.Upload.ID, res.Duplicate
			}()
		}
		wg.Wait()
		first := 0
		for i := range ids {
			if ids[i] != ids[0] {
				t.Fatalf("uploads %v: want one id", ids)
			}
			if !dups[i] {
				first++
			}
		}
		if first != 1 {
			t.Fatalf("%d receives created an upload, want 1 (duplicates %v)", first, dups)
		}
	})
}
