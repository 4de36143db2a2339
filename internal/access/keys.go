package access

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// KeyStore is what the key service needs of the store.
type KeyStore interface {
	// CreateKey stores k and its audit entry in one transaction (the
	// entry's Target is set to the new key); either both are written or
	// neither.
	CreateKey(ctx context.Context, k *APIKey, audit AuditEntry) error
	KeyByHash(ctx context.Context, hash string) (APIKey, error)
	Key(ctx context.Context, id int64) (APIKey, error)
	Keys(ctx context.Context) ([]APIKey, error)
	// RevokeKey and ExpireKey change a key and write its audit entry in
	// one transaction.
	RevokeKey(ctx context.Context, id int64, at time.Time, audit AuditEntry) error
	ExpireKey(ctx context.Context, id int64, at time.Time, replacedBy int64, audit AuditEntry) error
	TouchKey(ctx context.Context, id int64, at time.Time) error
	AppendAudit(ctx context.Context, e AuditEntry) error
	Audit(ctx context.Context, limit int) ([]AuditEntry, error)
	Country(ctx context.Context, iso3 string) (Country, error)
}

// KeyRequest describes a key to create.
type KeyRequest struct {
	Role    Role
	Country string // a ministry's one country (ISO3)
	Name    string
	// ExpiresAt, when set, is when the key stops working; it must be in
	// the future.
	ExpiresAt *time.Time
}

// KeyService issues, checks and revokes API keys. A key's secret is shown
// once, when it is made; only its SHA-256 is stored.
type KeyService struct {
	Store KeyStore
	Now   func() time.Time
}

// KeyPrefix starts every secret, so that leaked keys are easy to scan for.
const KeyPrefix = "rgk_"

// HashKey is the stored form of a secret.
func HashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func (s *KeyService) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Create makes a key for role (and, for a ministry, its one country) and
// returns the secret, which is never stored.
func (s *KeyService) Create(ctx context.Context, who Principal, role Role, country, name, remote string) (secret string, k APIKey, err error) {
	return s.CreateKey(ctx, who, KeyRequest{Role: role, Country: country, Name: name}, remote)
}

// CreateKey makes the key req describes and returns its secret, which is
// never stored.
func (s *KeyService) CreateKey(ctx context.Context, who Principal, req KeyRequest, remote string) (secret string, k APIKey, err error) {
	defer Wrap(&err, "KeyService.Create")
	role, country, name := req.Role, req.Country, req.Name
	if err := CheckText("", "the key's name", name, 100); err != nil {
		return "", k, err
	}
	if req.ExpiresAt != nil && !req.ExpiresAt.After(s.now()) {
		return "", k, Errorf(Invalid, "", "a key's expiry must be in the future")
	}
	if err := Authorize(who, ActManageKeys, ""); err != nil {
		return "", k, err
	}
	if !role.Valid() {
		return "", k, Errorf(Invalid, "", "unknown role %q: use admin, advocate or ministry", role)
	}
	country = strings.ToUpper(strings.TrimSpace(country))
	switch {
	case role == RoleMinistry && len(country) != 3:
		return "", k, Errorf(Invalid, "", "a ministry key needs its country's ISO3 code")
	case role != RoleMinistry && country != "":
		return "", k, Errorf(Invalid, "", "only a ministry key is bound to a country")
	}
	if country != "" {
		if _, err := s.Store.Country(ctx, country); err != nil {
			if ErrorCode(err) == NotFound {
				return "", k, Errorf(Invalid, "", "unknown country %q", country)
			}
			return "", k, err
		}
	}
	if name == "" {
		name = string(role)
		if country != "" {
			name += " " + country
		}
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", k, err
	}
	secret = KeyPrefix + base64.RawURLEncoding.EncodeToString(raw)
	k = APIKey{Name: name, Role: role, Country: country, Prefix: secret[:len(KeyPrefix)+6], Hash: HashKey(secret), CreatedAt: s.now()}
	if req.ExpiresAt != nil {
		at := req.ExpiresAt.UTC()
		k.ExpiresAt = &at
	}
	detail := fmt.Sprintf("%s %s %s", role, country, name)
	if k.ExpiresAt != nil {
		detail += " expires " + k.ExpiresAt.Format(time.RFC3339)
	}
	if err := s.Store.CreateKey(ctx, &k, AuditEntry{At: k.CreatedAt, Actor: who.Name, KeyID: who.KeyID, Role: who.Role,
		Action: "key.create", RemoteAddr: remote, Detail: detail}); err != nil {
		return "", k, err
	}
	return secret, k, nil
}

// Authenticate returns the principal holding secret.
func (s *KeyService) Authenticate(ctx context.Context, secret string) (Principal, error) {
	if !strings.HasPrefix(secret, KeyPrefix) || len(secret) > 200 {
		return Principal{}, Errorf(Unauthorized, "authenticate", "invalid API key")
	}
	k, err := s.Store.KeyByHash(ctx, HashKey(secret))
	if err != nil {
		if ErrorCode(err) == NotFound {
			return Principal{}, Errorf(Unauthorized, "authenticate", "invalid or revoked API key")
		}
		return Principal{}, err
	}
	if k.Expired(s.now()) {
		return Principal{}, Errorf(Unauthorized, "authenticate", "expired API key")
	}
	_ = s.Store.TouchKey(ctx, k.ID, s.now()) // best effort: last use is informative only
	return Principal{KeyID: k.ID, Name: k.Name, Role: k.Role, Country: k.Country}, nil
}

// List returns every key (never a secret).
func (s *KeyService) List(ctx context.Context, who Principal) ([]APIKey, error) {
	if err := Authorize(who, ActManageKeys, ""); err != nil {
		return nil, err
	}
	return s.Store.Keys(ctx)
}

// Revoke revokes a key.
func (s *KeyService) Revoke(ctx context.Context, who Principal, id int64, remote string) error {
	if err := Authorize(who, ActManageKeys, ""); err != nil {
		return err
	}
	return s.Store.RevokeKey(ctx, id, s.now(), AuditEntry{At: s.now(), Actor: who.Name, KeyID: who.KeyID, Role: who.Role,
		Action: "key.revoke", Target: fmt.Sprintf("key:%d", id), RemoteAddr: remote})
}

// Rotate replaces key id with a new key of the same holder, role and
// country, and returns the new secret. The old key stops working after
// grace (at once when grace is 0, never later than it would have anyway).
func (s *KeyService) Rotate(ctx context.Context, who Principal, id int64, grace time.Duration, expiresAt *time.Time, remote string) (secret string, k APIKey, err error) {
	defer Wrap(&err, "KeyService.Rotate")
	if err := Authorize(who, ActManageKeys, ""); err != nil {
		return "", k, err
	}
	if grace < 0 {
		return "", k, Errorf(Invalid, "", "the grace period cannot be negative")
	}
	old, err := s.Store.Key(ctx, id)
	if err != nil {
		return "", k, err
	}
	if old.RevokedAt != nil || old.Expired(s.now()) {
		return "", k, Errorf(Conflict, "", "key %d is revoked or expired: create a new key instead", id)
	}
	secret, k, err = s.CreateKey(ctx, who, KeyRequest{Role: old.Role, Country: old.Country, Name: old.Name, ExpiresAt: expiresAt}, remote)
	if err != nil {
		return "", k, err
	}
	end := s.now().Add(grace)
	if old.ExpiresAt != nil && old.ExpiresAt.Before(end) {
		end = *old.ExpiresAt
	}
	err = s.Store.ExpireKey(ctx, id, end, k.ID, AuditEntry{At: s.now(), Actor: who.Name, KeyID: who.KeyID, Role: who.Role,
		Action: "key.rotate", Target: fmt.Sprintf("key:%d", id), RemoteAddr: remote,
		Detail: fmt.Sprintf("replaced by key %d; old key ends %s", k.ID, end.Format(time.RFC3339))})
	return secret, k, err
}

// Audit lists the newest audit entries (at most limit, 1000 at most), for
// administrators only.
func (s *KeyService) Audit(ctx context.Context, who Principal, limit int) ([]AuditEntry, error) {
	if err := Authorize(who, ActReadAudit, ""); err != nil {
		return nil, err
	}
	return s.Store.Audit(ctx, limit)
}
