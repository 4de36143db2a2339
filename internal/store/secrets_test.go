package store_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/alerts"
	"github.com/reliefgap/reliefgap/internal/store"
)

// storedSecret is the secret column of webhook id as stored (SQLite).
func storedSecret(t *testing.T, s *store.Store, id int64) string {
	t.Helper()
	var v string
	if err := s.SQL().QueryRowContext(context.Background(), "SELECT secret FROM webhooks WHERE id = ?", id).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// With a secret key, a webhook's secret is stored sealed and read back as
// it was; secrets stored before the key was set are sealed when the store
// is opened with it; without the key, or with another, a sealed secret is
// not read (an error says why), and nothing is handed out in its place. A
// new key given with the previous one seals them again with the new key.
func TestWebhookSecretsSealed(t *testing.T) {
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "w.db")
	key := bytes.Repeat([]byte{7}, store.SecretKeyLen)
	other := bytes.Repeat([]byte{8}, store.SecretKeyLen)

	// Stored before any key: as it is.
	plain, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	old := alerts.Webhook{URL: "https://hooks.example.org/a", Secret: alerts.NewSecret(), Enabled: true, CreatedAt: time.Now()}
	if err := plain.CreateWebhook(ctx, &old); err != nil {
		t.Fatal(err)
	}
	if got := storedSecret(t, plain, old.ID); got != old.Secret {
		t.Fatalf("stored %q without a key", got)
	}
	plain.Close()

	// Opened with the key: the old secret is sealed; a new one is stored sealed.
	s, err := store.Open(ctx, dsn, store.Options{SecretKey: key})
	if err != nil {
		t.Fatal(err)
	}
	h := alerts.Webhook{URL: "https://hooks.example.org/b", Secret: alerts.NewSecret(), Enabled: true, CreatedAt: time.Now()}
	if err := s.CreateWebhook(ctx, &h); err != nil {
		t.Fatal(err)
	}
	for _, w := range []alerts.Webhook{old, h} {
		st := storedSecret(t, s, w.ID)
		if !strings.HasPrefix(st, "enc1:") || strings.Contains(st, w.Secret) || strings.Contains(st, strings.TrimPrefix(w.Secret, "whsec_")) {
			t.Fatalf("webhook %d stored as %q", w.ID, st)
		}
		got, err := s.Webhook(ctx, w.ID)
		if err != nil || got.Secret != w.Secret {
			t.Fatalf("webhook %d read back %q, %v; want %q", w.ID, got.Secret, err, w.Secret)
		}
	}
	all, err := s.Webhooks(ctx)
	if err != nil || len(all) != 2 || all[0].Secret != old.Secret || all[1].Secret != h.Secret {
		t.Fatalf("Webhooks: %+v, %v", all, err)
	}
	s.Close()

	// Without the key, or with another: refused, with the reason.
	for name, k := range map[string][]byte{"no key": nil, "another key": other} {
		s, err := store.Open(ctx, dsn, store.Options{SecretKey: k})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Webhook(ctx, h.ID); access.ErrorCode(err) != access.Internal || !strings.Contains(err.Error(), "RELIEFGAP_SECRET_KEY") {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := s.Webhooks(ctx); err == nil {
			t.Fatalf("%s: the webhooks were listed", name)
		}
		s.Close()
	}

	// A new key, with the previous one: the secrets are sealed again with
	// the new key, and then read with it alone.
	changed, err := store.Open(ctx, dsn, store.Options{SecretKey: other, PreviousSecretKey: key})
	if err != nil {
		t.Fatal(err)
	}
	before := storedSecret(t, changed, h.ID)
	if got, err := changed.Webhook(ctx, h.ID); err != nil || got.Secret != h.Secret {
		t.Fatalf("with the new and previous keys: %q, %v", got.Secret, err)
	}
	changed.Close()
	if _, err := store.Open(ctx, dsn, store.Options{PreviousSecretKey: key}); access.ErrorCode(err) != access.Invalid {
		t.Fatalf("a previous key alone: %v", err)
	}
	renewed, err := store.Open(ctx, dsn, store.Options{SecretKey: other})
	if err != nil {
		t.Fatal(err)
	}
	all, err = renewed.Webhooks(ctx)
	if err != nil || len(all) != 2 || all[0].Secret != old.Secret || all[1].Secret != h.Secret {
		t.Fatalf("with the new key alone: %+v, %v", all, err)
	}
	if st := storedSecret(t, renewed, h.ID); st != before || !strings.HasPrefix(st, "enc1:") {
		t.Fatalf("sealed again on every open: %q then %q", before, st)
	}
	renewed.Close()

	// A key of the wrong length is refused at open.
	if _, err := store.Open(ctx, dsn, store.Options{SecretKey: key[:16]}); access.ErrorCode(err) != access.Invalid {
		t.Fatalf("a 16-byte key: %v", err)
	}
}

// A key is given as the base64 of 32 bytes, as openssl rand -base64 32
// writes it; anything else is refused with the way to make one.
func TestParseSecretKey(t *testing.T) {
	k, err := store.ParseSecretKey("BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n")
	if err != nil || !bytes.Equal(k, bytes.Repeat([]byte{7}, 32)) {
		t.Fatalf("%x, %v", k, err)
	}
	for _, bad := range []string{"", "short", "BwcHBwcHBwcHBwcHBwcHBw==", "not base64 at all, but long enough to be 32 bytes"} {
		if _, err := store.ParseSecretKey(bad); err == nil || !strings.Contains(err.Error(), "openssl rand -base64 32") {
			t.Fatalf("%q: %v", bad, err)
		}
	}
}
