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
	CreateKey(ctx context.Context, k *APIKey) error
	KeyByHash(ctx context.Context, hash string) (APIKey, error)
	Keys(ctx context.Context) ([]APIKey, error)
	RevokeKey(ctx context.Context, id int64, at time.Time) error
	TouchKey(ctx context.Context, id int64, at time.Time) error
	AppendAudit(ctx context.Context, e AuditEntry) error
	Country(ctx context.Context, iso3 string) (Country, error)
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
	defer Wrap(&err, "KeyService.Create")
	if !who.IsAdmin() {
		return "", k, Errorf(Forbidden, "", "only an administrator may create keys")
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
	if err := s.Store.CreateKey(ctx, &k); err != nil {
		return "", k, err
	}
	_ = s.Store.AppendAudit(ctx, AuditEntry{At: k.CreatedAt, Actor: who.Name, KeyID: who.KeyID, Role: who.Role,
		Action: "key.create", Target: fmt.Sprintf("key:%d", k.ID), RemoteAddr: remote, Detail: fmt.Sprintf("%s %s %s", role, country, name)})
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
	_ = s.Store.TouchKey(ctx, k.ID, s.now())
	return Principal{KeyID: k.ID, Name: k.Name, Role: k.Role, Country: k.Country}, nil
}

// List returns every key (never a secret).
func (s *KeyService) List(ctx context.Context, who Principal) ([]APIKey, error) {
	if !who.IsAdmin() {
		return nil, Errorf(Forbidden, "KeyService.List", "only an administrator may list keys")
	}
	return s.Store.Keys(ctx)
}

// Revoke revokes a key.
func (s *KeyService) Revoke(ctx context.Context, who Principal, id int64, remote string) error {
	if !who.IsAdmin() {
		return Errorf(Forbidden, "KeyService.Revoke", "only an administrator may revoke keys")
	}
	if err := s.Store.RevokeKey(ctx, id, s.now()); err != nil {
		return err
	}
	return s.Store.AppendAudit(ctx, AuditEntry{At: s.now(), Actor: who.Name, KeyID: who.KeyID, Role: who.Role,
		Action: "key.revoke", Target: fmt.Sprintf("key:%d", id), RemoteAddr: remote})
}
