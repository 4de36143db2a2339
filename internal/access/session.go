package access

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// Session is a signed-in browser: an API key entered once on the sign-in
// page and exchanged for a random token kept in a cookie. Only the token's
// SHA-256 is stored; CSRF is the token forms must echo back.
type Session struct {
	Hash      string // hex SHA-256 of the token
	KeyID     int64
	CSRF      string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SessionStore is what the session service needs of the store.
type SessionStore interface {
	CreateSession(ctx context.Context, s Session) error
	// SessionByHash returns an unexpired session of an unrevoked key, and
	// that key; NotFound otherwise.
	SessionByHash(ctx context.Context, hash string, now time.Time) (Session, APIKey, error)
	DeleteSession(ctx context.Context, hash string) error
	// DeleteExpiredSessions removes sessions that ended before now.
	DeleteExpiredSessions(ctx context.Context, now time.Time) error
}

// DefaultSessionTTL is how long a browser stays signed in.
const DefaultSessionTTL = 8 * time.Hour

// SessionService exchanges API keys for browser sessions.
type SessionService struct {
	Store SessionStore
	Keys  *KeyService
	TTL   time.Duration // DefaultSessionTTL when 0
	Now   func() time.Time
}

func (s *SessionService) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func randomToken() (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// SignIn checks secret and opens a session for its key. Only ministry and
// administrator keys may sign in: the pages behind a session upload,
// publish and reject. The token is returned once and never stored.
func (s *SessionService) SignIn(ctx context.Context, secret, remote string) (token string, sess Session, p Principal, err error) {
	defer Wrap(&err, "SessionService.SignIn")
	p, err = s.Keys.Authenticate(ctx, strings.TrimSpace(secret))
	if err != nil {
		return "", sess, Principal{}, err
	}
	// The pages behind a session list, send and decide uploads: a key
	// that may not list uploads has nothing to sign in to.
	if Authorize(p, ActListUploads, p.Country) != nil {
		return "", sess, Principal{}, Errorf(Forbidden, "", "a %s key cannot sign in: these pages are for ministries and administrators", p.Role)
	}
	if token, err = randomToken(); err != nil {
		return "", sess, Principal{}, err
	}
	csrf, err := randomToken()
	if err != nil {
		return "", sess, Principal{}, err
	}
	ttl := s.TTL
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	now := s.now()
	sess = Session{Hash: HashKey(token), KeyID: p.KeyID, CSRF: csrf, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	_ = s.Store.DeleteExpiredSessions(ctx, now)
	if err := s.Store.CreateSession(ctx, sess); err != nil {
		return "", Session{}, Principal{}, err
	}
	_ = s.Keys.Store.AppendAudit(ctx, AuditEntry{At: now, Actor: p.Name, KeyID: p.KeyID, Role: p.Role,
		Action: "session.create", Target: fmt.Sprintf("key:%d", p.KeyID), RemoteAddr: remote})
	return token, sess, p, nil
}

// Resolve returns the principal and session of token; Unauthorized when
// the session is unknown or ended, or its key was revoked or has expired.
func (s *SessionService) Resolve(ctx context.Context, token string) (Principal, Session, error) {
	if token == "" || len(token) > 200 {
		return Principal{}, Session{}, Errorf(Unauthorized, "session", "not signed in")
	}
	now := s.now()
	sess, k, err := s.Store.SessionByHash(ctx, HashKey(token), now)
	if err == nil && k.Expired(now) {
		err = Errorf(NotFound, "session", "the key has expired")
	}
	if err != nil {
		if ErrorCode(err) == NotFound {
			return Principal{}, Session{}, Errorf(Unauthorized, "session", "the session has ended: please sign in again")
		}
		return Principal{}, Session{}, err
	}
	return Principal{KeyID: k.ID, Name: k.Name, Role: k.Role, Country: k.Country}, sess, nil
}

// SignOut ends the session of token.
func (s *SessionService) SignOut(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.Store.DeleteSession(ctx, HashKey(token))
}

// CheckCSRF reports whether got is the session's CSRF token, in constant time.
func (sess Session) CheckCSRF(got string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) == 1
}
