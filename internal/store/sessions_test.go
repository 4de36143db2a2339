package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// TestSessions signs a ministry key in, resolves the session, and checks
// that expiry, sign-out and revoking the key each end it.
func TestSessions(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		keys := &access.KeyService{Store: s, Now: clock}
		sessions := &access.SessionService{Store: s, Keys: keys, TTL: time.Hour, Now: clock}
		secret, key, err := keys.Create(ctx, access.Operator, access.RoleMinistry, "KEN", "ministry KEN", "test")
		if err != nil {
			t.Fatal(err)
		}
		advocate, _, err := keys.Create(ctx, access.Operator, access.RoleAdvocate, "", "", "test")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := sessions.SignIn(ctx, advocate, "test"); access.ErrorCode(err) != access.Forbidden {
			t.Fatalf("advocate sign-in: %v, want Forbidden", err)
		}
		if _, _, _, err := sessions.SignIn(ctx, access.KeyPrefix+"wrong", "test"); access.ErrorCode(err) != access.Unauthorized {
			t.Fatalf("wrong key: %v, want Unauthorized", err)
		}
		token, sess, p, err := sessions.SignIn(ctx, secret, "test")
		if err != nil {
			t.Fatal(err)
		}
		if p.Country != "KEN" || sess.Hash == token || sess.Hash != access.HashKey(token) || len(sess.CSRF) < 40 {
			t.Fatalf("session %+v principal %+v", sess, p)
		}
		got, gotSess, err := sessions.Resolve(ctx, token)
		if err != nil || got.KeyID != key.ID || got.Role != access.RoleMinistry || gotSess.CSRF != sess.CSRF {
			t.Fatalf("resolve: %+v %+v %v", got, gotSess, err)
		}
		if !gotSess.CheckCSRF(sess.CSRF) || gotSess.CheckCSRF("") || gotSess.CheckCSRF(sess.CSRF+"x") {
			t.Fatal("CheckCSRF")
		}
		// One hour later the session has ended.
		now = now.Add(time.Hour)
		if _, _, err := sessions.Resolve(ctx, token); access.ErrorCode(err) != access.Unauthorized {
			t.Fatalf("expired: %v", err)
		}
		now = now.Add(-time.Hour)
		// Sign-out ends it.
		if err := sessions.SignOut(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, _, err := sessions.Resolve(ctx, token); access.ErrorCode(err) != access.Unauthorized {
			t.Fatalf("after sign-out: %v", err)
		}
		// Revoking the key ends its sessions.
		token, _, _, err = sessions.SignIn(ctx, secret, "test")
		if err != nil {
			t.Fatal(err)
		}
		if err := keys.Revoke(ctx, access.Operator, key.ID, "test"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := sessions.Resolve(ctx, token); access.ErrorCode(err) != access.Unauthorized {
			t.Fatalf("after revoke: %v", err)
		}
		// A key that expires in 30 minutes: its session (one hour) ends
		// with it.
		end := now.Add(30 * time.Minute)
		short, _, err := keys.CreateKey(ctx, access.Operator, access.KeyRequest{Role: access.RoleAdmin, Name: "short", ExpiresAt: &end}, "test")
		if err != nil {
			t.Fatal(err)
		}
		token, _, _, err = sessions.SignIn(ctx, short, "test")
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(29 * time.Minute)
		if _, _, err := sessions.Resolve(ctx, token); err != nil {
			t.Fatalf("before the key expires: %v", err)
		}
		now = now.Add(2 * time.Minute)
		if _, _, err := sessions.Resolve(ctx, token); access.ErrorCode(err) != access.Unauthorized {
			t.Fatalf("after the key expired: %v", err)
		}
	})
}
